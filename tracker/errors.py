"""One error renderer for every HTTP error: HTML for pages, JSON for the API."""
from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db
from .security import is_safe_next


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(error: HTTPException):
    """Render ``error`` with its own status code."""
    if _wants_json():
        return {"error": {"code": error.code, "name": error.name, "message": error.description}}, error.code
    return render_template("errors/error.html", error=error), error.code


def render_csrf_error(error: CSRFError):
    """Give back what was typed with a fresh token instead of a bare 400 that loses a long comment.

    Login and logout are excluded: resending credentials or a logout from a stale page is
    not something to offer.
    """
    if _wants_json() or request.endpoint in ("auth.login", "auth.logout", None) or not request.form:
        return render_error(error)
    fields = [(name, value) for name, value in request.form.items(multi=True) if name != "csrf_token"]
    action = request.full_path.rstrip("?") if request.query_string else request.path
    if not is_safe_next(action):
        return render_error(error)
    return render_template("errors/csrf.html", fields=fields, action=action), 400


def _internal_error(error: Exception):
    # A failed transaction must not poison the next request on this connection.
    db.session.rollback()
    return render_error(InternalServerError())


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, render_csrf_error)
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(500, _internal_error)
