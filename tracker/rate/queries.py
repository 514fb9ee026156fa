"""What the rating pages read: the contracts a user may rate, their ratings, health and trend.

Every loader runs a fixed number of queries whatever the size of the organization.
Health, trend, NPS and CSAT come from :mod:`tracker.analysis`; nothing here re-implements a formula.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from .. import analysis
from ..extensions import db
from ..models import FOLLOW_UP_FINAL, Contract, ContractRespondent, Department, FollowUp, Period, Rating, User
from ..services import analysis as analysis_service
from ..templating import Health


@dataclass
class FeedbackRow:
    """What the customers of one contract said in one period."""

    contract: Contract
    figure: Health
    nps: float | None
    nps_n: int
    csat: float | None
    comments: list[str] = field(default_factory=list)
    history: list[Health | None] = field(default_factory=list)


def rateable_contracts(user: User, period: Period) -> list[Contract]:
    """Contracts ``user`` rates in ``period``: a head every active one of the department as customer,
    a member those the head added them to. Supplier and service are loaded."""
    query = (
        select(Contract)
        .options(joinedload(Contract.supplier), joinedload(Contract.service), joinedload(Contract.customer))
        .where(Contract.customer_id == user.department_id, analysis_service.active_contracts_condition(period))
    )
    if user.role != "head":
        query = query.join(ContractRespondent, ContractRespondent.contract_id == Contract.id).where(
            ContractRespondent.user_id == user.id)
    contracts = db.session.scalars(query).unique().all()
    return sorted(contracts, key=lambda c: (c.supplier.name.lower(), c.service.name.lower(), c.id))


def may_rate(user: User, contract: Contract) -> bool:
    """True when ``contract`` is one ``user`` may rate: the customer is their department and, for a
    member, the head added them as a respondent."""
    if user.department_id is None or contract.customer_id != user.department_id or contract.is_archived:
        return False
    if user.role == "head":
        return True
    return db.session.scalar(
        select(ContractRespondent.id).filter_by(contract_id=contract.id, user_id=user.id)) is not None


def respondent_key(user: User) -> str:
    """The respondent key of a logged-in user's ratings: their e-mail in lower case."""
    return user.email.strip().lower()


def own_ratings(user: User, period: Period, contract_ids: list[int]) -> dict[int, Rating]:
    """The user's ratings of these contracts in ``period``, scores loaded, keyed by contract id.

    A head also gets the blank-respondent rating (key ``""``, as an import stores "the customer
    head") of a contract their department is the customer of, when they have none of their own:
    saving edits that rating rather than adding a second one (see :func:`respondent_keys`).
    """
    if not contract_ids:
        return {}
    keys = [respondent_key(user)] + ([""] if user.role == "head" and user.department_id is not None else [])
    rows = db.session.scalars(
        select(Rating).options(selectinload(Rating.scores), selectinload(Rating.contract))
        .where(Rating.period_id == period.id, Rating.respondent_key.in_(keys),
               Rating.contract_id.in_(contract_ids))
        .order_by(Rating.respondent_key)  # "" first, so the user's own rating wins below
    )
    return {r.contract_id: r for r in rows
            if r.respondent_key or r.contract.customer_id == user.department_id}


def respondent_keys(existing: dict[int, Rating]) -> dict[int, str]:
    """The respondent key each contract's answer is saved under: that of the rating being edited."""
    return {cid: rating.respondent_key for cid, rating in existing.items()}


def is_done(rating: Rating | None) -> bool:
    """A rating counts as done when it has a health or says "no interaction"."""
    return rating is not None and (rating.health is not None or rating.no_interaction)


def health_figures(contracts: list[Contract], period: Period, hidden: set[int] = frozenset()) -> dict[int, Health]:
    """Health (stale allowed), band and trend of each contract in ``period``, keyed by contract id.

    For the contracts in ``hidden`` (see :func:`tracker.auth.access.unrated_open_contract_ids`) the
    ratings of ``period`` are left out: the figure is that of an earlier period, shown as such.
    """
    ratings, labels = _analysis_ratings([c.id for c in contracts], period)
    if hidden:
        ratings = [r for r in ratings if not (r.contract_id in hidden and r.period == period.label)]
    return _figures(contracts, ratings, period.label, labels, *analysis_service.period_bounds(period))


def open_follow_ups(department_id: int) -> list[FollowUp]:
    """Open follow-ups on contracts the department supplies, oldest due date first."""
    rows = db.session.scalars(
        select(FollowUp)
        .join(Contract, FollowUp.contract_id == Contract.id)
        .options(joinedload(FollowUp.contract).joinedload(Contract.customer),
                 joinedload(FollowUp.contract).joinedload(Contract.service), joinedload(FollowUp.period))
        .where(Contract.supplier_id == department_id, FollowUp.status.not_in(FOLLOW_UP_FINAL))
    ).unique().all()
    return sorted(rows, key=lambda f: (f.due_date is None, f.due_date, f.id))


def feedback(department: Department, period: Period, *, history_length: int = 6) -> tuple[list[FeedbackRow], dict,
                                                                                           list[str]]:
    """What the department's internal customers said in ``period``.

    Returns ``(rows, totals, history_labels)``: one row per contract the department supplies
    that is active in the period; ``totals`` has the department's ``nps`` (unrounded, None when
    no answers), ``nps_n``, ``nps_shown`` (integer, halves away from zero), ``small_sample`` and
    ``csat`` (percent) over all those ratings, from raw ratings; ``history_labels`` are the last
    ``history_length`` periods up to ``period``, oldest first, for each row's ``history``.
    """
    contracts = db.session.scalars(
        select(Contract)
        .options(joinedload(Contract.customer), joinedload(Contract.service), joinedload(Contract.supplier))
        .where(Contract.supplier_id == department.id, analysis_service.active_contracts_condition(period))
    ).unique().all()
    contracts = sorted(contracts, key=lambda c: (c.customer.name.lower(), c.service.name.lower(), c.id))
    ids = [c.id for c in contracts]
    ratings, labels = _analysis_ratings(ids, period)
    figures = _figures(contracts, ratings, period.label, labels, *analysis_service.period_bounds(period))
    history_labels = labels[max(0, labels.index(period.label) + 1 - history_length):labels.index(period.label) + 1]
    # Each period of the history is banded with the target and floor it closed with.
    by_label = {p.label: p for p in analysis_service.known_periods()}
    history = {label: _figures(contracts, ratings, label, labels, *analysis_service.period_bounds(by_label[label]))
               for label in history_labels}
    comments = _comments(ids, period)

    in_period = [r for r in ratings if r.period == period.label]
    rows = []
    for c in contracts:
        mine = [r for r in in_period if r.contract_id == c.id]
        value, n = analysis.nps(r.recommend for r in mine)
        rows.append(FeedbackRow(
            contract=c, figure=figures[c.id], nps=value, nps_n=n,
            csat=analysis.csat(r.health for r in mine if not r.no_interaction),
            comments=comments.get(c.id, []),
            history=[history[label][c.id] for label in history_labels],
        ))
    value, n = analysis.nps(r.recommend for r in in_period)
    totals = {
        "nps": value, "nps_n": n, "nps_shown": nps_shown(value), "small_sample": small_sample(n),
        "csat": analysis.csat(r.health for r in in_period if not r.no_interaction),
    }
    return rows, totals, history_labels


def nps_shown(value: float | None) -> int | None:
    """NPS as a page shows it: an integer, halves away from zero; None when there are no answers."""
    return None if value is None else int(analysis.round_half_away(value))


def signed(value: int) -> str:
    """An NPS with its sign as a reader expects it: ``+12``, ``−25`` (a true minus sign), ``0`` (the NPS rule)."""
    from ..formatting import nps

    return nps(value)


def small_sample(n: int) -> bool:
    """True when an NPS rests on fewer answers than :data:`tracker.analysis.SMALL_SAMPLE`."""
    return 0 < n < analysis.SMALL_SAMPLE


def _analysis_ratings(contract_ids: list[int], period: Period) -> tuple[list[analysis.Rating], list[str]]:
    """Ratings of these contracts in ``period`` and earlier (the analysis loader), and the period labels."""
    labels = analysis_service.period_labels(period)
    return (analysis_service.load_ratings(contract_ids, labels) if contract_ids else []), labels


def _figures(contracts: list[Contract], ratings: list[analysis.Rating], label: str, labels: list[str],
             target: float, floor: float) -> dict[int, Health]:
    ids = [c.id for c in contracts]
    health = analysis.contract_health(ratings, ids, label, labels)
    trend = analysis.contract_trend(ratings, ids, label, labels)
    result = {}
    for c in contracts:
        h = health[c.id]
        result[c.id] = Health.of(h.health, target if c.target is None else c.target,
                                 floor if c.floor is None else c.floor, h.stale, delta=trend[c.id].delta,
                                 declining=trend[c.id].declining, own_target=c.target, own_floor=c.floor)
    return result


def _comments(contract_ids: list[int], period: Period) -> dict[int, list[str]]:
    """Comments of the ratings in ``period`` by contract, without who wrote them (sorted by text)."""
    if not contract_ids:
        return {}
    result: dict[int, list[str]] = {}
    for cid, comment in db.session.execute(
        select(Rating.contract_id, Rating.comment)
        .where(Rating.contract_id.in_(contract_ids), Rating.period_id == period.id, Rating.comment.is_not(None))
    ):
        if comment.strip():
            result.setdefault(cid, []).append(comment)
    return {cid: sorted(texts) for cid, texts in result.items()}
