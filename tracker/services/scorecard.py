"""Load what the scorecard needs for a period and hand it to :mod:`tracker.analysis.scorecard`.

Views, exports, the review pack and the CLI call :func:`company_scorecard`; the figures come
from :func:`tracker.services.analysis.period_analysis` (the same ones the dashboard shows), the
targets from :func:`tracker.services.kpi.targets_for` (a closed period keeps its own).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..analysis import PeriodAnalysis
from ..analysis.compare import (
    CompanyPoint, DepartmentPoint, PeriodComparison, cluster_order, company_point, compare_periods, department_point,
)
from ..analysis.followups import FollowUpRecord, on_time_rates
from ..analysis.scorecard import DepartmentScorecard, company_scorecard as _company_scorecard, kpi_values
from ..extensions import db
from ..models import Contract, Department, FollowUp, Period
from . import analysis as analysis_service
from . import followups as followup_service
from . import kpi as kpi_service
from . import settings as settings_service

__all__ = ["CompanyScorecard", "analyses_until", "company_scorecard", "company_trend", "compare",
           "department_trend", "followups_acknowledged_on_time", "heatmap", "previous_period"]


@dataclass(frozen=True)
class CompanyScorecard:
    """The scorecard of a period: ``cards`` (one per department, by code), the period and the one before."""

    period: Period
    previous: Period | None
    cards: list[DepartmentScorecard]
    analysis: PeriodAnalysis
    small_sample: int

    def card(self, code: str) -> DepartmentScorecard | None:
        """The card of department ``code``, or None when it has no agreement in the period."""
        return next((c for c in self.cards if c.code == code), None)


def previous_period(period: Period) -> Period | None:
    """The period just before ``period`` (by start date), or None."""
    earlier = [p for p in analysis_service.known_periods() if p.start_date < period.start_date]
    return earlier[-1] if earlier else None


def followups_acknowledged_on_time(period: Period, today: date | None = None) -> dict[str, tuple[float | None, int]]:
    """Share of ``period``'s follow-ups that their supplier department acknowledged on time,
    ``{supplier code: (fraction 0–1 or None, n)}``.

    The one home of "acknowledged on time" for the scorecard: each follow-up's
    ``acknowledged_on_time`` from :func:`tracker.services.followups.due_status` (acknowledged on or
    before its acknowledge due date is on time; still open past it is late; not yet due or without a
    due date does not count), tallied by :func:`tracker.analysis.followups.on_time_rates`. One query.
    """
    today = today or date.today()
    rows = db.session.execute(
        select(Department.code, FollowUp)
        .join(Contract, FollowUp.contract_id == Contract.id)
        .join(Department, Contract.supplier_id == Department.id)
        .where(FollowUp.period_id == period.id)
    ).all()
    return on_time_rates(
        FollowUpRecord(code, followup_service.due_status(fu, today).acknowledged_on_time) for code, fu in rows)


def company_scorecard(period: Period | str, *, today: date | None = None) -> CompanyScorecard:
    """Every department × every KPI of ``period`` with targets, verdicts, change since the previous period and N.

    Raises
    ------
    LookupError
        ``period`` is a label no period has.
    """
    period = analysis_service.resolve_period(period)
    pa = analysis_service.period_analysis(period)
    values = kpi_values(pa, followups_acknowledged_on_time(period, today))
    before = previous_period(period)
    previous = None
    if before is not None:
        previous = kpi_values(analysis_service.period_analysis(before), followups_acknowledged_on_time(before, today))
    targets = kpi_service.targets_for(period)
    small = int(settings_service.get("small_sample"))
    names = {code: d.name for code, d in pa.departments.items()}
    cards = _company_scorecard(names, values, previous, targets.defaults, targets.overrides, small)
    return CompanyScorecard(period, before, cards, pa, small)


def analyses_until(period: Period | None = None) -> list[PeriodAnalysis]:
    """The analysis of every period up to ``period`` (default: all), oldest first."""
    periods = analysis_service.known_periods()
    if period is not None:
        periods = [p for p in periods if p.start_date <= period.start_date]
    return [analysis_service.period_analysis(p) for p in periods]


def company_trend(period: Period | None = None) -> list[CompanyPoint]:
    """Company figures (critical and weak links, mean health, NPS with N, response rate) per period, oldest first."""
    return [company_point(pa) for pa in analyses_until(period)]


def department_trend(code: str, period: Period | None = None) -> list[DepartmentPoint]:
    """What department ``code`` gives (as supplier) and gets (as customer) per period, oldest first."""
    return [department_point(pa, code) for pa in analyses_until(period)]


def compare(before: Period | str, after: Period | str) -> tuple[PeriodAnalysis, PeriodAnalysis, PeriodComparison]:
    """Two periods' analyses and their comparison (see :func:`tracker.analysis.compare.compare_periods`).

    Raises
    ------
    LookupError
        A label no period has.
    """
    a = analysis_service.period_analysis(before)
    b = analysis_service.period_analysis(after)
    return a, b, compare_periods(a, b)


def compare_graph(before: Period | str, after: Period | str) -> dict:
    """The dependency graph of ``after`` with each link's change since ``before``
    (:func:`tracker.analysis.view.compare_graph_view` over :func:`compare`'s result).

    Raises
    ------
    LookupError
        A label no period has.
    """
    from ..analysis.view import compare_graph_view

    a, b, result = compare(before, after)
    return compare_graph_view(a, b, result, analysis_service.divisions())


def heatmap(period: Period | str) -> tuple[PeriodAnalysis, list[str], list[str], dict[tuple[str, str], list]]:
    """Supplier × customer view of a period: the analysis, suppliers and customers in an order that
    shows clusters (:func:`tracker.analysis.compare.cluster_order`), and the agreements of each pair
    ``{(supplier, customer): [ContractFigures, …]}`` (cell health = link health, the lowest)."""
    pa = analysis_service.period_analysis(period)
    pairs: dict[tuple[str, str], list] = {}
    for cf in pa.contracts.values():
        pairs.setdefault((cf.contract.supplier, cf.contract.customer), []).append(cf)
    order = cluster_order({code for pair in pairs for code in pair}, pairs)
    suppliers = [c for c in order if any(s == c for s, _ in pairs)]
    customers = [c for c in order if any(cu == c for _, cu in pairs)]
    return pa, suppliers, customers, pairs
