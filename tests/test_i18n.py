"""Russian and English: every shown string marked and translated, plurals, locale formats and the choice of locale."""
from __future__ import annotations

import ast
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import force_locale, ngettext
from jinja2 import Environment

from tests import factories
from tracker import formatting
from tracker.extensions import db
from tracker.models import AuditLog, Rating, User

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "tracker" / "translations"
RU_PO = TRANSLATIONS / "ru" / "LC_MESSAGES" / "messages.po"
RU_MO = RU_PO.with_suffix(".mo")

# Two letters in a row make a word a reader would need translated; digits, symbols (→ ✓ % – …) do not.
WORD = re.compile(r"[^\W\d_]{2,}")
# Attributes a browser shows or reads aloud.
SHOWN_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
# Words that read the same in both languages (units, acronyms, product names).
ALLOWED_TEXT = {"NPS", "CSAT", "PNG", "SVG", "CSV", "XLSX", "API", "JSON", "EN", "RU", "N", "UTC"}


@pytest.fixture(scope="module", autouse=True)
def compiled_catalog():
    """Compile the Russian catalog when its .mo is missing or older than the .po (``make`` does this too)."""
    if not RU_MO.exists() or RU_MO.stat().st_mtime < RU_PO.stat().st_mtime:
        with RU_PO.open("rb") as po, RU_MO.open("wb") as mo:
            write_mo(mo, read_po(po, locale="ru"))


# -- catalog -------------------------------------------------------------------------------------------------


def _extract(tmp_path: Path) -> Path:
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
        "-o", str(pot), str(ROOT),
    ])
    return pot


def _ru_catalog():
    with RU_PO.open("rb") as fh:
        return read_po(fh, locale="ru")


def test_every_extracted_message_has_a_russian_translation(tmp_path):
    with _extract(tmp_path).open("rb") as fh:
        template = read_po(fh)
    ru = _ru_catalog()
    problems = []
    for message in template:
        if not message.id:
            continue
        found = ru.get(message.id, context=message.context)
        where = ", ".join(f"{path}:{line}" for path, line in message.locations[:2])
        if found is None:
            problems.append(f"not in the ru catalog: {message.id!r} ({where}); run make babel-update")
        elif "fuzzy" in found.flags:
            problems.append(f"fuzzy: {message.id!r} ({where})")
        elif not (all(found.string) if found.pluralizable else found.string):
            problems.append(f"untranslated: {message.id!r} ({where})")
    assert not problems, "\n".join(problems)
    assert len(template) > 300  # the extraction really read the templates and the code


def test_russian_catalog_is_well_formed():
    ru = _ru_catalog()
    assert ru.num_plurals == 3
    plural = [m for m in ru if m.id and m.pluralizable]
    assert plural, "counts must use ngettext / {% pluralize %}"
    for message in plural:
        assert len(message.string) == 3 and all(message.string), message.id
    # Babel's checkers: placeholders of each translation match its msgid.
    errors = [(message.id, [str(e) for e in errs]) for message, errs in ru.check() if errs]
    assert not errors, errors


# -- templates: text a reader sees is marked -----------------------------------------------------------------

_LEXER = Environment(extensions=["jinja2.ext.i18n"])


def _static_html(source: str) -> str:
    """The template's HTML with every Jinja expression and {% trans %} body replaced by a neutral ``0``."""
    parts, in_trans, tag_start = [], 0, False
    for _line, token, value in _LEXER.lex(source):
        if token == "whitespace":
            continue
        if token == "block_begin":
            tag_start = True
            continue
        if token == "name" and tag_start:
            in_trans += {"trans": 1, "endtrans": -1}.get(value, 0)
        tag_start = False
        if token == "data":
            parts.append("0" if in_trans else value)
        elif token == "variable_begin":
            parts.append("0")
    return "".join(parts)


class _ShownText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        for name, value in attrs:
            if name in SHOWN_ATTRIBUTES and value and _is_words(value):
                self.found.append(f"{name}={value!r}")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and _is_words(data):
            self.found.append(data.strip())


def _is_words(text: str) -> bool:
    return any(word not in ALLOWED_TEXT for word in WORD.findall(text))


def unmarked_text(source: str) -> list[str]:
    """Text and shown attributes of a Jinja template that are not inside ``_()`` or ``{% trans %}``."""
    parser = _ShownText()
    parser.feed(_static_html(source))
    parser.close()
    return parser.found


def test_unmarked_text_finder_catches_plain_words_and_spares_marked_ones():
    assert unmarked_text("<p>Hello there</p>") == ["Hello there"]
    assert unmarked_text('<a href="{{ url }}" title="Open it">{{ _("Go") }}</a>') == ["title='Open it'"]
    assert unmarked_text('<h{{ level }} class="h6">{{ _("Agreed standard") }}</h{{ level }}>') == []
    assert unmarked_text("{% trans n=3 %}{{ n }} ratings{% pluralize %}x{% endtrans %} → ✓ 42 % –") == []
    assert unmarked_text("<script>var words = 1;</script>{# a comment #}<td>NPS</td>") == []


def test_templates_have_no_unmarked_text():
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for text in unmarked_text(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(ROOT)}: {text[:80]!r}")
    assert not found, "mark these with _() or {% trans %}:\n" + "\n".join(found)


# -- Python: flashes, form labels and validator messages are marked ------------------------------------------

_FIELD = re.compile(r"^[A-Z]\w*(Field|Submit)$")
_VALIDATORS = {"DataRequired", "InputRequired", "Length", "NumberRange", "Email", "Optional", "EqualTo", "Regexp",
               "AnyOf", "NoneOf", "ValidationError"}


def _literal(node: ast.AST) -> str | None:
    """The text of a plain or f-string literal (also inside ``+``/``%``), None for anything wrapped or computed."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant)) or "f-string"
    if isinstance(node, ast.BinOp):
        return _literal(node.left) or _literal(node.right)
    return None


def unmarked_python_strings(source: str) -> list[tuple[int, str]]:
    """(line, text) of string literals shown to users but not wrapped in ``_``/``_l``/``ngettext``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        shown: list[ast.AST] = []
        if name == "flash":
            shown = node.args[:1]
        elif _FIELD.match(name):
            shown = node.args[:1] + [k.value for k in node.keywords if k.arg in ("label", "description")]
        elif name in _VALIDATORS:
            shown = [k.value for k in node.keywords if k.arg == "message"]
            if name == "ValidationError":
                shown += node.args[:1]
        for arg in shown:
            text = _literal(arg)
            if text is not None and WORD.search(text):
                found.append((node.lineno, text))
    return sorted(found)


def test_python_string_finder_catches_plain_literals():
    source = (
        "flash('Saved.')\nflash(_('Saved.'))\nname = StringField('Name', validators=[DataRequired(message='Say')])\n"
        "code = StringField(_l('Code'))\nraise ValidationError(f'bad {x}')\nflash(str(exc))\n"
    )
    assert unmarked_python_strings(source) == [(1, "Saved."), (3, "Name"), (3, "Say"), (5, "bad ")]


def test_python_strings_shown_to_users_are_marked():
    found = []
    for path in sorted((ROOT / "tracker").rglob("*.py")):
        for line, text in unmarked_python_strings(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(ROOT)}:{line}: {text[:60]!r}")
    assert not found, "wrap these in _() or _l():\n" + "\n".join(found)


def test_translation_helpers_are_ones_babel_extracts():
    """A private helper like ``_n("...")`` would hide its messages from ``make babel-extract``."""
    extracted = {"_", "_l", "gettext", "ngettext", "pgettext", "npgettext", "lazy_gettext"}
    found = []
    for path in sorted((ROOT / "tracker").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            # Short underscore names (_n, _t, _np) and anything named *gettext are translation helpers.
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id not in extracted
                    and ((node.func.id.startswith("_") and len(node.func.id) <= 3) or "gettext" in node.func.id)
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.func.id}({node.args[0].value[:40]!r})")
    assert not found, "babel does not extract these calls:\n" + "\n".join(found)


# -- plural forms and formats in Russian ----------------------------------------------------------------------


@pytest.mark.parametrize("n, text", [(1, "Сохранена 1 оценка."), (2, "Сохранены 2 оценки."), (5, "Сохранено 5 оценок."),
                                     (11, "Сохранено 11 оценок."), (21, "Сохранена 21 оценка."),
                                     (104, "Сохранены 104 оценки.")])
def test_rating_count_plurals_in_russian(app, n, text):
    with app.test_request_context(), force_locale("ru"):
        assert ngettext("%(num)d rating saved.", "%(num)d ratings saved.", n) == text
    with app.test_request_context(), force_locale("en"):
        english = ngettext("%(num)d rating saved.", "%(num)d ratings saved.", n)
    assert english == f"{n} rating{'' if n == 1 else 's'} saved."


@pytest.mark.parametrize("n, word", [(1, "соглашением"), (3, "соглашениями"), (11, "соглашениями")])
def test_agreement_count_plurals_in_russian(app, n, word):
    with app.test_request_context(), force_locale("ru"):
        text = ngettext("Department %(code)s archived with %(num)d active agreement.",
                        "Department %(code)s archived with %(num)d active agreements.", n, code="IT")
    assert text.endswith(f"{n} действующим {word}.") or text.endswith(f"{n} действующими {word}.")


@pytest.mark.parametrize("n, text", [(1, "1 подразделение"), (3, "3 подразделения"), (11, "11 подразделений"),
                                     (22, "22 подразделения"), (25, "25 подразделений")])
def test_department_count_plurals_in_russian(app, n, text):
    with app.test_request_context(), force_locale("ru"):
        assert ngettext("%(num)d department", "%(num)d departments", n) == text


def test_filters_follow_the_locale(app):
    with app.test_request_context(), force_locale("en"):
        assert formatting.health(58.3333) == "58.3" and formatting.health(None) == "–"
        assert formatting.signed(-21.875) == "-21.9" and formatting.signed(4.25) == "+4.3"
        assert formatting.pct(0.42) == "42%" and formatting.pct(25.0, 1, ratio=False) == "25.0%"
        assert formatting.num(1234.5) == "1,234.5"
        assert formatting.date_filter(date(2026, 11, 29)) == "Nov 29, 2026"
    with app.test_request_context(), force_locale("ru"):
        assert formatting.health(58.3333) == "58,3"
        assert formatting.signed(-21.875) == "-21,9"
        assert formatting.pct(0.42) == "42\xa0%"
        assert formatting.num(1234.5) == "1\xa0234,5"
        assert formatting.date_filter(date(2026, 11, 29)) == "29 нояб. 2026\u202fг."


# -- pages in Russian and the choice of locale ----------------------------------------------------------------


def _seed_it_feedback(org) -> None:
    """IT's customers rate it; WH gives a health of 58.3333 so the page must round and localise it."""
    for customer, health in {"WH": 58.3333, "LOG": 85.0}.items():
        db.session.add(Rating(contract_id=org.contracts["IT", customer].id, period_id=org.period.id,
                              respondent_key=f"head.{customer.lower()}@test.local",
                              respondent_id=org.heads[customer].id, recommend=9, health=health))
    db.session.commit()


def test_page_in_russian_from_the_browser_language(client, auth, org):
    _seed_it_feedback(org)
    auth.login("head.it@test.local")
    html = client.get("/rate/feedback", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="ru">' in html
    assert "Что говорят наши внутренние клиенты" in html and "Выйти" in html
    assert "58,3" in html and "58.3" not in html
    english = client.get("/rate/feedback", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "What our internal customers say" in english and "58.3" in english


def test_switch_saves_the_users_own_language_with_audit(client, auth, org):
    auth.login("head.it@test.local")
    response = client.post("/locale/ru", data={"next": "/rate/feedback"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/rate/feedback")
    user = db.session.get(User, org.heads["IT"].id)
    db.session.refresh(user)
    assert user.locale == "ru"
    entry = db.session.scalars(db.select(AuditLog).where(AuditLog.entity == "user", AuditLog.entity_id == user.id)
                               .order_by(AuditLog.id.desc())).first()
    assert entry is not None and entry.action == "update" and '"locale": [null, "ru"]' in entry.changes
    # The user's own setting outranks the browser's language, also in a new session.
    auth.logout()
    auth.login("head.it@test.local")
    html = client.get("/rate/feedback", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Что говорят наши внутренние клиенты" in html
    client.post("/locale/en", data={"next": "/rate/feedback"})
    html = client.get("/rate/feedback", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "What our internal customers say" in html


def test_anonymous_switch_uses_the_session(client, app):
    client.post("/locale/ru", data={"next": "/login"})
    html = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="ru">' in html and "Войти" in html
    assert client.post("/locale/xx").status_code == 404


def test_organization_default_when_the_browser_names_no_offered_language(client, app, org):
    from tracker.services import settings

    settings.set_organization(target=75, floor=50, hr_sees_comments=False, default_locale="ru")
    html = client.get("/login", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="ru">' in html
    html = client.get("/login", headers={"Accept-Language": "de, en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="en">' in html


def test_service_refusals_are_translated_in_a_request(client, auth, org):
    admin = factories.user("boss@test.local", "admin")
    with client.application.test_request_context(headers={"Accept-Language": "ru"}):
        from tracker.services import users

        with pytest.raises(users.UserError) as refusal:
            users.archive_user(admin, actor_id=admin.id)
    assert str(refusal.value) == "нельзя отправить в архив собственную учётную запись"
    from tracker.services import users

    with pytest.raises(users.UserError) as outside:
        users.archive_user(admin, actor_id=admin.id)
    assert str(outside.value) == "you cannot archive your own account"


def test_error_page_speaks_the_readers_language(client):
    response = client.get("/no-such-page", headers={"Accept-Language": "ru"})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "404 · Страница не найдена" in html and "Not Found" not in html
    english = client.get("/no-such-page", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "404 · Page not found" in english


def test_dashboard_in_russian_has_plurals_and_decimal_commas(client, auth, org):
    for sup, cus, health, _crit in factories.WORKED_EXAMPLE:
        if health is not None:
            # WH → LOG, the most threatening link, gets a fractional health to show the decimal sign.
            value = 45.3333 if (sup, cus) == ("WH", "LOG") else float(health)
            db.session.add(Rating(contract_id=org.contracts[(sup, cus)].id, period_id=org.period.id,
                                  respondent_key=f"head.{cus.lower()}", health=value))
    db.session.commit()
    auth.login("coo@test.local")
    html = client.get("/dashboard/", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    assert "Самая опасная связь:" in text
    assert "здоровье 45,3" in text and "45.3" not in text
    assert "охват: 5 подразделений" in text
    assert "через неё к внешнему клиенту выходят 5 подразделений (FIN, HR, IT, PROC, WH)" in text
    svg = client.get("/dashboard/graph.svg", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "здоровье 45,3" in svg
    assert "1 критичная связь" in text and "3 предупреждения" in text and "1 слепая зона" in text
