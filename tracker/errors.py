"""One error renderer for every HTTP error: HTML for pages, JSON for the API."""
from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError, NotFound
from werkzeug.routing import IntegerConverter

from .extensions import db
from .security import is_safe_next


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _error_headers(error: HTTPException) -> list[tuple[str, str]]:
    """The headers the error itself carries (``Allow`` of a 405, ``WWW-Authenticate``, ``Retry-After``…).

    Werkzeug puts them on the error's own response; a rendered page must keep them (RFC 9110
    requires ``Allow`` on a 405). The content type is the renderer's.
    """
    return [(name, value) for name, value in error.get_headers(request.environ) if name.lower() != "content-type"]


def render_error(error: HTTPException):
    """Render ``error`` with its own status code and its own headers."""
    headers = _error_headers(error)
    if _wants_json():
        return {"error": {"code": error.code, "name": error.name, "message": error.description}}, error.code, headers
    hide_header_forms = isinstance(error, CSRFError) and not current_user.is_authenticated
    return (render_template("errors/error.html", error=error, hide_header_forms=hide_header_forms), error.code,
            headers)


def _same_origin() -> bool:
    """True when the browser says the refused POST came from one of our own pages.

    Only then may the typed input come back with a fresh token: a page of another origin
    (even on the same site, e.g. another port or intranet app) must not get a one-click
    way past the CSRF check. Browsers send ``Sec-Fetch-Site``; older ones at least ``Origin``.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("Origin")
    return origin is not None and origin.rstrip("/") == request.host_url.rstrip("/")


def render_csrf_error(error: CSRFError):
    """Give back what was typed with a fresh token instead of a bare 400 that loses a long comment.

    Only for a logged-in user's form sent from our own origin (see :func:`_same_origin`).
    Login and logout are excluded: resending credentials or a logout from a stale page is
    not something to offer.
    """
    if (_wants_json() or request.endpoint in ("auth.login", "auth.logout", None) or not request.form
            or not current_user.is_authenticated or not _same_origin()):
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


# The largest value a 64-bit signed integer column holds; a bigger id cannot name a row.
MAX_DB_INT = 2**63 - 1


def _overflow(error: OverflowError):
    """A number too big for the database driver: no such row (404), or a bad query parameter (400).

    SQLite's driver raises ``OverflowError`` for an integer beyond 64 bits, e.g.
    ``/dashboard/contracts/99999999999999999999``; that is the user's typo, not a server fault.
    """
    db.session.rollback()
    view_args = request.view_args or {}
    if any(isinstance(value, int) and abs(value) > MAX_DB_INT for value in view_args.values()):
        return render_error(NotFound())
    return render_error(BadRequest(description=_("A number in the request is too large.")))


def _data_error(error: DataError):
    """A value the database refuses (e.g. PostgreSQL's ``integer out of range``) is the request's fault."""
    db.session.rollback()
    return render_error(BadRequest(description=_("A value in the request is out of range.")))


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` that matches only ids a 32-bit integer column can hold, so a huge id is a plain 404.

    Both databases then see only ids they can compare (PostgreSQL's ``integer`` stops at 2**31 − 1).
    """

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, render_csrf_error)
    app.register_error_handler(DataError, _data_error)
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(OverflowError, _overflow)
    app.register_error_handler(500, _internal_error)
