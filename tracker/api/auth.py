"""Authentication and role checks for the JSON API: 401 as JSON, never a redirect."""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import jsonify
from flask_login import current_user
from werkzeug.exceptions import Unauthorized

from ..auth.access import roles_required
from ..errors import render_error

__all__ = ["api_login_required", "api_roles_required", "unauthorized"]


def unauthorized():
    """A 401 JSON response asking for a bearer token (or a logged-in session)."""
    body, code, _headers = render_error(Unauthorized("Log in, or send an API token as 'Authorization: Bearer <token>'."))
    response = jsonify(body)
    response.status_code = code
    response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def api_login_required(view: Callable) -> Callable:
    """Let only authenticated users (session or bearer token) reach ``view``; else 401 JSON.

    Flask-Login's own ``login_required`` would redirect to the login page, which an API
    client cannot follow.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return unauthorized()
        return view(*args, **kwargs)

    return wrapped


def api_roles_required(*roles: str) -> Callable:
    """Like :func:`api_login_required`, and only users with one of ``roles`` (else 403 JSON)."""
    return roles_required(*roles, login=api_login_required)
