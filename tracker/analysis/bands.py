"""The health band: one rule for every colour, word and symbol of a health figure.

A figure (a contract's health, a link's health, a department's chain strength) falls in
one of four bands against the target and floor that apply to it: the agreement's own
target and floor where it sets them, else the organization's (product brief, "Analytics",
T and F). Tables, tooltips, the graph (static and interactive), history charts, exports
and the API all ask :func:`band`; nothing else compares a health with a target to pick a
colour or a word.

Plain data only: the words are English message ids, marked for extraction with a no-op
``_l`` so that the web layer translates them with ``gettext`` (see
``tracker.templating.band_word``).

Examples
--------
>>> band(83.3, 85.0, 50.0), band(83.3, 75.0, 50.0), band(None)
('warn', 'good', 'none')
>>> worst(["good", "warn", "none"])
'warn'
"""
from __future__ import annotations

from collections.abc import Iterable

__all__ = ["GOOD", "WARN", "BAD", "NONE", "BANDS", "BAND_WORDS", "BAND_SYMBOLS", "BAND_COLOURS",
           "band", "worst", "figure_band"]

GOOD, WARN, BAD, NONE = "good", "warn", "bad", "none"
#: Bands from worst to best; "none" (no value) says nothing about health and ranks last.
BANDS = (BAD, WARN, GOOD, NONE)


def _l(message: str) -> str:
    """Mark ``message`` for translation; the web layer translates it when shown."""
    return message


#: The word of each band (an English message id, translated where shown).
BAND_WORDS = {GOOD: _l("good"), WARN: _l("warning"), BAD: _l("critical"), NONE: _l("unrated")}
#: The symbol of each band: colour is never the only signal.
BAND_SYMBOLS = {GOOD: "✓", WARN: "!", BAD: "✗", NONE: "–"}
#: (line colour, light fill) of each band, CSS hex; the same in every chart and page.
BAND_COLOURS = {
    GOOD: ("#2e7d32", "#c8e6c9"),
    WARN: ("#ef8f00", "#ffe0b2"),
    BAD: ("#c62828", "#ffcdd2"),
    NONE: ("#8a8a8a", "#eeeeee"),
}

#: Default organization target T and floor F (points 0-100), as in ``analysis.period``.
_TARGET, _FLOOR = 75.0, 50.0


def band(value: float | None, target: float = _TARGET, floor: float = _FLOOR) -> str:
    """The band of ``value`` (points 0-100) against ``target`` and ``floor`` (points).

    Returns ``"good"`` (value ≥ target), ``"warn"`` (floor ≤ value < target), ``"bad"``
    (value < floor) or ``"none"`` (no value). Pass the agreement's own target and floor
    where it has them: a contract's severity in the analysis follows the same comparison
    (``warn`` ⇔ ``"warning"``, ``bad`` ⇔ ``"critical"``).
    """
    if value is None:
        return NONE
    if value >= target:
        return GOOD
    if value >= floor:
        return WARN
    return BAD


def figure_band(cf) -> str:
    """The band of a contract's figures (``ContractFigures``): its health against its own target and floor."""
    return band(cf.health, cf.target, cf.floor)


def worst(bands: Iterable[str]) -> str:
    """The worst of ``bands`` (bad, then warn, then good); ``"none"`` when there is none with a value."""
    found = set(bands)
    return next((b for b in BANDS if b in found), NONE)
