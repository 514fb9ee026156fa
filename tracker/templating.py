"""Template globals and filters shared by every page."""
from __future__ import annotations

from flask import Flask, current_app, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from . import formatting

ROLE_LABELS = {
    "admin": _l("Customer-experience office"),
    "coo": _l("COO"),
    "hr": _l("HR"),
    "head": _l("Department head"),
    "member": _l("Colleague"),
}

# (endpoint, label, roles); entries whose endpoint does not exist yet are skipped.
NAV_ITEMS = [
    ("rate.index", _l("Rate suppliers"), ("head", "member")),
    ("rate.feedback", _l("What our customers say"), ("head",)),
    ("dashboard.index", _l("Dashboard"), ("coo", "hr", "admin")),
    ("dashboard.departments", _l("Department figures"), ("coo", "hr", "admin", "head")),
    ("scorecard.index", _l("Scorecard"), ("coo", "hr", "admin")),
    ("followups.index", _l("Follow-ups"), ("head", "coo", "admin")),
    ("rotations.suggestions", _l("Rotation suggestions"), ("hr", "coo", "admin")),
    ("rotations.index", _l("Rotations"), ("hr", "coo", "admin", "head")),
    ("audit.index", _l("Audit log"), ("admin", "coo")),
    ("admin.index", _l("Admin"), ("admin",)),
    ("admin.periods", _l("Periods"), ("admin",)),
    ("admin.departments", _l("Departments"), ("admin",)),
    ("admin.contracts", _l("Agreements"), ("admin",)),
    ("admin.users", _l("Users"), ("admin",)),
    ("admin.imports", _l("Import"), ("admin",)),
    ("admin.exports", _l("Exports"), ("admin",)),
    ("admin.settings", _l("Settings"), ("admin",)),
    ("profile.tokens", _l("API tokens"), ("admin", "coo", "hr", "head", "member")),
]


def nav_items() -> list[tuple[str, str, tuple[str, ...]]]:
    """The navigation entries whose views are registered."""
    return [item for item in NAV_ITEMS if item[0] in current_app.view_functions]


def url_with(**changes) -> str:
    """The current page's URL with some query arguments changed (None removes one); for sorting and paging."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def health_band(health: float | None, target: float = 75.0, floor: float = 50.0) -> str:
    """``good`` (≥ target), ``warn`` (floor to target), ``bad`` (< floor) or ``none`` (unrated)."""
    if health is None:
        return "none"
    if health >= target:
        return "good"
    if health >= floor:
        return "warn"
    return "bad"


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        nav_items=nav_items, url_with=url_with, role_label=role_label, current_locale=lambda: str(get_locale() or "en"),
        health_band=health_band,
    )
    formatting.init_app(app)
