"""Follow-ups closed in time: the KPI of closing the feedback loop.

Pure functions; nothing here imports Flask or the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

__all__ = ["FollowUpRecord", "is_overdue", "on_time_rates"]


@dataclass(frozen=True, slots=True)
class FollowUpRecord:
    """What the formula needs of one follow-up: the owning (supplier) department and the dates."""

    department: str
    status: str
    due_date: date | None
    closed_on: date | None = None


def is_overdue(status: str, due_date: date | None, today: date) -> bool:
    """True when the follow-up is still open and its due date has passed (due today is not overdue).

    >>> is_overdue("open", date(2026, 1, 31), date(2026, 2, 1))
    True
    >>> is_overdue("done", date(2026, 1, 31), date(2026, 2, 1))
    False
    """
    return status == "open" and due_date is not None and due_date < today


def on_time_rates(records: Iterable[FollowUpRecord], today: date) -> dict[str, tuple[float | None, int]]:
    """Share of follow-ups closed in time per department: ``{code: (rate 0–1 or None, n)}``.

    A follow-up counts when it has a due date and its outcome is known: it is done
    (in time when closed on or before the due date), or it is still open past its due
    date (it can no longer be closed in time). Cancelled follow-ups, open ones not yet
    due and those without a due date do not count. ``n`` is the number that count;
    the rate is None when ``n`` is 0. Departments with no follow-up at all are absent.

    >>> recs = [FollowUpRecord("IT", "done", date(2026, 1, 31), date(2026, 1, 30)),
    ...         FollowUpRecord("IT", "done", date(2026, 1, 31), date(2026, 2, 2)),
    ...         FollowUpRecord("IT", "open", date(2026, 1, 31)),
    ...         FollowUpRecord("IT", "cancelled", date(2026, 1, 31), date(2026, 1, 2))]
    >>> on_time_rates(recs, date(2026, 3, 1))
    {'IT': (0.3333333333333333, 3)}
    """
    counted: dict[str, list[int]] = {}
    for rec in records:
        tally = counted.setdefault(rec.department, [0, 0])
        if rec.due_date is None or rec.status == "cancelled":
            continue
        if rec.status == "done" and rec.closed_on is not None:
            tally[1] += 1
            tally[0] += rec.closed_on <= rec.due_date
        elif is_overdue(rec.status, rec.due_date, today):
            tally[1] += 1
    return {code: (None if n == 0 else in_time / n, n) for code, (in_time, n) in sorted(counted.items())}
