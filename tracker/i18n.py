"""Locale selection for Flask-Babel: the user's own setting, the session switch, the browser, the organization."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import Flask, current_app, g, request, session
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from .extensions import babel
from .services import settings


def select_locale() -> str:
    """Return the locale for this request (``en`` or ``ru``).

    In order: the logged-in user's own setting (``User.locale``, set by the header switch),
    the session's switch (anonymous visitors), the browser's Accept-Language, then the
    organization's default (setting ``default_locale``), then the app's default.
    """
    supported = current_app.config["BABEL_SUPPORTED_LOCALES"]
    if getattr(current_user, "is_authenticated", False) and current_user.locale in supported:
        return current_user.locale
    if session.get("locale") in supported:
        return session["locale"]
    best = request.accept_languages.best_match(supported) if request else None
    return best or organization_locale()


def organization_locale() -> str:
    """The organization's default locale, or the app's when the setting cannot be read."""
    supported = current_app.config["BABEL_SUPPORTED_LOCALES"]
    try:
        # All settings in one select: the page's later reads of target and floor then cost no query.
        code = settings.all_settings()["default_locale"]
    except SQLAlchemyError:
        # An error page rendered while the database is unreachable still needs a language.
        code = None
    return code if code in supported else current_app.config["BABEL_DEFAULT_LOCALE"]


def _forget_cached_locale() -> None:
    # Flask-Babel caches the locale on ``g``; where an app context outlives one request (the
    # test suite, a CLI command that serves requests) the next request must choose afresh.
    g.pop("_flask_babel", None)


def compile_catalogs(app: Flask) -> None:
    """Compile every ``messages.po`` whose ``.mo`` is missing or older, so any install path serves every language.

    ``make`` compiles the catalogs, but ``pip install -r requirements.txt`` and
    ``gunicorn wsgi:app`` do not. The ``.mo`` is written beside its ``.po`` (a temporary
    file renamed into place, so workers starting together never read half a file); when
    that folder is read-only, into ``instance/translations``, which is then searched first.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    source = Path(app.root_path) / "translations"
    fallback = Path(app.instance_path) / "translations"
    for po_path in sorted(source.glob("*/LC_MESSAGES/*.po")):
        relative = po_path.relative_to(source).with_suffix(".mo")
        targets = [source / relative, fallback / relative]
        if any(t.exists() and t.stat().st_mtime >= po_path.stat().st_mtime for t in targets):
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=relative.parts[0])
        for target in targets:
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                with tempfile.NamedTemporaryFile("wb", dir=target.parent, delete=False, suffix=".tmp") as tmp:
                    write_mo(tmp, catalog)
                os.replace(tmp.name, target)
            except OSError:
                continue
            if target == targets[1]:
                directories = app.config.get("BABEL_TRANSLATION_DIRECTORIES", "translations").split(";")
                if str(fallback) not in directories:
                    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join([str(fallback), *directories])
            break


def init_app(app: Flask) -> None:
    """Compile the catalogs if needed and bind Flask-Babel with this locale selector."""
    compile_catalogs(app)
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(_forget_cached_locale)
