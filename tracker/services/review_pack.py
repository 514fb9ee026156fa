"""Everything the review pack for the feedback meeting shows, loaded for one period.

Reads only. The figures are those of :func:`tracker.services.analysis.period_analysis` and
:func:`tracker.services.scorecard.company_scorecard` — the same the dashboard and the
scorecard show. A fixed number of queries whatever the size of the organization (the
analysis of two periods, the scorecard, owners, follow-ups and comments of the top links).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from ..analysis import PeriodAnalysis, WeakLink
from ..analysis.compare import CompanyPoint, PeriodComparison, company_point, compare_periods
from ..extensions import db
from ..models import Department, FollowUp, Period, Rating, User
from . import analysis as analysis_service
from . import followups as followup_service
from . import scorecard as scorecard_service

__all__ = ["TOP", "WeakLinkEntry", "ReviewPack", "review_pack"]

#: How many weak links and movers the pack lists.
TOP = 10


@dataclass(frozen=True)
class WeakLinkEntry:
    """A weak link with its owner (the follow-up's, else the supplier's heads), follow-up and customers' comments."""

    link: WeakLink
    contract_id: int
    owners: list[str]
    follow_up: FollowUp | None
    comments: list[str]


@dataclass(frozen=True)
class ReviewPack:
    """The pack's content (see :func:`review_pack`)."""

    period: Period
    previous: Period | None
    analysis: PeriodAnalysis
    headline: CompanyPoint
    departments: int
    weak_links: list[WeakLinkEntry]
    movers: PeriodComparison | None
    overdue: list[FollowUp]
    scorecard: scorecard_service.CompanyScorecard
    trend: list[CompanyPoint] = field(default_factory=list)


def review_pack(period: Period | str, *, today: date | None = None, top: int = TOP) -> ReviewPack:
    """Load the review pack of ``period``.

    Raises
    ------
    LookupError
        ``period`` is a label no period has.
    """
    today = today or date.today()
    period = analysis_service.resolve_period(period)
    board = scorecard_service.company_scorecard(period, today=today)
    pa = board.analysis
    previous = board.previous
    movers = None
    if previous is not None:
        movers = compare_periods(analysis_service.period_analysis(previous), pa, top=top)
    top_links = pa.weak_links[:top]
    ids = [w.contract.id for w in top_links]
    owners: dict[str, list[str]] = {}
    suppliers = {w.contract.supplier for w in top_links}
    for code, name, email in db.session.execute(
        select(Department.code, User.name, User.email).join(User, User.department_id == Department.id)
        .where(Department.code.in_(suppliers), User.role == "head", User.archived_at.is_(None))
        .order_by(User.name, User.email)
    ):
        owners.setdefault(code, []).append(f"{name} <{email}>" if name else email)
    follow_ups = {fu.contract_id: fu for fu in db.session.scalars(
        select(FollowUp).where(FollowUp.contract_id.in_(ids), FollowUp.period_id == period.id)
        .order_by(FollowUp.id))}
    comments: dict[int, list[str]] = {}
    for cid, text in db.session.execute(
        select(Rating.contract_id, Rating.comment).where(
            Rating.contract_id.in_(ids), Rating.period_id == period.id, Rating.comment.is_not(None),
            Rating.comment != "").order_by(Rating.id)
    ):
        comments.setdefault(cid, []).append(text)
    def owners_of(w: WeakLink) -> list[str]:
        # The follow-up's owner answers for the link; without one, the supplier department's heads.
        fu = follow_ups.get(w.contract.id)
        if fu is not None and fu.owner is not None:
            return [f"{fu.owner.name} <{fu.owner.email}>" if fu.owner.name else fu.owner.email]
        return owners.get(w.contract.supplier, [])

    entries = [WeakLinkEntry(w, w.contract.id, owners_of(w), follow_ups.get(w.contract.id),
                             comments.get(w.contract.id, [])) for w in top_links]
    overdue = followup_service.list_follow_ups(today=today, overdue=True)
    linked = {code for cf in pa.contracts.values() for code in (cf.contract.supplier, cf.contract.customer)}
    departments = sum(1 for d in pa.departments.values() if d.kind == "internal" and d.code in linked)
    return ReviewPack(period, previous, pa, company_point(pa), departments, entries, movers, overdue, board,
                      scorecard_service.company_trend(period))


