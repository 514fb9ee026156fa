"""Follow-ups closed in time: the KPI of closing the feedback loop.

Pure functions; nothing here imports Flask or the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["FollowUpRecord", "on_time_rates"]


@dataclass(frozen=True, slots=True)
class FollowUpRecord:
    """What the formula needs of one follow-up: the owning (supplier) department and its outcome.

    ``in_time`` is True when it was resolved on or before its resolve due date, False when
    resolved late or still unresolved past that date, None when the outcome is not known yet
    (not due, closed without action, no due date). The services decide it
    (:func:`tracker.services.followups.due_status`).
    """

    department: str
    in_time: bool | None


def on_time_rates(records: Iterable[FollowUpRecord]) -> dict[str, tuple[float | None, int]]:
    """Share of follow-ups resolved in time per department: ``{code: (rate 0–1 or None, n)}``.

    ``n`` counts the records whose outcome is known; the rate is None when ``n`` is 0.
    Departments with no follow-up at all are absent.

    >>> on_time_rates([FollowUpRecord("IT", True), FollowUpRecord("IT", False), FollowUpRecord("IT", False),
    ...                FollowUpRecord("IT", None), FollowUpRecord("WH", None)])
    {'IT': (0.3333333333333333, 3), 'WH': (None, 0)}
    """
    counted: dict[str, list[int]] = {}
    for rec in records:
        tally = counted.setdefault(rec.department, [0, 0])
        if rec.in_time is None:
            continue
        tally[1] += 1
        tally[0] += rec.in_time
    return {code: (None if n == 0 else in_time / n, n) for code, (in_time, n) in sorted(counted.items())}
