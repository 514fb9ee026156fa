"""Follow-ups: action items opened on low ratings, owned by the supplier department's head.

Every write validates first, records the audit row and commits once, or raises
:class:`FollowUpError` having written nothing. Closing a follow-up in a closed period
is allowed: it is an action, not a rating. Readers run a fixed number of queries
whatever the size of the organization.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from collections.abc import Iterable

from sqlalchemy import and_, case, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased, joinedload

from ..analysis.followups import FollowUpRecord, on_time_rates
from ..extensions import db
from ..models import FOLLOW_UP_FINAL, Contract, Department, FollowUp, FollowUpAction, FollowUpEvent, Period, Rating, Service, User
from ..models.base import utcnow
from . import audit
from . import settings as settings_service
from .messages import _

__all__ = [
    "ActionInput", "DueStatus", "Effect", "FollowUpError", "FollowUpRefused", "LowRating", "RECOMMEND_LOW",
    "TRANSITIONS", "acknowledge", "add_working_days", "allowed", "cancel_follow_up", "can_answer", "can_view",
    "confirm", "due_status", "effects", "eligible_owners", "is_customer_head", "list_follow_ups",
    "low_ratings_of", "low_ratings_without_follow_up", "needs_me", "NeedsMe", "by_contract", "on_time_by_department", "open_follow_up",
    "open_for_critical_at_close", "open_for_low_ratings", "overdue", "overdue_count", "plan", "reassign",
    "reopen", "resolve", "set_due_dates", "watermelons",
]

#: A 0–10 answer at or below this is low (a detractor).
RECOMMEND_LOW = 6
#: Longest title the model keeps.
TITLE_MAX = 200
#: Longest text of a root cause, resolution or reason.
TEXT_MAX = 5000
#: Health change (points) below which the effect of a follow-up counts as "unchanged".
EFFECT_THRESHOLD = 5.0


class FollowUpError(ValueError):
    """A change is refused; ``errors`` maps a form field (``""`` for the whole form) to the reason."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in errors.items()))


class FollowUpRefused(FollowUpError):
    """The user may not make this transition (wrong person or wrong state); the view answers 403."""


# --- who may do what -------------------------------------------------------------------------

#: action → (states it starts from, state it leads to (None: unchanged), who may make it).
#: Who: "owner" (the follow-up's owner), "customer" (the customer department's head; the
#: admin for an external customer, which has no head), "overseer" (the COO or admin).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None, str]] = {
    "acknowledge": (("open",), "acknowledged", "owner"),
    "plan": (("acknowledged", "planned"), "planned", "owner"),
    "resolve": (("planned",), "resolved", "owner"),
    "confirm": (("resolved",), "confirmed", "customer"),
    "reopen": (("resolved",), "planned", "customer"),
    "cancel": (("open", "acknowledged", "planned", "resolved"), "cancelled", "overseer"),
    "reassign": (("open", "acknowledged", "planned", "resolved"), None, "overseer"),
    "set_due": (("open", "acknowledged", "planned", "resolved"), None, "overseer"),
}


def is_customer_head(user, fu: FollowUp) -> bool:
    """The head of the customer department; for an external customer (no head) the admin stands in."""
    if getattr(user, "role", None) == "head" and user.department_id == fu.contract.customer_id:
        return True
    return getattr(user, "role", None) == "admin" and fu.contract.customer.kind == "external"


def _is(user, fu: FollowUp, who: str) -> bool:
    if who == "owner":
        return fu.owner_id is not None and user.id == fu.owner_id
    if who == "customer":
        return is_customer_head(user, fu)
    return getattr(user, "role", None) in ("coo", "admin")


def allowed(user, fu: FollowUp, action: str) -> bool:
    """True when ``user`` may make ``action`` (a key of :data:`TRANSITIONS`) on ``fu`` in its current state."""
    starts, _to, who = TRANSITIONS[action]
    return fu.status in starts and _is(user, fu, who)


def _require(user, fu: FollowUp, action: str) -> None:
    """Raise :class:`FollowUpRefused` with the reason when ``user`` may not make ``action`` now."""
    starts, _to, who = TRANSITIONS[action]
    if fu.status not in starts:
        raise FollowUpRefused({"": _("This follow-up is %(state)s; it cannot be %(action)s now.",
                                     state=state_word(fu.status), action=action_word(action))})
    if not _is(user, fu, who):
        reason = {
            "owner": _("Only the owner of this follow-up (%(name)s) may do this.",
                       name=fu.owner.name or fu.owner.email if fu.owner else _("nobody")),
            "customer": _("Only the head of the customer department %(code)s may do this.",
                          code=fu.contract.customer.code),
            "overseer": _("Only the COO or an administrator may do this."),
        }[who]
        raise FollowUpRefused({"": reason})


def can_answer(user, fu: FollowUp) -> bool:
    """The owner answers a follow-up: acknowledges, plans and resolves it."""
    return fu.owner_id is not None and user.id == fu.owner_id


def can_view(user, fu: FollowUp) -> bool:
    """The COO and admin see every follow-up; its owner; a head those on the agreements the one rule lets them see."""
    from ..auth.access import sees_contract  # the one rule of who sees which agreement

    if user.role in ("coo", "admin"):
        return True
    if fu.owner_id is not None and user.id == fu.owner_id:
        return True
    return user.role == "head" and sees_contract(user, fu.contract)


def state_word(status: str) -> str:
    """The follow-up state in the user's language."""
    return {
        "open": _("open"), "acknowledged": _("acknowledged"), "planned": _("action planned"),
        "resolved": _("resolved"), "confirmed": _("confirmed"), "cancelled": _("closed without action"),
    }.get(status, status)


def action_word(action: str) -> str:
    """A transition in the user's language, as a past participle ("acknowledged")."""
    return {
        "acknowledge": _("acknowledged"), "plan": _("planned"), "resolve": _("resolved"),
        "confirm": _("confirmed"), "reopen": _("reopened"), "cancel": _("closed"),
        "reassign": _("reassigned"), "set_due": _("given new due dates"),
    }.get(action, action)


# --- due dates and overdue: the one home of the rule ------------------------------------------

def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days (Monday–Friday) after ``start``; 0 gives ``start`` itself.

    >>> add_working_days(date(2026, 12, 4), 1)   # a Friday → the Monday after
    datetime.date(2026, 12, 7)
    >>> add_working_days(date(2026, 12, 4), 5)
    datetime.date(2026, 12, 11)
    """
    day, left = start, max(0, int(days))
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


@dataclass(frozen=True)
class DueStatus:
    """Where a follow-up stands against its due dates on a given day.

    Attributes
    ----------
    stage : str or None
        What is due next: ``"acknowledge"`` (state open), ``"resolve"`` (acknowledged or
        action planned), None once resolved or closed.
    due : date or None
        The date of that stage (for a resolved or closed follow-up: the resolve date).
    overdue : bool
        The stage's due date has passed (due today is not overdue).
    late : bool
        Resolved (or closed as confirmed) after its resolve due date: "closed late".
    acknowledged_on_time : bool or None
        Acknowledged on or before the acknowledge due date; None while not acknowledged and
        not yet overdue, or when it has no acknowledge due date.
    """

    stage: str | None
    due: date | None
    overdue: bool
    late: bool
    acknowledged_on_time: bool | None


def due_status(fu: FollowUp, today: date) -> DueStatus:
    """THE rule for "overdue" and "closed late": every page, list, count, notice and command asks it.

    An open follow-up is overdue when its acknowledge due date (``ack_due``) has passed; an
    acknowledged or planned one when its resolve due date (``due_date``) has passed. A
    resolved one waits for the customer and is not overdue; it (and a confirmed one) is
    *late* when it was resolved after the resolve due date. A follow-up closed without action
    is neither. Dates are calendar dates (the due date itself is still in time).
    Scorecards (issue #13) use ``acknowledged_on_time`` for "follow-ups acknowledged on time".
    """
    resolved_on = fu.resolved_at.date() if fu.resolved_at is not None else None
    acked_on = fu.acknowledged_at.date() if fu.acknowledged_at is not None else None
    if fu.ack_due is None:
        ack_ok = None
    elif acked_on is not None:
        ack_ok = acked_on <= fu.ack_due
    elif fu.status == "open" and fu.ack_due < today:
        ack_ok = False
    else:
        ack_ok = None
    if fu.status == "open":
        stage, due = "acknowledge", fu.ack_due
    elif fu.status in ("acknowledged", "planned"):
        stage, due = "resolve", fu.due_date
    else:
        stage, due = None, fu.due_date
    overdue_now = stage is not None and due is not None and due < today
    late = (fu.status in ("resolved", "confirmed") and due is not None and resolved_on is not None
            and resolved_on > due)
    return DueStatus(stage, due, overdue_now, late, ack_ok)


def overdue(fu: FollowUp, today: date) -> bool:
    """True when ``fu`` is past the due date of what it waits for (see :func:`due_status`)."""
    return due_status(fu, today).overdue


def _default_due_dates(start: date) -> tuple[date, date]:
    """Acknowledge and resolve due dates from the settings (working days after ``start``)."""
    return (add_working_days(start, int(settings_service.get("followup_ack_days"))),
            add_working_days(start, int(settings_service.get("followup_resolve_days"))))


# --- low ratings -----------------------------------------------------------------------------

def _low_condition(org_floor: float):
    """SQL: a low rating — health below the contract's (or the organization's) floor, a 0–10 answer ≤ 6,
    or the standard reported missed."""
    return or_(
        Rating.health < func.coalesce(Contract.floor, org_floor),
        Rating.recommend <= RECOMMEND_LOW,
        Rating.standard_met == "missed",
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

    "Low" is health below the floor that applies, a 0–10 answer of 6 or below, or the
    standard reported missed; a follow-up of any status on the contract in that period
    takes the pair off the list. Newest period first, then lowest health. One query.
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
    """The low ratings of ``contract`` in ``period`` (those a follow-up lists), lowest health first."""
    rows = db.session.scalars(
        select(Rating).join(Contract, Rating.contract_id == Contract.id)
        .where(Rating.contract_id == contract.id, Rating.period_id == period.id,
               _low_condition(settings_service.floor()))
    ).all()
    return sorted(rows, key=lambda r: (r.health is None, r.health or 0.0, r.id))


# --- opening ---------------------------------------------------------------------------------

def default_owner_ids(department_ids: Iterable[int]) -> dict[int, int]:
    """The default owner of follow-ups on each supplier department: its active head (lowest id). One query."""
    ids = set(department_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(User.department_id, func.min(User.id))
        .where(User.department_id.in_(ids), User.role == "head", User.archived_at.is_(None))
        .group_by(User.department_id)
    ).all()
    return dict(rows)


def _insert_follow_up(values: dict) -> int | None:
    """INSERT a follow-up unless its (contract, period) has one; return the new id or None.

    ``ON CONFLICT DO NOTHING`` on the unique (contract_id, period_id) makes a concurrent
    submission wait for the other transaction and then yield to it: two low ratings
    saved at the same moment never make two follow-ups, nor an IntegrityError.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utcnow()
    stmt = (insert(FollowUp).values(created_at=now, updated_at=now, **values)
            .on_conflict_do_nothing(index_elements=["contract_id", "period_id"]).returning(FollowUp.id))
    return db.session.execute(stmt).scalar()


def _opened(fu_id: int, values: dict, actor_id: int | None, text: str | None) -> None:
    db.session.add(FollowUpEvent(follow_up_id=fu_id, user_id=actor_id, action="open", from_status=None,
                                 to_status="open", text=text))
    audit.record("create", "follow_up", fu_id, {k: [None, v] for k, v in values.items() if v is not None},
                 user_id=actor_id)


#: Ids per ``IN (…)`` list of a query over many agreements.
_IN_BATCH = 5000


def open_for_low_ratings(pairs: Iterable[tuple[int, int]], *, actor_id: int | None = None,
                         today: date | None = None) -> list[int]:
    """Open a follow-up on every (contract id, period id) pair that has a low rating and none yet.

    Called in the caller's transaction (it flushes, never commits) by every path that writes
    ratings: the rating form (:func:`tracker.services.ratings.submit_ratings`) and the
    workbook and survey import (:func:`tracker.importer.service.import_set`). Closed periods
    are left alone: importing history is a record of the past, not a call to act. The owner is
    the supplier's active head; due dates come from the settings in working days from
    ``today``. A pair that already has a follow-up (any state) gets none: its later low
    ratings are listed on that one (:func:`low_ratings_of`). Returns the ids opened.
    Queries: two, plus one insert per follow-up opened.
    """
    pairs = set(pairs)
    if not pairs:
        return []
    contract_ids = sorted({c for c, _p in pairs})
    period_ids = {p for _c, p in pairs}
    rows = []
    for start in range(0, len(contract_ids), _IN_BATCH):  # PostgreSQL takes at most 65,535 parameters a statement
        rows += db.session.execute(
            select(Rating.contract_id, Rating.period_id, func.min(Rating.id), Contract.supplier_id)
            .join(Contract, Rating.contract_id == Contract.id)
            .join(Period, Rating.period_id == Period.id)
            .where(Rating.contract_id.in_(contract_ids[start:start + _IN_BATCH]), Rating.period_id.in_(period_ids),
                   Period.status != "closed", _low_condition(settings_service.floor()),
                   ~exists().where(FollowUp.contract_id == Rating.contract_id, FollowUp.period_id == Rating.period_id))
            .group_by(Rating.contract_id, Rating.period_id, Contract.supplier_id)
        ).all()
    rows = [r for r in rows if (r[0], r[1]) in pairs]
    if not rows:
        return []
    owners = default_owner_ids(r[3] for r in rows)
    ack_due, due = _default_due_dates(today or date.today())
    opened = []
    for contract_id, period_id, rating_id, supplier_id in sorted(rows):
        values = {"contract_id": contract_id, "period_id": period_id, "rating_id": rating_id,
                  "title": _("Low rating: find the cause and fix it"), "status": "open", "opened_by": "rating",
                  "owner_id": owners.get(supplier_id), "ack_due": ack_due, "due_date": due,
                  "created_by_id": actor_id}
        fu_id = _insert_follow_up(values)
        if fu_id is None:
            continue
        _opened(fu_id, values, actor_id, None)
        opened.append(fu_id)
    if opened:
        from . import notifications
        notifications.follow_ups_assigned(opened)
    return opened


def open_for_critical_at_close(period: Period, *, actor_id: int | None = None,
                               today: date | None = None) -> list[int]:
    """At period close: open a follow-up on every critical weak link of ``period`` that has none.

    Called by :func:`tracker.services.periods.close_period` in its transaction (flushes, no
    commit). "Critical" is the product brief's severity (health below the floor that applies);
    the analysis is the period's own (:func:`tracker.services.analysis.period_analysis`).
    Returns the ids opened.
    """
    from .analysis import period_analysis
    critical = [w.contract.id for w in period_analysis(period).weak_links if w.severity == "critical"]
    if not critical:
        return []
    followed = set(db.session.scalars(select(FollowUp.contract_id).where(
        FollowUp.period_id == period.id, FollowUp.contract_id.in_(critical))))
    todo = [c for c in critical if c not in followed]
    suppliers = dict(db.session.execute(select(Contract.id, Contract.supplier_id).where(Contract.id.in_(todo))).all())
    owners = default_owner_ids(suppliers.values())
    ack_due, due = _default_due_dates(today or date.today())
    opened = []
    for contract_id in todo:
        values = {"contract_id": contract_id, "period_id": period.id, "rating_id": None,
                  "title": _("Critical weak link at period close: find the cause and fix it"), "status": "open",
                  "opened_by": "close", "owner_id": owners.get(suppliers[contract_id]), "ack_due": ack_due,
                  "due_date": due, "created_by_id": actor_id}
        fu_id = _insert_follow_up(values)
        if fu_id is not None:
            _opened(fu_id, values, actor_id, None)
            opened.append(fu_id)
    if opened:
        from . import notifications
        notifications.follow_ups_assigned(opened)
    return opened


def open_follow_up(contract: Contract, period: Period, title: str, description: str = "",
                   due_date: date | None = None, *, actor_id: int | None = None,
                   today: date | None = None) -> FollowUp:
    """The COO or admin opens a follow-up on ``contract`` in ``period`` by hand, and commits.

    For a weak link the ratings did not open one for (health below target but above the
    floor). The owner is the supplier's head; ``due_date`` (the resolve date) defaults
    to the settings.

    Raises
    ------
    FollowUpError
        Empty or too long title, a due date before today, the contract has no rating in
        the period, or the agreement already has a follow-up in the period (named).
    """
    today = today or date.today()
    title, description = (title or "").strip(), (description or "").strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("A title is required.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("At most %(num)d characters.", num=TITLE_MAX)
    if due_date is not None and due_date < today:
        errors["due_date"] = _("The due date %(date)s is before today.", date=due_date.isoformat())
    rated = db.session.scalar(select(func.min(Rating.id)).where(Rating.contract_id == contract.id,
                                                               Rating.period_id == period.id))
    if rated is None:
        errors[""] = _("Agreement %(label)s has no rating in %(period)s.", label=contract.label,
                       period=period.label)
    existing = db.session.scalar(select(FollowUp.id).where(FollowUp.contract_id == contract.id,
                                                           FollowUp.period_id == period.id))
    if existing is not None:
        errors[""] = _("Agreement %(label)s already has a follow-up in %(period)s.", label=contract.label,
                       period=period.label)
    if errors:
        raise FollowUpError(errors)
    low = low_ratings_of(contract, period)
    ack_due, default_due = _default_due_dates(today)
    values = {"contract_id": contract.id, "period_id": period.id, "rating_id": low[0].id if low else rated,
              "title": title, "description": description or None, "status": "open", "opened_by": "manual",
              "owner_id": default_owner_ids([contract.supplier_id]).get(contract.supplier_id),
              "ack_due": ack_due, "due_date": due_date or default_due, "created_by_id": actor_id}
    fu_id = _insert_follow_up(values)
    if fu_id is None:  # a concurrent request opened it first
        db.session.rollback()
        raise FollowUpError({"": _("Agreement %(label)s already has a follow-up in %(period)s.",
                                   label=contract.label, period=period.label)})
    _opened(fu_id, values, actor_id, description or None)
    from . import notifications
    notifications.follow_ups_assigned([fu_id])
    db.session.commit()
    return db.session.get(FollowUp, fu_id)


# --- transitions -----------------------------------------------------------------------------

@dataclass
class ActionInput:
    """One planned action as typed: what, who, by when."""

    what: str
    who: str
    due_date: date | None


def _text(value: str | None, field: str, missing: str, errors: dict[str, str]) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = missing
    elif len(value) > TEXT_MAX:
        errors[field] = _("At most %(num)d characters.", num=TEXT_MAX)
    return value


def _move(fu: FollowUp, user, action: str, *, text: str | None = None, changes: dict | None = None) -> None:
    """Move ``fu`` to the state of ``action`` if nobody moved it meanwhile; record event and audit; commit.

    The UPDATE names the state it starts from, so of two clicks or two people at once one
    wins and the other is refused, never applied twice.
    """
    _starts, to, _who = TRANSITIONS[action]
    old = fu.status
    new = to or old
    changes = dict(changes or {})
    values = {k: v[1] for k, v in changes.items() if k in FollowUp.__table__.c}
    now = utcnow()
    values["updated_at"] = now
    if to is not None:
        values["status"] = new
        changes["status"] = [old, new]
    result = db.session.execute(
        update(FollowUp).where(FollowUp.id == fu.id, FollowUp.status == old).values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise FollowUpRefused({"": _("Someone changed this follow-up meanwhile; look again before you act.")})
    db.session.add(FollowUpEvent(follow_up_id=fu.id, user_id=user.id, action=action, from_status=old,
                                 to_status=new, text=text, at=now))
    audit.record("close" if new in FOLLOW_UP_FINAL else "update", "follow_up", fu.id, changes, reason=text,
                 user_id=user.id)
    from . import notifications
    notifications.follow_up_moved(fu, action)
    db.session.commit()
    db.session.refresh(fu)


def acknowledge(fu: FollowUp, user, root_cause: str) -> FollowUp:
    """The owner acknowledges ``fu`` with its root cause (required); open → acknowledged.

    Raises
    ------
    FollowUpRefused
        ``user`` is not the owner, or the follow-up is not open.
    FollowUpError
        Empty or too long root cause (field ``root_cause``).
    """
    _require(user, fu, "acknowledge")
    errors: dict[str, str] = {}
    root_cause = _text(root_cause, "root_cause", _("Write the root cause: why did the customer rate this low?"),
                       errors)
    if errors:
        raise FollowUpError(errors)
    _move(fu, user, "acknowledge", text=root_cause,
          changes={"root_cause": [fu.root_cause, root_cause], "acknowledged_at": [None, utcnow()]})
    return fu


def plan(fu: FollowUp, user, actions: list[ActionInput], *, today: date | None = None) -> FollowUp:
    """The owner plans one or more actions (what, who, due date); acknowledged → action planned.

    Also adds actions to a planned (or reopened) follow-up. Blank rows are ignored.

    Raises
    ------
    FollowUpRefused
        ``user`` is not the owner, or the follow-up is neither acknowledged nor planned.
    FollowUpError
        No action, or an action without what/who/due date, or with a due date before today
        (fields ``actions-N-what``, ``actions-N-who``, ``actions-N-due_date``).
    """
    _require(user, fu, "plan")
    today = today or date.today()
    errors: dict[str, str] = {}
    kept = []
    for i, a in enumerate(actions):
        what, who = (a.what or "").strip(), (a.who or "").strip()
        if not what and not who and a.due_date is None:
            continue
        if not what:
            errors[f"actions-{i}-what"] = _("Say what will be done.")
        elif len(what) > TEXT_MAX:
            errors[f"actions-{i}-what"] = _("At most %(num)d characters.", num=TEXT_MAX)
        if not who:
            errors[f"actions-{i}-who"] = _("Say who will do it.")
        elif len(who) > 200:
            errors[f"actions-{i}-who"] = _("At most %(num)d characters.", num=200)
        if a.due_date is None:
            errors[f"actions-{i}-due_date"] = _("Give a due date.")
        elif a.due_date < today:
            errors[f"actions-{i}-due_date"] = _("The due date %(date)s is before today.",
                                                date=a.due_date.isoformat())
        kept.append(ActionInput(what, who, a.due_date))
    if not kept and not errors:
        errors["actions-0-what"] = _("Plan at least one action: what, who and by when.")
    if errors:
        raise FollowUpError(errors)
    for a in kept:
        db.session.add(FollowUpAction(follow_up_id=fu.id, what=a.what, who=a.who, due_date=a.due_date,
                                      created_by_id=user.id))
    summary = "\n".join(f"{a.what} — {a.who}, {a.due_date.isoformat()}" for a in kept)
    _move(fu, user, "plan", text=summary, changes={"actions": [None, len(kept)]})
    return fu


def resolve(fu: FollowUp, user, what_was_done: str) -> FollowUp:
    """The owner says what was done; action planned → resolved (awaiting the customer's confirmation).

    Raises
    ------
    FollowUpRefused
        ``user`` is not the owner, or no action is planned.
    FollowUpError
        Empty or too long text (field ``response``).
    """
    _require(user, fu, "resolve")
    errors: dict[str, str] = {}
    text = _text(what_was_done, "response", _("Say what was done."), errors)
    if errors:
        raise FollowUpError(errors)
    _move(fu, user, "resolve", text=text, changes={"response": [fu.response, text], "resolved_at": [None, utcnow()]})
    return fu


def confirm(fu: FollowUp, user, note: str = "") -> FollowUp:
    """The customer department's head confirms the fix; resolved → confirmed (final).

    Raises
    ------
    FollowUpRefused
        ``user`` is not the customer's head, or the follow-up is not resolved.
    """
    _require(user, fu, "confirm")
    note = (note or "").strip()[:TEXT_MAX]
    _move(fu, user, "confirm", text=note or None, changes={"closed_at": [None, utcnow()]})
    return fu


def reopen(fu: FollowUp, user, reason: str) -> FollowUp:
    """The customer department's head reopens it with a reason; resolved → action planned.

    Raises
    ------
    FollowUpRefused
        ``user`` is not the customer's head, or the follow-up is not resolved.
    FollowUpError
        Empty reason (field ``reason``).
    """
    _require(user, fu, "reopen")
    errors: dict[str, str] = {}
    reason = _text(reason, "reason", _("Say why the fix did not work."), errors)
    if errors:
        raise FollowUpError(errors)
    _move(fu, user, "reopen", text=reason, changes={"resolved_at": [fu.resolved_at, None]})
    return fu


def cancel_follow_up(fu: FollowUp, reason: str, *, actor_id: int | None = None, user=None) -> FollowUp:
    """The COO or admin closes ``fu`` without action, with a reason (final).

    Raises
    ------
    FollowUpRefused
        ``user`` is neither COO nor admin, or the follow-up is already closed.
    FollowUpError
        No reason (field ``reason``).
    """
    if user is None:
        user = db.session.get(User, actor_id)
    _require(user, fu, "cancel")
    errors: dict[str, str] = {}
    reason = _text(reason, "reason", _("Give a reason for closing without action."), errors)
    if errors:
        raise FollowUpError(errors)
    _move(fu, user, "cancel", text=reason, changes={"closed_at": [None, utcnow()]})
    return fu


def eligible_owners(fu: FollowUp) -> list[User]:
    """Active users of the supplier department (heads first, then by name): who may own ``fu``."""
    return list(db.session.scalars(
        select(User).where(User.department_id == fu.contract.supplier_id, User.archived_at.is_(None),
                           User.role.in_(("head", "member")))
        .order_by(User.role, User.name, User.email)))


def reassign(fu: FollowUp, user, owner_id: int | None) -> FollowUp:
    """The COO or admin gives ``fu`` to another active user of the supplier department.

    Raises
    ------
    FollowUpRefused
        ``user`` is neither COO nor admin, or the follow-up is closed.
    FollowUpError
        The new owner is unknown, archived, or not of the supplier department (field ``owner_id``).
    """
    _require(user, fu, "reassign")
    new = db.session.get(User, owner_id) if owner_id else None
    if new is None or new.archived_at is not None:
        raise FollowUpError({"owner_id": _("Choose an active user of %(code)s.", code=fu.contract.supplier.code)})
    if new.department_id != fu.contract.supplier_id:
        raise FollowUpError({"owner_id": _("%(name)s is not of the supplier department %(code)s; choose one of "
                                           "its active users.", name=new.name or new.email,
                                           code=fu.contract.supplier.code)})
    if new.id == fu.owner_id:
        return fu
    old_name = (fu.owner.name or fu.owner.email) if fu.owner else None
    _move(fu, user, "reassign", text=f"{old_name or '–'} → {new.name or new.email}",
          changes={"owner_id": [fu.owner_id, new.id]})
    return fu


def set_due_dates(fu: FollowUp, user, ack_due: date | None, due_date: date | None, *,
                  today: date | None = None) -> FollowUp:
    """The COO or admin changes the acknowledge and resolve due dates of ``fu``.

    Raises
    ------
    FollowUpRefused
        ``user`` is neither COO nor admin, or the follow-up is closed.
    FollowUpError
        A date missing, before today (when changed), or the resolve date before the acknowledge date.
    """
    _require(user, fu, "set_due")
    today = today or date.today()
    errors: dict[str, str] = {}
    for field, value, old in (("ack_due", ack_due, fu.ack_due), ("due_date", due_date, fu.due_date)):
        if value is None:
            errors[field] = _("Give a date.")
        elif value != old and value < today:
            errors[field] = _("The due date %(date)s is before today.", date=value.isoformat())
    if not errors and due_date < ack_due:
        errors["due_date"] = _("The resolve date cannot be before the acknowledge date.")
    if errors:
        raise FollowUpError(errors)
    changes = {k: [old, new] for k, old, new in (("ack_due", fu.ack_due, ack_due), ("due_date", fu.due_date, due_date))
               if old != new}
    if not changes:
        return fu
    _move(fu, user, "set_due", text=", ".join(f"{k}: {v[1].isoformat()}" for k, v in changes.items()),
          changes=changes)
    return fu


# --- lists and figures -----------------------------------------------------------------------

def _loaded():
    return (joinedload(FollowUp.contract).joinedload(Contract.supplier),
            joinedload(FollowUp.contract).joinedload(Contract.customer),
            joinedload(FollowUp.contract).joinedload(Contract.service),
            joinedload(FollowUp.period), joinedload(FollowUp.owner))


def list_follow_ups(*, today: date, status: str = "", overdue: bool = False, department_id: int | None = None,
                    supplier_id: int | None = None, customer_id: int | None = None, owner_id: int | None = None,
                    period_id: int | None = None, effect: str = "") -> list[FollowUp]:
    """Follow-ups with their contract, departments, service, period and owner loaded.

    ``status`` is a state, or ``"active"`` for any not closed; ``overdue`` keeps those
    :func:`due_status` calls overdue; ``department_id`` matches either side of the contract;
    ``effect`` keeps those whose :func:`effects` word is it. Active ones first, then by
    due date (none last), then newest. Two queries (three with ``effect``).
    """
    stmt = select(FollowUp).join(Contract, FollowUp.contract_id == Contract.id).options(*_loaded())
    if status == "active":
        stmt = stmt.where(FollowUp.status.not_in(FOLLOW_UP_FINAL))
    elif status:
        stmt = stmt.where(FollowUp.status == status)
    if department_id is not None:
        stmt = stmt.where(or_(Contract.supplier_id == department_id, Contract.customer_id == department_id))
    if supplier_id is not None:
        stmt = stmt.where(Contract.supplier_id == supplier_id)
    if customer_id is not None:
        stmt = stmt.where(Contract.customer_id == customer_id)
    if owner_id is not None:
        stmt = stmt.where(FollowUp.owner_id == owner_id)
    if period_id is not None:
        stmt = stmt.where(FollowUp.period_id == period_id)
    rows = list(db.session.scalars(stmt).unique().all())
    if overdue:
        rows = [f for f in rows if due_status(f, today).overdue]
    if effect:
        words = effects(rows)
        rows = [f for f in rows if words[f.id].word == effect]
    return sorted(rows, key=lambda f: (f.is_final, due_status(f, today).due is None,
                                       due_status(f, today).due or date.max, -f.id))


def overdue_count(today: date, **filters) -> int:
    """How many follow-ups are overdue (see :func:`due_status`); ``filters`` as :func:`list_follow_ups`."""
    return len(list_follow_ups(today=today, status="active", overdue=True, **filters))


def by_contract(period_id: int, contract_ids: Iterable[int] | None = None) -> dict[int, FollowUp]:
    """The follow-up of each contract in a period (at most one each), owner loaded. One query."""
    stmt = select(FollowUp).where(FollowUp.period_id == period_id).options(joinedload(FollowUp.owner))
    if contract_ids is not None:
        stmt = stmt.where(FollowUp.contract_id.in_(set(contract_ids)))
    return {f.contract_id: f for f in db.session.scalars(stmt)}


def on_time_by_department(today: date) -> dict[str, tuple[float | None, int]]:
    """Follow-ups resolved in time per supplier department code, ``{code: (rate 0–1 or None, n)}``.

    See :func:`tracker.analysis.followups.on_time_rates` for what counts; late and overdue
    come from :func:`due_status`. One query.
    """
    rows = db.session.scalars(select(FollowUp).options(joinedload(FollowUp.contract).joinedload(Contract.supplier)))
    records = []
    for fu in rows.unique():
        ds = due_status(fu, today)
        if fu.status == "cancelled" or fu.due_date is None:
            outcome = None
        elif fu.status in ("resolved", "confirmed"):
            outcome = not ds.late
        elif ds.overdue and ds.stage == "resolve":
            outcome = False
        else:
            outcome = None
        records.append(FollowUpRecord(fu.contract.supplier.code, outcome))
    return on_time_rates(records)


# --- did it work -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Effect:
    """The agreement's health around a follow-up: in the period that opened it and the two after.

    ``points`` is ``[(period label, health 0–100 or None, number of rated ratings)]`` for the
    opening period, the next and the one after (those that exist). ``word`` is
    ``"improved"`` / ``"unchanged"`` / ``"worse"``: the latest later period with a health
    against the opening one, unchanged within ±:data:`EFFECT_THRESHOLD` points; or
    ``"not yet rated"`` when no later period has a health (or the opening one has none).
    """

    points: list[tuple[str, float | None, int]]
    word: str


EFFECT_WORDS = ("improved", "unchanged", "worse", "not yet rated")


def effects(follow_ups: list[FollowUp]) -> dict[int, Effect]:
    """:class:`Effect` of each follow-up, keyed by id. Contract health is the mean health of the
    period's ratings (product brief, definition 2, without the stale fallback). Two queries."""
    if not follow_ups:
        return {}
    periods = list(db.session.execute(select(Period.id, Period.label).order_by(Period.start_date, Period.id)))
    order = {pid: i for i, (pid, _l) in enumerate(periods)}
    wanted: dict[int, list[int]] = {}
    for fu in follow_ups:
        i = order[fu.period_id]
        wanted[fu.id] = [pid for pid, _l in periods[i:i + 3]]
    contract_ids = {f.contract_id for f in follow_ups}
    period_ids = {p for ps in wanted.values() for p in ps}
    health = {(c, p): (h, n) for c, p, h, n in db.session.execute(
        select(Rating.contract_id, Rating.period_id, func.avg(Rating.health), func.count(Rating.health))
        .where(Rating.contract_id.in_(contract_ids), Rating.period_id.in_(period_ids), Rating.health.is_not(None))
        .group_by(Rating.contract_id, Rating.period_id))}
    labels = dict(periods)
    out = {}
    for fu in follow_ups:
        points = []
        for pid in wanted[fu.id]:
            h, n = health.get((fu.contract_id, pid), (None, 0))
            points.append((labels[pid], None if h is None else float(h), n))
        base = points[0][1]
        later = [h for _l, h, _n in points[1:] if h is not None]
        if base is None or not later:
            word = "not yet rated"
        elif later[-1] - base >= EFFECT_THRESHOLD:
            word = "improved"
        elif base - later[-1] >= EFFECT_THRESHOLD:
            word = "worse"
        else:
            word = "unchanged"
        out[fu.id] = Effect(points, word)
    return out


def effect_word(word: str) -> str:
    """The effect word in the user's language."""
    return {"improved": _("improved"), "unchanged": _("unchanged"), "worse": _("worse"),
            "not yet rated": _("not yet rated")}.get(word, word)


# --- watermelons -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Watermelon:
    """An agreement reported as meeting its standard by most respondents while its health is below target."""

    contract_id: int
    supplier: str
    customer: str
    service: str
    health: float
    target: float
    met: int
    answered: int


def watermelons(period: Period) -> list[Watermelon]:
    """Watermelon agreements of ``period``: green outside, red inside.

    An agreement is one when more than half of its ratings in the period that answer the
    standard question (met / partly / missed) say "met", and its health (mean of the
    period's ratings) is below the target that applies (the contract's, the closed period's,
    or the organization's). Lowest health first. One query.
    """
    target = period.target if period.status == "closed" and period.target is not None else settings_service.target()
    supplier, customer = aliased(Department), aliased(Department)
    met = func.sum(case((Rating.standard_met == "met", 1), else_=0))
    answered = func.count(Rating.standard_met)
    health = func.avg(Rating.health)
    rows = db.session.execute(
        select(Contract.id, supplier.code, customer.code, Service.name, health, Contract.target, met, answered)
        .join(Contract, Rating.contract_id == Contract.id)
        .join(supplier, Contract.supplier_id == supplier.id)
        .join(customer, Contract.customer_id == customer.id)
        .join(Service, Contract.service_id == Service.id)
        .where(Rating.period_id == period.id)
        .group_by(Contract.id, supplier.code, customer.code, Service.name, Contract.target)
    ).all()
    out = []
    for cid, sup, cus, service, h, own_target, n_met, n in rows:
        t = float(own_target) if own_target is not None else float(target)
        if h is not None and n and n_met * 2 > n and float(h) < t:
            out.append(Watermelon(cid, sup, cus, service, float(h), t, int(n_met), int(n)))
    return sorted(out, key=lambda w: (w.health, w.supplier, w.customer))


# --- what needs me ---------------------------------------------------------------------------

@dataclass
class NeedsMe:
    """What a user must do now, with counts: the top of every home page and the navigation badge.

    ``ratings_due`` is the number of suppliers still to rate in the open period (heads and
    members, as on the rating page); the follow-up lists are those where the user is the one
    who must act (owner: acknowledge / plan / resolve; customer head: confirm); ``overdue``
    (COO and admin) the follow-ups overdue anywhere.
    """

    ratings_due: int = 0
    to_acknowledge: list[FollowUp] = field(default_factory=list)
    to_plan: list[FollowUp] = field(default_factory=list)
    to_resolve: list[FollowUp] = field(default_factory=list)
    to_confirm: list[FollowUp] = field(default_factory=list)
    overdue: int = 0

    @property
    def total(self) -> int:
        return (self.ratings_due + len(self.to_acknowledge) + len(self.to_plan) + len(self.to_resolve)
                + len(self.to_confirm) + self.overdue)


def needs_me(user, today: date) -> NeedsMe:
    """:class:`NeedsMe` of ``user`` on ``today``. A fixed number of queries: one for the COO and admin
    (every active follow-up, to count the overdue ones), four for a head or member."""
    from ..rate import queries as rate_queries
    from .periods import the_open_period
    out = NeedsMe()
    if user.role in ("head", "member"):
        period = the_open_period()
        if period is not None:
            contracts = rate_queries.rateable_contracts(user, period)
            mine = rate_queries.own_ratings(user, period, [c.id for c in contracts])
            out.ratings_due = sum(not rate_queries.is_done(mine.get(c.id)) for c in contracts)
    overseer = user.role in ("coo", "admin")
    stmt = (select(FollowUp).join(Contract, FollowUp.contract_id == Contract.id)
            .where(FollowUp.status.not_in(FOLLOW_UP_FINAL)).options(*_loaded()))
    if not overseer:
        cond = [FollowUp.owner_id == user.id]
        if user.role == "head":
            cond.append(and_(Contract.customer_id == user.department_id, FollowUp.status == "resolved"))
        stmt = stmt.where(or_(*cond))
    rows = db.session.scalars(stmt).unique().all()
    for fu in sorted(rows, key=lambda f: (due_status(f, today).due or date.max, f.id)):
        if overseer and due_status(fu, today).overdue:
            out.overdue += 1
        if fu.status == "resolved":
            if is_customer_head(user, fu):
                out.to_confirm.append(fu)
        elif fu.owner_id == user.id:
            {"open": out.to_acknowledge, "acknowledged": out.to_plan, "planned": out.to_resolve}[fu.status].append(fu)
    return out


def watermelons_per_supplier(rows: list[Watermelon]) -> list[tuple[str, int]]:
    """How many watermelon agreements each supplier department has, most first, then by code."""
    counts: dict[str, int] = {}
    for w in rows:
        counts[w.supplier] = counts.get(w.supplier, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
