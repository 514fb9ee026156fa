"""Follow-ups: action items opened on low ratings, owned by the supplier department's head.

Every write validates first, records the audit row and commits once, or raises
:class:`FollowUpError` having written nothing. Closing a follow-up in a closed period
is allowed: it is an action, not a rating. Readers run a fixed number of queries
whatever the size of the organization.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from ..analysis.followups import FollowUpRecord, is_overdue, on_time_rates
from ..extensions import db
from ..models import Contract, Department, FollowUp, Period, Rating, Service
from ..models.base import utcnow
from . import audit
from . import settings as settings_service
from .settings import _

__all__ = [
    "FollowUpError", "LowRating", "RECOMMEND_LOW", "cancel_follow_up", "can_answer", "can_view", "list_follow_ups",
    "low_ratings_of", "low_ratings_without_follow_up", "on_time_by_department", "open_follow_up", "overdue",
    "overdue_count", "save_response",
]

#: A 0–10 answer at or below this is low (a detractor).
RECOMMEND_LOW = 6
#: Longest title the model keeps.
TITLE_MAX = 200


class FollowUpError(ValueError):
    """A change is refused; ``errors`` maps a form field (``""`` for the whole form) to the reason."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in errors.items()))


# --- who may do what -------------------------------------------------------------------------

def can_answer(user, fu: FollowUp) -> bool:
    """Only the head of the supplier department answers and closes a follow-up."""
    return user.role == "head" and user.department_id == fu.contract.supplier_id


def can_view(user, fu: FollowUp) -> bool:
    """The COO and admin see every follow-up; a head those on contracts their department supplies or receives."""
    from ..auth.access import sees_contract  # the one rule of who sees which agreement

    return user.role in ("coo", "admin", "head") and sees_contract(user, fu.contract)


# --- low ratings -----------------------------------------------------------------------------

def _low_condition(org_floor: float):
    """SQL: a rating with health below the contract's (or the organization's) floor, or a 0–10 answer ≤ 6."""
    return or_(
        Rating.health < func.coalesce(Contract.floor, org_floor),
        Rating.recommend <= RECOMMEND_LOW,
    )


@dataclass
class LowRating:
    """A contract with low ratings in one period and no follow-up on them yet."""

    contract_id: int
    supplier: str
    customer: str
    service: str
    period_id: int
    period: str
    lowest_health: float | None
    lowest_recommend: int | None
    count: int


def low_ratings_without_follow_up(*, limit: int = 200) -> list[LowRating]:
    """Contract and period pairs with at least one low rating and no follow-up, worst first.

    "Low" is health below the floor that applies or a 0–10 answer of 6 or below; a
    follow-up of any status on the contract in that period takes the pair off the list.
    Newest period first, then lowest health. One query.
    """
    supplier, customer = aliased(Department), aliased(Department)
    has_follow_up = exists().where(FollowUp.contract_id == Rating.contract_id, FollowUp.period_id == Rating.period_id)
    lowest_health = func.min(Rating.health)
    rows = db.session.execute(
        select(Contract.id, supplier.code, customer.code, Service.name, Period.id, Period.label,
               lowest_health, func.min(Rating.recommend), func.count(Rating.id))
        .join(Contract, Rating.contract_id == Contract.id)
        .join(Period, Rating.period_id == Period.id)
        .join(supplier, Contract.supplier_id == supplier.id)
        .join(customer, Contract.customer_id == customer.id)
        .join(Service, Contract.service_id == Service.id)
        .where(_low_condition(settings_service.floor()), ~has_follow_up)
        .group_by(Contract.id, supplier.code, customer.code, Service.name, Period.id, Period.label,
                  Period.start_date)
        .order_by(Period.start_date.desc(), lowest_health.asc(), supplier.code, customer.code)
        .limit(limit)
    ).all()
    return [LowRating(*row) for row in rows]


def low_ratings_of(contract: Contract, period: Period) -> list[Rating]:
    """The low ratings of ``contract`` in ``period``, lowest health first."""
    rows = db.session.scalars(
        select(Rating).join(Contract, Rating.contract_id == Contract.id)
        .where(Rating.contract_id == contract.id, Rating.period_id == period.id,
               _low_condition(settings_service.floor()))
    ).all()
    return sorted(rows, key=lambda r: (r.health is None, r.health or 0.0, r.id))


# --- writes ----------------------------------------------------------------------------------

def open_follow_up(contract: Contract, period: Period, title: str, description: str = "",
                   due_date: date | None = None, *, actor_id: int | None = None) -> FollowUp:
    """Open a follow-up on the low ratings of ``contract`` in ``period`` and commit.

    The follow-up points at the lowest of those ratings; it is owned by the supplier's head.

    Raises
    ------
    FollowUpError
        Empty or too long title, a due date before the period starts, or no low rating
        of the contract in the period.
    """
    title, description = (title or "").strip(), (description or "").strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("A title is required.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("At most %(num)d characters.", num=TITLE_MAX)
    if due_date is not None and due_date < period.start_date:
        errors["due_date"] = _("The due date cannot be before the period starts.")
    low = low_ratings_of(contract, period)
    if not low:
        errors[""] = _("Agreement %(label)s has no low rating in %(period)s.", label=contract.label,
                       period=period.label)
    if errors:
        raise FollowUpError(errors)
    fu = FollowUp(contract_id=contract.id, period_id=period.id, rating_id=low[0].id, title=title,
                  description=description or None, due_date=due_date, status="open", created_by_id=actor_id)
    db.session.add(fu)
    db.session.flush()
    audit.record("create", "follow_up", fu.id, {
        "contract_id": [None, contract.id], "period_id": [None, period.id], "rating_id": [None, fu.rating_id],
        "title": [None, title], "description": [None, fu.description], "due_date": [None, due_date],
    }, user_id=actor_id)
    db.session.commit()
    return fu


def save_response(fu: FollowUp, response: str, *, done: bool = False, actor_id: int | None = None) -> FollowUp:
    """Keep the supplier head's answer; with ``done`` also close the follow-up as done. Commits once.

    Raises
    ------
    FollowUpError
        The follow-up is no longer open, or ``done`` without an answer.
    """
    response = (response or "").strip()
    if fu.status != "open":
        raise FollowUpError({"": _("This follow-up is already closed.")})
    if done and not response:
        raise FollowUpError({"response": _("Say what was done before marking the follow-up done.")})
    changes = {}
    if response != (fu.response or ""):
        changes["response"] = [fu.response, response or None]
        fu.response = response or None
    if done:
        now = utcnow()
        changes["status"] = [fu.status, "done"]
        changes["closed_at"] = [None, now]
        fu.status, fu.closed_at = "done", now
    if not changes:
        return fu
    audit.record("close" if done else "update", "follow_up", fu.id, changes, user_id=actor_id)
    db.session.commit()
    return fu


def cancel_follow_up(fu: FollowUp, reason: str, *, actor_id: int | None = None) -> FollowUp:
    """Cancel an open follow-up (the COO or admin decides it is no longer needed) and commit.

    Raises
    ------
    FollowUpError
        The follow-up is no longer open, or no reason is given.
    """
    reason = (reason or "").strip()
    if fu.status != "open":
        raise FollowUpError({"": _("This follow-up is already closed.")})
    if not reason:
        raise FollowUpError({"reason": _("Give a reason for cancelling.")})
    now = utcnow()
    audit.record("close", "follow_up", fu.id, {"status": [fu.status, "cancelled"], "closed_at": [None, now]},
                 reason=reason, user_id=actor_id)
    fu.status, fu.closed_at = "cancelled", now
    db.session.commit()
    return fu


# --- lists and figures -----------------------------------------------------------------------

def list_follow_ups(*, today: date, status: str = "", overdue: bool = False, department_id: int | None = None,
                    supplier_id: int | None = None, customer_id: int | None = None) -> list[FollowUp]:
    """Follow-ups with their contract, departments, service and period loaded, in one query.

    ``department_id`` matches either side of the contract; ``supplier_id`` and
    ``customer_id`` one side. Open ones first, then by due date (none last), then newest.
    """
    stmt = (
        select(FollowUp).join(Contract, FollowUp.contract_id == Contract.id)
        .options(joinedload(FollowUp.contract).joinedload(Contract.supplier),
                 joinedload(FollowUp.contract).joinedload(Contract.customer),
                 joinedload(FollowUp.contract).joinedload(Contract.service),
                 joinedload(FollowUp.period))
    )
    if status in ("open", "done", "cancelled"):
        stmt = stmt.where(FollowUp.status == status)
    if overdue:
        stmt = stmt.where(FollowUp.status == "open", FollowUp.due_date < today)
    if department_id is not None:
        stmt = stmt.where(or_(Contract.supplier_id == department_id, Contract.customer_id == department_id))
    if supplier_id is not None:
        stmt = stmt.where(Contract.supplier_id == supplier_id)
    if customer_id is not None:
        stmt = stmt.where(Contract.customer_id == customer_id)
    rows = db.session.scalars(stmt).unique().all()
    return sorted(rows, key=lambda f: (f.status != "open", f.due_date is None, f.due_date or date.max,
                                       -f.id))


def overdue(fu: FollowUp, today: date) -> bool:
    """True when ``fu`` is open past its due date."""
    return is_overdue(fu.status, fu.due_date, today)


def overdue_count(today: date) -> int:
    """How many open follow-ups are past their due date, in one query."""
    return db.session.scalar(
        select(func.count(FollowUp.id)).where(and_(FollowUp.status == "open", FollowUp.due_date < today))
    ) or 0


def on_time_by_department(today: date) -> dict[str, tuple[float | None, int]]:
    """Follow-ups closed in time per supplier department code, ``{code: (rate 0–1 or None, n)}``.

    See :func:`tracker.analysis.followups.on_time_rates` for what counts. One query.
    """
    rows = db.session.execute(
        select(Department.code, FollowUp.status, FollowUp.due_date, FollowUp.closed_at)
        .join(Contract, FollowUp.contract_id == Contract.id)
        .join(Department, Contract.supplier_id == Department.id)
    ).all()
    return on_time_rates(
        (FollowUpRecord(code, status, due, closed.date() if closed is not None else None)
         for code, status, due, closed in rows),
        today,
    )
