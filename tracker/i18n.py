"""Locale selection for Flask-Babel: the user's setting, then the browser, then the organization."""
from __future__ import annotations

from flask import Flask, current_app, request, session
from flask_login import current_user

from .extensions import babel


def select_locale() -> str:
    """Return the locale for this request (``en`` or ``ru``)."""
    supported = current_app.config["BABEL_SUPPORTED_LOCALES"]
    if session.get("locale") in supported:
        return session["locale"]
    if getattr(current_user, "is_authenticated", False) and current_user.locale in supported:
        return current_user.locale
    best = request.accept_languages.best_match(supported) if request else None
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
