"""One error renderer for every HTTP error: HTML for pages, JSON for the API."""
from __future__ import annotations

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(error: HTTPException):
    """Render ``error`` with its own status code."""
    if _wants_json():
        return {"error": {"code": error.code, "name": error.name, "message": error.description}}, error.code
    return render_template("errors/error.html", error=error), error.code


def _internal_error(error: Exception):
    # A failed transaction must not poison the next request on this connection.
    db.session.rollback()
    return render_error(InternalServerError())


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(500, _internal_error)
