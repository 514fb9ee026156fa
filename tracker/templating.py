"""Template globals and filters shared by every page."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, request, url_for
from flask_babel import get_locale
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from . import analysis, formatting

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
    ("network.index", _l("Informal network"), ("coo", "admin")),
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
    # API tokens: in the user's menu beside Profile (templates/base.html).
]


ALL_ROLES = ("admin", "coo", "hr", "head", "member")

# Entries a role finds under "More" rather than in the bar: the bar holds one row at 1280 px
# in English and Russian (issue #17), so each role keeps only its daily pages in view.
NAV_MORE = {
    # every department's figures are a click away on the dashboard and the agreement pages
    "dashboard.departments": ALL_ROLES,
    "scorecard.index": ("admin",),
    "network.index": ALL_ROLES,
    "followups.index": ("admin",),
    "rotations.suggestions": ("coo", "admin"),
    "rotations.index": ("coo", "admin", "head", "hr"),
    "audit.index": ALL_ROLES,
    "admin.periods": ALL_ROLES,
    "admin.departments": ALL_ROLES,
    "admin.contracts": ALL_ROLES,
    "admin.users": ALL_ROLES,
    "admin.imports": ALL_ROLES,
    "admin.exports": ALL_ROLES,
    "admin.settings": ALL_ROLES,
}


def nav_items() -> list[tuple[str, str, tuple[str, ...]]]:
    """The navigation entries whose views are registered."""
    return [item for item in NAV_ITEMS if item[0] in current_app.view_functions]


def nav_menu(role: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The (endpoint, label) entries ``role`` may open: those shown in the bar, and those under "More"."""
    bar, more = [], []
    for endpoint, label, roles in nav_items():
        if role in roles:
            (more if role in NAV_MORE.get(endpoint, ()) else bar).append((endpoint, label))
    return bar, more


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


#: The band rule, for templates; it lives in :func:`tracker.analysis.band`.
health_band = analysis.band


def band_word(band: str) -> str:
    """The word of a health band (``good``, ``warning``, ``critical``, ``unrated``), translated."""
    return gettext(analysis.BAND_WORDS[band])


def band_symbol(band: str) -> str:
    """The symbol of a health band (✓ ! ✗ –): colour is never the only signal."""
    return analysis.BAND_SYMBOLS[band]


@dataclass
class Health:
    """A health figure as a page shows it: value (points 0–100), band, word and symbol.

    The band comes from :func:`tracker.analysis.band` against the target and floor that apply
    (the agreement's own where it sets them). ``last_health``/``last_period`` say where an
    unrated agreement was when it was last rated.
    """

    value: float | None
    band: str
    stale: bool = False
    delta: float | None = None
    declining: bool = False
    own_target: float | None = None
    own_floor: float | None = None
    last_health: float | None = None
    last_period: str | None = None
    last_band: str = "none"

    @classmethod
    def of(cls, value: float | None, target: float, floor: float, stale: bool = False, **more) -> Health:
        """The figure of ``value`` banded against ``target`` and ``floor`` (points)."""
        return cls(value, analysis.band(value, target, floor), stale, **more)

    @classmethod
    def of_figures(cls, cf) -> Health:
        """The figure of a contract's ``analysis.ContractFigures``, banded by its own target and floor."""
        return cls(cf.health, analysis.figure_band(cf), cf.stale, cf.delta, cf.declining, cf.contract.target,
                   cf.contract.floor, cf.last_health, cf.last_period,
                   analysis.band(cf.last_health, cf.target, cf.floor))

    @property
    def health(self) -> float | None:
        """The value under its older name (the rating pages say ``health``)."""
        return self.value

    @property
    def note(self) -> str:
        """``(target 80)`` when the band follows the agreement's own target/floor, else ``""``."""
        return formatting.own_bounds_note(self.own_target, self.own_floor)

    @property
    def word(self) -> str:
        return band_word(self.band)

    @property
    def symbol(self) -> str:
        return band_symbol(self.band)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        nav_items=nav_items, nav_menu=nav_menu, url_with=url_with, role_label=role_label, current_locale=lambda: str(get_locale() or "en"),
        health_band=health_band, band_word=band_word, band_symbol=band_symbol,
    )
    formatting.init_app(app)
