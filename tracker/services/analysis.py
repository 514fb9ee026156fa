"""Load one period from the database and hand it to :func:`tracker.analysis.analyze`.

The views, the JSON API and the ``flask analyze`` command all call
:func:`period_analysis`; it reads with a fixed number of queries whatever the
size of the organization (one each for the period, departments, contracts,
ratings, period labels and settings).
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from .. import analysis
from ..extensions import db
from ..models import Contract, Department, Period, Rating, Service, Setting
from . import data_version
from . import settings as settings_service

__all__ = ["active_contracts_condition", "load_ratings", "period_bounds", "period_labels", "shown_departments_condition", "current_period", "known_periods", "period_analysis", "resolve_period"]


def known_periods() -> list[Period]:
    """Every period, oldest first (by start date, then end date, then label)."""
    return list(db.session.scalars(select(Period).order_by(Period.start_date, Period.end_date, Period.label)))


def current_period() -> Period | None:
    """The period to show by default: the open one (latest if several), else the latest closed, else the latest."""
    periods = known_periods()
    for status in ("open", "closed"):
        matching = [p for p in periods if p.status == status]
        if matching:
            return matching[-1]
    return periods[-1] if periods else None


def resolve_period(period: Period | str) -> Period:
    """Return the :class:`Period` for a period or a label.

    Raises
    ------
    LookupError
        No period has that label; the message lists the known labels, oldest first.
    """
    if isinstance(period, Period):
        return period
    label = str(period).strip()
    found = db.session.scalar(select(Period).where(Period.label == label))
    if found is None:
        labels = [p.label for p in known_periods()]
        known = ", ".join(labels) if labels else "none yet"
        raise LookupError(f"unknown period {label!r}; known periods: {known}")
    return found


def active_contracts_condition(period: Period | type[Period] = Period):
    """SQL condition for :meth:`Contract.is_active_in`: the contract is active in ``period``.

    Dates (if any) overlap the period, and the contract is not archived — but a closed
    period is read-only: there a contract archived after the close still counts and one
    created after the close does not. ``period`` is a loaded :class:`Period`, or the
    ``Period`` class itself for a query that joins periods (the condition then uses its columns).
    """
    overlap = and_(
        or_(Contract.start_date.is_(None), Contract.start_date <= period.end_date),
        or_(Contract.end_date.is_(None), Contract.end_date >= period.start_date),
    )
    if isinstance(period, Period):
        closed_at = period.closed_at if period.is_closed else None
        if closed_at is None:
            return and_(overlap, Contract.archived_at.is_(None))
        return and_(overlap, Contract.created_at <= closed_at,
                    or_(Contract.archived_at.is_(None), Contract.archived_at > closed_at))
    closed = and_(Period.status == "closed", Period.closed_at.is_not(None))
    return and_(overlap, or_(
        and_(~closed, Contract.archived_at.is_(None)),
        and_(closed, Contract.created_at <= Period.closed_at,
             or_(Contract.archived_at.is_(None), Contract.archived_at > Period.closed_at)),
    ))


def shown_departments_condition(period: Period):
    """SQL condition for :meth:`Department.is_shown_in`: not archived, or archived after ``period`` closed."""
    closed_at = period.closed_at if period.is_closed else None
    if closed_at is None:
        return Department.archived_at.is_(None)
    return or_(Department.archived_at.is_(None), Department.archived_at > closed_at)


# Analyses computed in this process, by (database, period, data version token); the newest last.
_CACHE: OrderedDict[tuple[str, str, str], analysis.PeriodAnalysis] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 6


def period_analysis(period: Period | str, *, use_cache: bool = True) -> analysis.PeriodAnalysis:
    """Analyse one period: every figure of the product brief for the contracts active in it.

    The result is computed once per state of the data (:mod:`.data_version`) and kept in this
    process, so the pages, the API and the charts of one period share one computation until a
    rating, agreement, department, period or setting changes; callers must not modify it.
    ``use_cache=False`` computes afresh (the benchmark's cold figure).

    Departments are those shown in the period (not archived, or archived after a closed
    period closed) plus any archived one that still has an active contract in the period;
    ratings are those of the active contracts in this period and the earlier ones that give
    stale health and trends (:func:`tracker.analysis.periods_read`). Target and floor are those stored
    with a closed period when it closed, else the organization settings.

    Raises
    ------
    LookupError
        ``period`` is a label no period has (the message lists the known labels).
    """
    period = resolve_period(period)
    token = data_version.current() if use_cache else None
    if token is None:
        return _compute(period)
    key = (db.engine.url.render_as_string(hide_password=True), period.label, token)
    with _CACHE_LOCK:
        found = _CACHE.get(key)
        if found is not None:
            _CACHE.move_to_end(key)
            return found
    result = _compute(period)
    with _CACHE_LOCK:
        _CACHE[key] = result
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return result


def _compute(period: Period) -> analysis.PeriodAnalysis:
    """Load ``period`` with a fixed number of queries and analyse it (no cache)."""
    active = active_contracts_condition(period)
    supplier = aliased(Department)
    customer = aliased(Department)

    contract_rows = db.session.execute(
        select(
            Contract.id, supplier.code, customer.code, Service.name,
            Contract.criticality, Contract.target, Contract.floor,
        )
        .join(supplier, Contract.supplier_id == supplier.id)
        .join(customer, Contract.customer_id == customer.id)
        .join(Service, Contract.service_id == Service.id)
        .where(active)
    ).all()
    contracts = [
        analysis.Contract(cid, sup, cus, service, criticality,
                          None if target is None else float(target), None if floor is None else float(floor))
        for cid, sup, cus, service, criticality, target, floor in contract_rows
    ]

    parties = select(Contract.supplier_id).where(active).union(select(Contract.customer_id).where(active))
    departments = [
        analysis.Department(code, name, kind)
        for code, name, kind in db.session.execute(
            select(Department.code, Department.name, Department.kind).where(
                or_(shown_departments_condition(period), Department.id.in_(parties))
            )
        )
    ]

    labels = period_labels(period)
    # Only the periods whose ratings can change a figure (the trend's and the stale look-back's):
    # a long history would otherwise be read whole on every page.
    ratings = load_ratings(select(Contract.id).where(active), analysis.periods_read(period.label, labels))
    target, floor = period_bounds(period)
    return analysis.analyze(departments, contracts, ratings, period.label, labels, target=target, floor=floor)


def period_labels(period: Period) -> list[str]:
    """Labels of ``period`` and every period that starts before it, oldest first."""
    labels = list(db.session.scalars(
        select(Period.label).where(Period.start_date <= period.start_date)
        .order_by(Period.start_date, Period.end_date, Period.label)
    ))
    if period.label not in labels:  # pragma: no cover - the period itself always qualifies
        labels.append(period.label)
    return labels


def load_ratings(contract_ids, labels) -> list[analysis.Rating]:
    """The ratings of ``contract_ids`` (ids or a select of them) in the periods ``labels``, as analysis records.

    The one rating loader of the analysis: the period analysis and the feedback page both read with it.
    """
    # The largest read: plain rows from the session's connection (no ORM result processing),
    # one record each, with positional arguments.
    Record = analysis.Rating
    return [
        Record(cid, label, health, recommend, standard_met, bool(no_interaction))
        for cid, label, health, recommend, standard_met, no_interaction in db.session.connection().execute(
            select(Rating.contract_id, Period.label, Rating.health, Rating.recommend,
                   Rating.standard_met, Rating.no_interaction)
            .join(Period, Rating.period_id == Period.id)
            .where(Rating.contract_id.in_(contract_ids), Period.label.in_(list(labels)))
        )
    ]


def period_bounds(period: Period) -> tuple[float, float]:
    """``(target, floor)`` in points 0–100 for ``period``: those it closed with, else the organization's settings."""
    stored = dict(db.session.execute(
        select(Setting.key, Setting.value).where(Setting.key.in_(("target", "floor")))
    ).all())
    target = float(stored.get("target", settings_service.DEFAULTS["target"]))
    floor = float(stored.get("floor", settings_service.DEFAULTS["floor"]))
    if period.is_closed and period.target is not None:
        target = float(period.target)
    if period.is_closed and period.floor is not None:
        floor = float(period.floor)
    return target, floor


def divisions() -> dict[str, tuple[str, str]]:
    """``{department code: (division code, division name)}``: each department's parent (one query).

    The graph groups departments by it; a department without a parent is in no division.
    """
    parent = aliased(Department)
    return {code: (pcode, pname) for code, pcode, pname in db.session.execute(
        select(Department.code, parent.code, parent.name).join(parent, Department.parent_id == parent.id))}
