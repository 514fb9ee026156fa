"""Locale selection for Flask-Babel: the user's own setting, the session switch, the browser, the organization."""
from __future__ import annotations

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


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with this locale selector."""
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(_forget_cached_locale)
