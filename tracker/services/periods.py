"""Periods: create, open, close and reopen rating cycles (planned → open → closed).

Only one period is open at a time; a closed period is read-only until an admin reopens
it with a reason. Every function here validates, writes, records the audit row and
commits once, or raises :class:`PeriodError` having written nothing.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select

from ..extensions import db
from ..models import Contract, Period, Rating
from ..models.base import utcnow
from . import audit, followups, notifications
from . import kpi as kpi_service
from . import settings as settings_service
from .analysis import active_contracts_condition
from .messages import _

LABEL_PATTERN = re.compile(r"^(\d{4})-(?:Q([1-4])|(0[1-9]|1[0-2]))$")


class PeriodError(ValueError):
    """A period change is refused; ``errors`` maps a form field (``""`` for the whole form) to the reason."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in errors.items()))


@dataclass(frozen=True)
class ResponseRate:
    """Contracts active in a period and how many of them have at least one response in it."""

    responded: int
    active: int

    @property
    def rate(self) -> float | None:
        """Fraction 0–1, None when no contract is active in the period."""
        return self.responded / self.active if self.active else None


def dates_from_label(label: str) -> tuple[date, date] | None:
    """First and last day of a ``YYYY-Qn`` or ``YYYY-MM`` label, or None for any other label."""
    match = LABEL_PATTERN.match(label.strip())
    if not match:
        return None
    year, quarter, month = int(match[1]), match[2], match[3]
    if quarter:
        first_month = 3 * (int(quarter) - 1) + 1
        last_month = first_month + 2
    else:
        first_month = last_month = int(month)
    return date(year, first_month, 1), date(year, last_month, calendar.monthrange(year, last_month)[1])


def list_periods() -> list[Period]:
    """Every period, newest first (by start date)."""
    return list(db.session.scalars(select(Period).order_by(Period.start_date.desc(), Period.label.desc())))


def the_open_period() -> Period | None:
    """The open period, or None."""
    return db.session.scalar(select(Period).where(Period.status == "open").order_by(Period.start_date.desc()))


def response_rates(periods: list[Period] | None = None) -> dict[int, ResponseRate]:
    """``{period id: ResponseRate}`` for the given periods (default: all), in one query.

    A contract is active in a period when it is not archived and its dates (if any)
    overlap the period; it has responded when it has at least one rating (a scored
    rating or "no interaction") in that period.
    """
    active = active_contracts_condition(Period)
    stmt = (
        select(Period.id, func.count(Contract.id.distinct()), func.count(Rating.contract_id.distinct()))
        .select_from(Period)
        .join(Contract, active)
        .outerjoin(Rating, and_(Rating.contract_id == Contract.id, Rating.period_id == Period.id))
        .group_by(Period.id)
    )
    if periods is not None:
        stmt = stmt.where(Period.id.in_([p.id for p in periods]))
    rows = {pid: ResponseRate(responded=responded, active=total) for pid, total, responded in db.session.execute(stmt)}
    ids = [p.id for p in periods] if periods is not None else list(db.session.scalars(select(Period.id)))
    return {pid: rows.get(pid, ResponseRate(0, 0)) for pid in ids}


def create_period(label: str, start: date | None, end: date | None, *, actor_id: int | None = None) -> Period:
    """Create a planned period and commit.

    When the dates are left out and the label reads ``YYYY-Qn`` or ``YYYY-MM``, they are
    the quarter's or month's first and last day.

    Raises
    ------
    PeriodError
        Empty or duplicate label, missing dates, start after end, or dates overlapping
        another period (the message names it).
    """
    label = (label or "").strip()
    errors: dict[str, str] = {}
    if not label:
        errors["label"] = _("Give the period a label, e.g. 2026-Q4 or 2026-11.")
    elif len(label) > 32:
        errors["label"] = _("A label has at most 32 characters.")
    elif db.session.scalar(select(Period.id).where(Period.label == label)) is not None:
        errors["label"] = _("A period labelled %(label)s already exists.", label=label)
    if label and (start is None or end is None):
        derived = dates_from_label(label)
        if derived:
            start = start or derived[0]
            end = end or derived[1]
    if start is None:
        errors["start_date"] = _("Enter the first day of the period.")
    if end is None:
        errors["end_date"] = _("Enter the last day of the period.")
    if start and end and start > end:
        errors["end_date"] = _("The period cannot end before it starts.")
    if start and end and "end_date" not in errors:
        other = db.session.scalar(
            select(Period).where(Period.start_date <= end, Period.end_date >= start).order_by(Period.start_date)
        )
        if other is not None:
            errors["start_date"] = _(
                "These dates overlap period %(label)s (%(start)s – %(end)s).",
                label=other.label, start=other.start_date.isoformat(), end=other.end_date.isoformat(),
            )
    if errors:
        raise PeriodError(errors)
    period = Period(label=label, start_date=start, end_date=end, status="planned")
    db.session.add(period)
    db.session.flush()
    audit.record(
        "create", "period", period.id,
        {"label": [None, label], "start_date": [None, start], "end_date": [None, end], "status": [None, "planned"]},
        user_id=actor_id,
    )
    db.session.commit()
    return period


def _refuse_second_open(period: Period) -> None:
    current = the_open_period()
    if current is not None and current.id != period.id:
        raise PeriodError({"": _("Period %(label)s is open; close it before opening another.", label=current.label)})


def open_period(period: Period, *, actor_id: int | None = None) -> Period:
    """Open a planned period for ratings and commit.

    Raises
    ------
    PeriodError
        The period is not planned, or another period is open.
    """
    if period.status != "planned":
        raise PeriodError({"": _("Only a planned period can be opened; %(label)s is %(status)s.",
                                 label=period.label, status=status_word(period.status))})
    _refuse_second_open(period)
    period.status = "open"
    period.opened_at = utcnow()
    audit.record("open", "period", period.id, {"status": ["planned", "open"]}, user_id=actor_id)
    db.session.flush()
    notifications.period_opened(period)
    db.session.commit()
    return period


def close_period(period: Period, *, actor_id: int | None = None) -> Period:
    """Close an open period (it becomes read-only) and commit.

    Raises
    ------
    PeriodError
        The period is not open.
    """
    if period.status != "open":
        raise PeriodError({"": _("Only an open period can be closed; %(label)s is %(status)s.",
                                 label=period.label, status=status_word(period.status))})
    period.status = "closed"
    period.closed_at = utcnow()
    # A closed period is read-only: its analysis keeps the target and floor in force now.
    period.target, period.floor = settings_service.target(), settings_service.floor()
    kpi_service.snapshot(period)
    audit.record("close", "period", period.id, {"status": ["open", "closed"], "target": [None, period.target],
                                                "floor": [None, period.floor]}, user_id=actor_id)
    db.session.flush()
    # A critical weak link nobody followed up gets a follow-up now, before the period is history.
    followups.open_for_critical_at_close(period, actor_id=actor_id)
    db.session.commit()
    return period


def reopen_period(period: Period, reason: str, *, actor_id: int | None = None) -> Period:
    """Reopen a closed period, recording ``reason`` in the audit log, and commit.

    Raises
    ------
    PeriodError
        No reason given, the period is not closed, or another period is open.
    """
    reason = (reason or "").strip()
    if not reason:
        raise PeriodError({"reason": _("Say why the closed period must be reopened.")})
    if period.status != "closed":
        raise PeriodError({"": _("Only a closed period can be reopened; %(label)s is %(status)s.",
                                 label=period.label, status=status_word(period.status))})
    _refuse_second_open(period)
    audit.record("reopen", "period", period.id, {"status": ["closed", "open"], "target": [period.target, None],
                                                 "floor": [period.floor, None]}, reason=reason, user_id=actor_id)
    period.status = "open"
    period.closed_at = None
    period.target = period.floor = None
    period.kpi_targets = None
    db.session.commit()
    return period


def status_word(status: str) -> str:
    """The period status as the reader's word (planned, open, closed)."""
    words = {"planned": _("planned"), "open": _("open"), "closed": _("closed")}
    return words.get(status, status)


def create_periods(new: list[tuple[str, date, date, str]], *, actor_id: int | None, now) -> dict[str, int]:
    """Create many periods ``(label, start, end, status)`` in the session (an import; the caller commits).

    Return ``{label: id}`` of every period. A period created ``open`` or ``closed`` is
    opened (and closed) at ``now``; each is audited as :func:`create_period` audits one.
    """
    table = Period.__table__
    if new:
        db.session.execute(table.insert(), [
            {"label": label, "start_date": start, "end_date": end, "status": status,
             "opened_at": now if status != "planned" else None, "closed_at": now if status == "closed" else None,
             "created_at": now, "updated_at": now} for label, start, end, status in new])
    ids = dict(db.session.execute(select(table.c.label, table.c.id)).all())
    audit.record_many("create", "period", (
        (ids[label], {"label": [None, label], "start_date": [None, start], "end_date": [None, end],
                      "status": [None, status]}) for label, start, end, status in new), at=now, user_id=actor_id)
    return ids
