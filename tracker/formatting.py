"""Locale-aware Jinja filters: health points, percentages, numbers and dates in the reader's format.

``58.3333|health`` is ``58.3`` in English and ``58,3`` in Russian; ``0.42|pct`` is ``42%`` and
``42 %``; ``1234.5|num`` is ``1,234.5`` and ``1 234,5``; ``date|date`` follows the locale's
medium format. ``None`` prints as an en dash so an unrated figure never reads as zero.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, format_percent, get_locale
from flask_babel import gettext as _

from tracker.analysis import round_half_away

__all__ = ["rounded", "health", "points", "risk", "nps", "count", "pct", "num", "signed", "date_filter",
           "datetime_filter", "criterion_name", "own_bounds_note", "init_app"]

# One rule for each kind of figure, on every page (issue 17: risk read "1,013" on one page and
# "1012.5" on another):
#
# - health points (0–100): one decimal, always ............................. :func:`health`  58.3
# - risk ((target − health) × criticality × reach): one decimal at most, grouped  :func:`risk`  1,012.5
# - NPS (−100 … +100): a whole number with its sign, halves away from zero . :func:`nps`     −25
# - percentages (response rate, CSAT, standard met): whole percent ......... :func:`pct`     42%
# - counts (agreements, ratings, people): whole, grouped ................... :func:`count`   1,204
# - a change of points: sign and one decimal ............................... :func:`signed`  +4.2

MISSING = "–"


def rounded(value: float, digits: int = 0) -> float:
    """``value`` rounded to ``digits`` decimals, halves away from zero (PRODUCT.md), never ``-0.0``.

    Babel and ``round`` both round halves to even (31.25 → 31.2 but 18.75 → 18.8), so every
    figure goes through this before it is formatted.
    """
    return round_half_away(float(value), digits) + 0.0  # + 0.0 turns -0.0 into 0.0


def health(value: float | None) -> str:
    """Health points (0–100) with one decimal, e.g. ``58.3`` / ``58,3``; ``–`` for None."""
    if value is None:
        return MISSING
    return format_decimal(rounded(value, 1), format="#,##0.0")


def points(value: float) -> str:
    """Points, one decimal at most, no grouping (the dashboard's style): ``58.3`` / ``58,3``, ``45``, ``2400``."""
    value = rounded(value, 1)
    return format_decimal(value, format="0.#")


def risk(value: float | None) -> str:
    """A risk, one decimal at most, grouped: ``1,012.5`` / ``1 012,5``, ``48``; ``–`` for None."""
    if value is None:
        return MISSING
    return format_decimal(rounded(value, 1), format="#,##0.#")


def nps(value: float | None) -> str:
    """An NPS as a whole number with its sign, halves away from zero: ``+13``, ``−25`` (a true minus), ``0``.

    ``–`` for None (no answers).
    """
    if value is None:
        return MISSING
    whole = int(rounded(value, 0))
    return f"+{whole}" if whole > 0 else f"\u2212{-whole}" if whole < 0 else "0"


def count(value: int | None) -> str:
    """A count, whole and grouped: ``1,204`` / ``1 204``; ``–`` for None."""
    if value is None:
        return MISSING
    return format_decimal(int(value), format="#,##0")


def signed(value: float | None, digits: int = 1) -> str:
    """A change with its sign and ``digits`` decimals, e.g. ``+4.2`` / ``-21,9``; ``–`` for None."""
    if value is None:
        return MISSING
    value = rounded(value, digits)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    text = format_decimal(abs(value), format=pattern)
    if value > 0:
        return "+" + text
    if value < 0:
        return "-" + text
    return text


def pct(value: float | None, digits: int = 0, *, ratio: bool = True) -> str:
    """A percentage in the locale's format: ``0.42`` → ``42%`` / ``42 %``.

    ``ratio=False`` takes a value already in percent (``42.0`` → ``42%``); ``digits`` decimals.
    """
    if value is None:
        return MISSING
    percent = float(value) * 100 if ratio else float(value)
    fraction = rounded(percent, digits) / 100
    # The locale's own pattern ("#,##0%" in English, "#,##0 %" in Russian) with the decimals asked for.
    pattern = get_locale().percent_formats[None].pattern
    if digits:
        pattern = pattern.replace("0", "0." + "0" * digits, 1) if "." not in pattern else pattern
    return format_percent(fraction, format=pattern)


def num(value: float | int | None, digits: int | None = None) -> str:
    """A number with the locale's grouping and decimal sign; ``digits`` fixes the decimals."""
    if value is None:
        return MISSING
    if digits is None:
        return format_decimal(rounded(value, 3) if isinstance(value, float) else value)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(rounded(value, digits), format=pattern)


def own_bounds_note(target: float | None, floor: float | None) -> str:
    """``(target 80)``, ``(floor 60)`` or ``(target 80, floor 60)`` for an agreement with its own bounds; ``""`` else.

    A health band next to such an agreement follows its own target/floor, not the legend's.
    """
    if target is None and floor is None:
        return ""
    if floor is None:
        return _("(target %(target)s)", target=points(target))
    if target is None:
        return _("(floor %(floor)s)", floor=points(floor))
    return _("(target %(target)s, floor %(floor)s)", target=points(target), floor=points(floor))


def criterion_name(criterion: Any) -> str:
    """A rating criterion's name in the reader's language: ``name_ru`` in Russian when set, else ``name``."""
    if str(get_locale() or "en") == "ru" and getattr(criterion, "name_ru", None):
        return criterion.name_ru
    return criterion.name


def date_filter(value: date | datetime | None, fmt: str = "medium") -> str:
    """A date in the locale's format (``short``, ``medium``, ``long`` or a CLDR pattern)."""
    if value is None:
        return MISSING
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, format=fmt)


def datetime_filter(value: datetime | None, fmt: str = "short") -> str:
    """A moment in the locale's format, in the app's time zone."""
    if value is None:
        return MISSING
    return format_datetime(value, format=fmt)


def init_app(app: Flask) -> None:
    """Register the filters on the app's Jinja environment."""
    filters: dict[str, Any] = {
        "health": health, "signed": signed, "pct": pct, "num": num, "risk": risk, "nps": nps, "count": count,
        "date": date_filter, "datetime": datetime_filter, "criterion_name": criterion_name,
    }
    app.jinja_env.filters.update(filters)
