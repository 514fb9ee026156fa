"""Control characters: refused by every form (one rule, the importer's), and every output stays valid.

Data stored before the rule (or by hand) still exports: the XLSX downloads, ``flask export x.xlsx``
and the graph SVG are well-formed whatever the database holds.
"""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from openpyxl import load_workbook

from tracker import text
from tracker.extensions import db
from tracker.importer.cli import export_command
from tracker.models import Department, Rating
from tracker.services import ratings as rating_service

from .. import factories

BAD_NAME = "Ware\x01house\x0b"
BAD_COMMENT = "slow\x0bvery\x1bslow\nsecond line\tindented"


@pytest.fixture
def dirty(org):
    """The worked example, then control characters written straight into the database."""
    wh = org.departments["WH"]
    wh.name = BAD_NAME
    org.contracts[("IT", "WH")].service.name = "Sup\x02port"
    head = org.heads["WH"]
    rating_service.submit_ratings(org.period, [(org.contracts[("IT", "WH")], rating_service.RatingInput(
        scores={"quality": 2}, recommend=3, comment="placeholder"))],
        respondent_key=head.email, respondent_id=head.id, actor_id=head.id)
    db.session.scalar(db.select(Rating)).comment = BAD_COMMENT
    db.session.commit()
    return org


def test_the_rule_is_the_importers():
    from tracker.importer import reader

    assert text.control_character("a\x01b") == "\x01"
    assert text.control_character("a\nb") == "\n"
    assert text.control_character("a\nb\tc\r\n", multiline=True) is None
    assert text.control_character("a\x0bb", multiline=True) == "\x0b"
    assert text.control_character("\x7f") == "\x7f"
    assert text.control_character("Привет, мир") is None
    # the importer refuses exactly this set
    assert reader._CONTROL is text.CONTROL and reader._CONTROL_IN_TEXT is text.CONTROL_IN_TEXT


def test_xlsx_downloads_stay_valid_with_control_characters_stored(client, auth, dirty):
    auth.login()
    for url in ("/admin/exports/ratings.xlsx", "/admin/exports/departments.xlsx", "/admin/exports/organization.xlsx"):
        response = client.get(url)
        assert response.status_code == 200, url
        book = load_workbook(io.BytesIO(response.data))
        values = [c for ws in book for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
        assert not any(text.control_character(v, multiline=True) for v in values), url
        if "organization" in url:
            assert "Warehouse" in values and "slowveryslow\nsecond line\tindented" in values


def test_cli_export_workbook_with_control_characters_stored(runner, dirty, tmp_path):
    result = runner.invoke(export_command, [str(tmp_path / "x.xlsx")])
    assert result.exit_code == 0, result.output
    book = load_workbook(tmp_path / "x.xlsx")
    assert "Warehouse" in [c for row in book["departments"].iter_rows(values_only=True) for c in row]


def test_graph_svg_is_well_formed_with_control_characters_stored(client, auth, dirty):
    auth.login("coo@test.local")
    response = client.get("/dashboard/graph.svg")
    assert response.status_code == 200
    ET.fromstring(response.data)  # raises on a character XML cannot carry


FORMS = [
    # (url, data, the field that must name the character)
    ("/admin/departments/new", {"code": "ZZ", "name": "Bad\x01name", "kind": "internal"}, "name"),
    ("/admin/departments/new", {"code": "Z\x1fZ", "name": "Fine", "kind": "internal"}, "code"),
]


@pytest.mark.parametrize("url,data,field", FORMS)
def test_admin_forms_refuse_control_characters_naming_the_field(client, auth, org, url, data, field):
    auth.login()
    before = db.session.scalar(db.select(db.func.count(Department.id)))
    response = client.post(url, data=data)
    assert response.status_code in (200, 400)
    html = response.get_data(as_text=True)
    bad = next(ch for ch in data[field] if text.control_character(ch))
    assert f"U+{ord(bad):04X}" in html
    assert db.session.scalar(db.select(db.func.count(Department.id))) == before


def test_rating_comment_refuses_control_characters_but_keeps_line_breaks(client, auth, org):
    con = org.contracts[("IT", "WH")]
    auth.login("head.wh@test.local")
    from tests.rate.test_rate import answers

    refused = client.post(f"/rate/{con.id}", data=answers(comment="a\x0bb"))
    assert "U+000B" in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Rating.id))) == 0
    ok = client.post(f"/rate/{con.id}", data=answers(comment="line one\r\nline two\tend"))
    assert ok.status_code == 302
    assert "line two\tend" in db.session.scalar(db.select(Rating.comment))


def test_every_form_of_the_app_uses_the_shared_base():
    """A new form that forgets the rule fails here (the base class carries it)."""
    import importlib
    import pkgutil

    import tracker
    from flask_wtf import FlaskForm

    from tracker.forms import Form

    for info in pkgutil.walk_packages(tracker.__path__, "tracker."):
        importlib.import_module(info.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [c for c in subclasses(FlaskForm) if c.__module__.startswith("tracker.") and c is not Form]
    assert ours
    strays = [f"{c.__module__}.{c.__name__}" for c in ours if not issubclass(c, Form)]
    assert not strays, f"forms not built on tracker.forms.Form: {strays}"
