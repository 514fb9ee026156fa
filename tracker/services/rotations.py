"""HR rotations: plan them where the friction is, record what happened, see whether they helped.

Every write validates first, records the audit row and commits once, or raises
:class:`RotationError` having written nothing. Readers run a fixed number of queries
whatever the size of the organization.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import has_request_context
from sqlalchemy import and_, func, or_, select

from ..analysis.rotations import (ContractAnswers, PlannedVisit, RotationSuggestion, Suggestions, effect_summary,
                                  mentions_requests, plan_risk, propose_plan, suggest)
from ..extensions import db
from ..models import AuditLog, Contract, Criterion, Department, Period, Rating, RatingScore, Rotation, User
from . import audit
from . import settings as settings_service
from .analysis import known_periods, period_analysis
from .messages import _

__all__ = [
    "DURATIONS", "STATUSES", "BeforeAfter", "RotationError", "RotationInput", "before_after", "calendar", "capacities",
    "check", "company_effect", "create_rotation", "department_map", "export_rows", "ics_bytes", "list_rotations",
    "move_rotation", "period_for", "period_rotations", "period_weeks", "propose", "set_status", "suggestions",
    "update_rotation",
]

DURATIONS = ("half_day", "day")
STATUSES = ("planned", "done", "cancelled")
PERSON_MAX = 200
FIELDS = ("person", "from_department_id", "to_department_id", "on_date", "duration", "notes", "person_user_id",
          "period_id", "purpose", "contract_id")
#: Half days a duration takes; a person has two per day.
HALVES = {"half_day": 1, "day": 2}


class RotationError(ValueError):
    """A change is refused; ``errors`` maps a form field (``""`` for the whole form) to the reason."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in errors.items()))


@dataclass
class RotationInput:
    """What HR entered for a rotation."""

    person: str
    from_department_id: int | None
    to_department_id: int | None
    on_date: date | None
    duration: str = "day"
    notes: str = ""
    person_user_id: int | None = None
    period_id: int | None = None
    purpose: str = ""
    contract_id: int | None = None


def _day(value: date) -> str:
    """A date for a message: the reader's locale in a request, ISO elsewhere (CLI, tests without a request)."""
    if has_request_context():
        from ..formatting import date_filter
        return date_filter(value)
    return value.isoformat()


def week_start(value: date) -> date:
    """The Monday of ``value``'s ISO week (a rotation week runs Monday to Sunday)."""
    return value - timedelta(days=value.weekday())


def capacities(departments: list[Department] | None = None) -> tuple[dict[int, int], dict[int, int]]:
    """People each department may send and host per week: ``({department id: n}, {department id: n})``.

    The settings ``rotation_sends_per_week`` and ``rotation_hosts_per_week`` give the
    default; a setting ``rotation_sends_per_week:CODE`` (or ``…hosts…:CODE``) overrides
    it for one department. ``departments`` defaults to every department. Two queries.
    """
    values = settings_service.all_settings()
    if departments is None:
        departments = list(db.session.scalars(select(Department)))
    sends, hosts = {}, {}
    for dep in departments:
        sends[dep.id] = _int(values.get(f"rotation_sends_per_week:{dep.code}", values["rotation_sends_per_week"]))
        hosts[dep.id] = _int(values.get(f"rotation_hosts_per_week:{dep.code}", values["rotation_hosts_per_week"]))
    return sends, hosts


def _int(text: str) -> int:
    try:
        return max(0, int(str(text).strip()))
    except ValueError:
        return 0


def period_for(on_date: date) -> Period | None:
    """The period whose dates contain ``on_date`` (the latest-starting one if several), else None."""
    return db.session.scalar(select(Period).where(Period.start_date <= on_date, Period.end_date >= on_date)
                             .order_by(Period.start_date.desc()).limit(1))


def check(data: RotationInput, rot: Rotation | None = None, *, today: date | None = None) -> dict[str, str]:
    """Problems of ``data`` (for a new rotation, or an edit of ``rot``) as ``{field: reason}``; empty when fine.

    Besides the fields themselves: the date must lie in the rotation's period and, for a
    new rotation or a changed date, not in the past; the person may not visit the own
    department; a person has at most two half days (or one day) per day; and the sending
    and hosting departments stay within their weekly capacity (:func:`capacities`).
    Cancelled rotations count for nothing. Each message names the conflict.
    """
    data = _clean(data)
    today = today or date.today()
    errors: dict[str, str] = {}
    user = db.session.get(User, data.person_user_id) if data.person_user_id else None
    if data.person_user_id and user is None:
        errors["person_user_id"] = _("Choose a person.")
    if user is not None and not data.person:
        data.person = user.name or user.email
    if user is not None and data.from_department_id is None:
        data.from_department_id = user.department_id
    if not data.person:
        errors["person"] = _("Name the person who rotates.")
    elif len(data.person) > PERSON_MAX:
        errors["person"] = _("At most %(num)d characters.", num=PERSON_MAX)
    if data.on_date is None:
        errors["on_date"] = _("A date is required.")
    if data.duration not in DURATIONS:
        errors["duration"] = _("Half a day or a day.")
    ids = {i for i in (data.from_department_id, data.to_department_id) if i is not None}
    found = {d.id: d for d in db.session.scalars(select(Department).where(Department.id.in_(ids)))} if ids else {}
    # An edit may keep a department archived since; a new rotation needs active ones.
    kept = {rot.from_department_id, rot.to_department_id} if rot else set()
    for name in ("from_department_id", "to_department_id"):
        dep = found.get(getattr(data, name))
        if dep is None:
            errors[name] = _("Choose a department.")
        elif dep.kind != "internal":
            errors[name] = _("Rotations are between internal departments; %(code)s is an external customer.",
                             code=dep.code)
        elif dep.archived_at is not None and dep.id not in kept:
            errors[name] = _("Department %(code)s is archived.", code=dep.code)
    if ("from_department_id" not in errors and "to_department_id" not in errors
            and data.from_department_id == data.to_department_id):
        errors["to_department_id"] = _("A rotation goes to a different department: %(person)s works in %(code)s.",
                                       person=data.person or "?", code=found[data.to_department_id].code)
    if user is not None and user.department_id is not None and user.department_id == data.to_department_id:
        errors.setdefault("to_department_id", _(
            "A rotation goes to a different department: %(person)s works in %(code)s.",
            person=data.person, code=found[data.to_department_id].code if data.to_department_id in found else "?"))
    if data.contract_id is not None:
        con = db.session.get(Contract, data.contract_id)
        if con is None or {con.supplier_id, con.customer_id} != {data.from_department_id, data.to_department_id}:
            errors["contract_id"] = _("The linked agreement must be between the two departments.")
    if data.on_date is not None:
        period = db.session.get(Period, data.period_id) if data.period_id else period_for(data.on_date)
        if period is None:
            errors["on_date"] = _("No period covers %(day)s; plan rotations within a period.", day=_day(data.on_date))
        elif not period.start_date <= data.on_date <= period.end_date:
            errors["on_date"] = _("%(day)s is outside the period %(period)s (%(start)s – %(end)s).",
                                  day=_day(data.on_date), period=period.label, start=_day(period.start_date),
                                  end=_day(period.end_date))
        elif data.on_date < today and (rot is None or rot.on_date != data.on_date):
            errors["on_date"] = _("%(day)s is in the past; plan a rotation from today on.", day=_day(data.on_date))
    if not errors:
        errors.update(_conflicts(data, rot, found))
    return errors


def _conflicts(data: RotationInput, rot: Rotation | None, found: dict[int, Department]) -> dict[str, str]:
    """The double booking and capacity checks, once the fields themselves are fine."""
    errors: dict[str, str] = {}
    monday = week_start(data.on_date)
    sunday = monday + timedelta(days=6)
    others = select(Rotation).where(Rotation.status != "cancelled")
    if rot is not None and rot.id is not None:
        others = others.where(Rotation.id != rot.id)
    if data.person_user_id:
        same = Rotation.person_user_id == data.person_user_id
    else:
        same = and_(func.lower(Rotation.person) == data.person.lower(),
                    Rotation.from_department_id == data.from_department_id)
    booked = list(db.session.scalars(others.where(same, Rotation.on_date == data.on_date)))
    if sum(HALVES.get(r.duration, 2) for r in booked) + HALVES[data.duration] > 2:
        hosts = {d.id: d.code for d in db.session.scalars(
            select(Department).where(Department.id.in_({r.to_department_id for r in booked})))}
        what = ", ".join((_("half a day in %(code)s", code=hosts[r.to_department_id]) if r.duration == "half_day"
                          else _("a day in %(code)s", code=hosts[r.to_department_id])) for r in booked)
        errors["on_date"] = _("%(person)s is already booked on %(day)s (%(what)s); two half days a day at most.",
                              person=data.person, day=_day(data.on_date), what=what)
    sends, hosts = capacities([found[data.from_department_id], found[data.to_department_id]])
    week = others.where(Rotation.on_date >= monday, Rotation.on_date <= sunday)
    sent = db.session.scalar(select(func.count()).select_from(
        week.where(Rotation.from_department_id == data.from_department_id).subquery()))
    hosted = db.session.scalar(select(func.count()).select_from(
        week.where(Rotation.to_department_id == data.to_department_id).subquery()))
    if sent >= sends[data.from_department_id]:
        errors["from_department_id"] = _(
            "Over capacity: %(code)s already sends %(num)d people in the week of %(day)s (at most %(cap)d).",
            code=found[data.from_department_id].code, num=sent, day=_day(monday), cap=sends[data.from_department_id])
    if hosted >= hosts[data.to_department_id]:
        errors["to_department_id"] = _(
            "Over capacity: %(code)s already hosts %(num)d people in the week of %(day)s (at most %(cap)d).",
            code=found[data.to_department_id].code, num=hosted, day=_day(monday), cap=hosts[data.to_department_id])
    return errors


def _clean(data: RotationInput) -> RotationInput:
    return RotationInput(person=(data.person or "").strip(), from_department_id=data.from_department_id,
                         to_department_id=data.to_department_id, on_date=data.on_date,
                         duration=data.duration or "day", notes=(data.notes or "").strip(),
                         person_user_id=data.person_user_id or None, period_id=data.period_id or None,
                         purpose=(data.purpose or "").strip(), contract_id=data.contract_id or None)


def _resolved(data: RotationInput) -> RotationInput:
    """``data`` with the person's name and home department taken from the chosen user, and the period from the date."""
    data = _clean(data)
    user = db.session.get(User, data.person_user_id) if data.person_user_id else None
    if user is not None:
        data.person = data.person or user.name or user.email
        data.from_department_id = data.from_department_id or user.department_id
    if data.period_id is None and data.on_date is not None:
        period = period_for(data.on_date)
        data.period_id = period.id if period else None
    return data


def create_rotation(data: RotationInput, *, actor_id: int | None = None, today: date | None = None) -> Rotation:
    """Plan a rotation and commit (a view sends it through :func:`tracker.services.once.submit`, one row per form).

    Raises
    ------
    RotationError
        Any problem :func:`check` finds: a missing field, an external or archived
        department, the own department, a date outside the period or in the past, a
        double booking of the person, or a department over its weekly capacity.
    """
    data = _resolved(data)
    errors = check(data, None, today=today)
    if errors:
        raise RotationError(errors)
    rot = Rotation(person=data.person, from_department_id=data.from_department_id,
                   to_department_id=data.to_department_id, on_date=data.on_date, duration=data.duration,
                   notes=data.notes or None, status="planned", person_user_id=data.person_user_id,
                   period_id=data.period_id, purpose=data.purpose or None, contract_id=data.contract_id)
    audit.add_created("rotation", rot, lambda r: {f: getattr(r, f) for f in FIELDS}, user_id=actor_id)
    db.session.commit()
    return rot


def update_rotation(rot: Rotation, data: RotationInput, *, actor_id: int | None = None,
                    today: date | None = None) -> Rotation:
    """Change a planned rotation's fields and commit (no change, no write).

    Raises
    ------
    RotationError
        As :func:`create_rotation` (a date kept as it was may be in the past), or the
        rotation is no longer planned.
    """
    if rot.status != "planned":
        raise RotationError({"": _("Only a planned rotation can be changed.")})
    data = _resolved(data)
    if data.on_date is not None and data.period_id == rot.period_id and rot.period_id is not None:
        period = db.session.get(Period, rot.period_id)
        if not period.start_date <= data.on_date <= period.end_date:
            moved = period_for(data.on_date)
            data.period_id = moved.id if moved else data.period_id
    errors = check(data, rot, today=today)
    if errors:
        raise RotationError(errors)
    values = {f: getattr(data, f) for f in FIELDS}
    for f in ("notes", "purpose"):
        values[f] = values[f] or None
    changes = audit.diff(rot, list(FIELDS), values)
    if not changes:
        return rot
    for f, value in values.items():
        setattr(rot, f, value)
    audit.record("update", "rotation", rot.id, changes, user_id=actor_id)
    db.session.commit()
    return rot


def _input_of(rot: Rotation, **changes) -> RotationInput:
    values = {f: getattr(rot, f) for f in FIELDS}
    values.update(changes)
    values = {k: ("" if v is None and k in ("notes", "purpose") else v) for k, v in values.items()}
    return RotationInput(**values)


def move_rotation(rot: Rotation, week: date, *, actor_id: int | None = None, today: date | None = None) -> Rotation:
    """Move a planned rotation to the week starting ``week`` (same weekday, kept inside its period) and commit.

    Raises
    ------
    RotationError
        As :func:`update_rotation`, e.g. the target week is over capacity or in the past.
    """
    target = week_start(week) + timedelta(days=rot.on_date.weekday())
    period = db.session.get(Period, rot.period_id) if rot.period_id else period_for(rot.on_date)
    if period is not None:
        target = min(max(target, period.start_date), period.end_date)
    return update_rotation(rot, _input_of(rot, on_date=target), actor_id=actor_id, today=today)


NOTE_MAX = 2000


def set_status(rot: Rotation, status: str, *, visitor_note: str = "", host_note: str = "",
               cancel_reason: str = "", actor_id: int | None = None) -> Rotation:
    """Mark a planned rotation done (with the visitor's and the host's notes) or cancelled (with a reason); commit.

    Raises
    ------
    RotationError
        An unknown status, a rotation that is not planned any more, a cancellation
        without a reason, or a note over 2000 characters.
    """
    if status not in ("done", "cancelled"):
        raise RotationError({"status": _("Unknown status.")})
    if rot.status != "planned":
        raise RotationError({"status": _("Only a planned rotation can be marked done or cancelled.")})
    visitor_note, host_note, cancel_reason = ((x or "").strip() for x in (visitor_note, host_note, cancel_reason))
    errors = {}
    if status == "cancelled" and not cancel_reason:
        errors["cancel_reason"] = _("Say why the rotation is cancelled.")
    for name, text in (("visitor_note", visitor_note), ("host_note", host_note), ("cancel_reason", cancel_reason)):
        if len(text) > NOTE_MAX:
            errors[name] = _("At most %(num)d characters.", num=NOTE_MAX)
    if errors:
        raise RotationError(errors)
    values = {"status": status}
    if status == "done":
        values |= {"visitor_note": visitor_note or None, "host_note": host_note or None}
    else:
        values |= {"cancel_reason": cancel_reason}
    changes = audit.diff(rot, list(values), values)
    for f, value in values.items():
        setattr(rot, f, value)
    audit.record("update", "rotation", rot.id, changes, user_id=actor_id)
    db.session.commit()
    return rot


# --- reading ---------------------------------------------------------------------------------

def list_rotations(*, department_id: int | None = None, status: str = "") -> list[Rotation]:
    """Rotations by date (then id), optionally those involving ``department_id`` or of one ``status``."""
    stmt = select(Rotation).order_by(Rotation.on_date, Rotation.id)
    if department_id is not None:
        stmt = stmt.where(or_(Rotation.from_department_id == department_id,
                              Rotation.to_department_id == department_id))
    if status in STATUSES:
        stmt = stmt.where(Rotation.status == status)
    return list(db.session.scalars(stmt))


def department_map(rotations: list[Rotation]) -> dict[int, Department]:
    """The departments the rotations name, by id, in one query."""
    ids = {r.from_department_id for r in rotations} | {r.to_department_id for r in rotations}
    if not ids:
        return {}
    return {d.id: d for d in db.session.scalars(select(Department).where(Department.id.in_(ids)))}


@dataclass
class LinkHealth:
    """Health of one direction between two departments in one period (None: not yet rated), with rating counts."""

    supplier: str
    customer: str
    before: float | None
    after: float | None
    before_n: int = 0
    after_n: int = 0
    service: str = ""

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass
class BeforeAfter:
    """A done rotation's links in the period before its date and the period after (or the current one)."""

    before_period: Period | None
    after_period: Period | None
    links: list[LinkHealth]


def _periods_around(on_date: date, periods: list[Period]) -> tuple[Period | None, Period | None]:
    """The latest period ending before ``on_date``; the earliest starting after it, else the one containing it."""
    before = [p for p in periods if p.end_date < on_date]
    after = [p for p in periods if p.start_date > on_date]
    containing = [p for p in periods if p.start_date <= on_date <= p.end_date]
    return (before[-1] if before else None,
            after[0] if after else (containing[-1] if containing else None))


def before_after(rotations: list[Rotation], departments: dict[int, Department]) -> dict[int, BeforeAfter]:
    """For each done rotation, health of its linked agreement (and the reverse direction), before and after.

    With a linked agreement: that agreement's health (the mean of the period's ratings,
    with their count) and the reverse direction's link health; without one: the link
    health of both directions between its departments. Link health is the lowest contract
    health among the rated contracts of that direction (PRODUCT.md definition 3), its
    count the ratings of that contract. Nothing is borrowed from earlier periods, so a
    missing value is honestly "not yet rated"; directions with no contract are left out.
    An observation, not a proof. Three queries whatever the number of rotations.
    """
    done = [r for r in rotations if r.status == "done"]
    if not done:
        return {}
    periods = known_periods()
    around = {r.id: _periods_around(r.on_date, periods) for r in done}
    pairs = set()
    for r in done:
        pairs.add((r.from_department_id, r.to_department_id))
        pairs.add((r.to_department_id, r.from_department_id))
    period_ids = {p.id for pair in around.values() for p in pair if p is not None}

    # per direction, per period: {contract id: (mean health, ratings)}
    health: dict[tuple[int, int], dict[int, dict[int, tuple[float, int]]]] = defaultdict(lambda: defaultdict(dict))
    contracts: dict[int, tuple[int, int]] = {}
    pair_condition = or_(*(and_(Contract.supplier_id == s, Contract.customer_id == c) for s, c in pairs))
    for cid, sup, cus in db.session.execute(
        select(Contract.id, Contract.supplier_id, Contract.customer_id).where(pair_condition)
    ):
        contracts[cid] = (sup, cus)
    exists_pairs = set(contracts.values())
    services = _contracts(done)
    if period_ids:
        for sup, cus, pid, cid, mean, n in db.session.execute(
            select(Contract.supplier_id, Contract.customer_id, Rating.period_id, Rating.contract_id,
                   func.avg(Rating.health), func.count(Rating.id))
            .join(Contract, Rating.contract_id == Contract.id)
            .where(pair_condition, Rating.period_id.in_(period_ids), Rating.health.is_not(None))
            .group_by(Contract.supplier_id, Contract.customer_id, Rating.period_id, Rating.contract_id)
        ):
            health[(sup, cus)][pid][cid] = (float(mean), int(n))

    def link(pair, period, only=None):
        if period is None:
            return None, 0
        values = {cid: v for cid, v in health[pair].get(period.id, {}).items() if only is None or cid == only}
        if not values:
            return None, 0
        return min(values.values(), key=lambda v: (v[0], -v[1]))

    result = {}
    for r in done:
        before, after = around[r.id]
        links = []
        linked = contracts.get(r.contract_id) if r.contract_id else None
        for pair in ((r.from_department_id, r.to_department_id), (r.to_department_id, r.from_department_id)):
            if pair not in exists_pairs:
                continue
            only = r.contract_id if linked == pair else None
            if linked is not None and linked != pair and linked != pair[::-1]:
                only = None
            (hb, nb), (ha, na) = link(pair, before, only), link(pair, after, only)
            sup, cus = departments[pair[0]].code, departments[pair[1]].code
            service = services[r.contract_id].service.name if only is not None and r.contract_id in services else ""
            links.append(LinkHealth(sup, cus, hb, ha, nb, na, service))
        result[r.id] = BeforeAfter(before, after, links)
    return result


def _recent_periods(period: Period) -> list[Period]:
    """The period and the ``rotation_skip_periods`` periods before it (by start date)."""
    periods = known_periods()
    index = next(i for i, p in enumerate(periods) if p.id == period.id)
    n = _int(settings_service.get("rotation_skip_periods"))
    return periods[max(0, index - n):index + 1]


def _answers(period: Period, contract_ids: set[int], show_comments: bool) -> dict[int, ContractAnswers]:
    """Per contract: the mean "communication" score and the comments of ``period``'s ratings. Two queries."""
    if not contract_ids:
        return {}
    communication = dict(db.session.execute(
        select(Rating.contract_id, func.avg(RatingScore.score))
        .join(RatingScore, RatingScore.rating_id == Rating.id)
        .join(Criterion, RatingScore.criterion_id == Criterion.id)
        .where(Criterion.key == "communication", Rating.period_id == period.id,
               Rating.contract_id.in_(contract_ids))
        .group_by(Rating.contract_id)).all())
    comments: dict[int, list[str]] = defaultdict(list)
    for cid, text in db.session.execute(
            select(Rating.contract_id, Rating.comment)
            .where(Rating.period_id == period.id, Rating.contract_id.in_(contract_ids), Rating.comment.is_not(None),
                   Rating.comment != "")
            .order_by(Rating.health, Rating.id)):
        comments[cid].append(text)
    return {cid: ContractAnswers(
        communication=None if communication.get(cid) is None else float(communication[cid]),
        comments=tuple(comments[cid]) if show_comments else (),
        mentions_requests=any(mentions_requests(t) for t in comments[cid]))
        for cid in contract_ids}


def suggestions(period: Period, *, limit: int | None = 20, show_comments: bool = False
                ) -> tuple[Suggestions, object]:
    """Suggested rotations in ``period``, the pairs skipped for a recent rotation, and the period's analysis.

    A pair is skipped when a rotation between its two departments (planned or done,
    either direction) is dated within ``period`` or the ``rotation_skip_periods``
    periods before it. ``show_comments``: whether the reader may see comment text (the
    rule of :func:`tracker.auth.access.sees_comment_text`); without it the reason gives
    no excerpt. See :func:`tracker.analysis.rotations.suggest` for the ranking and the
    direction of each visit.
    """
    pa = period_analysis(period)
    recent_periods = _recent_periods(period)
    rows = db.session.execute(
        select(Rotation.from_department_id, Rotation.to_department_id, Rotation.on_date)
        .where(Rotation.status != "cancelled", Rotation.on_date >= recent_periods[0].start_date,
               Rotation.on_date <= period.end_date)
        .order_by(Rotation.on_date)
    ).all()
    codes = dict(db.session.execute(
        select(Department.id, Department.code).where(
            Department.id.in_({i for row in rows for i in row[:2]} or {-1}))
    ).all())
    recent = {}
    for a, b, on in rows:
        label = next((p.label for p in reversed(recent_periods) if p.start_date <= on <= p.end_date), period.label)
        recent[(codes[a], codes[b])] = label
    below = {cid for cid, f in pa.contracts.items() if f.health is not None and f.health < f.target}
    answers = _answers(period, below, show_comments)
    return suggest(pa, answers=answers, recent=recent, limit=limit), pa


def reason(s: RotationSuggestion) -> str:
    """One line saying why: the agreement, the scores, a short comment excerpt when the reader may see it."""
    parts = [_("agreement “%(service)s” %(a)s → %(b)s: health %(h).1f", service=s.service, a=s.supplier,
               b=s.customer, h=s.health)]
    if s.reverse_health is not None:
        parts.append(_("%(b)s → %(a)s: health %(h).1f", a=s.supplier, b=s.customer, h=s.reverse_health))
    if s.communication is not None:
        parts.append(_("communication %(c).1f of 5", c=s.communication))
    parts.append(_("risk %(r).0f", r=s.risk))
    line = "; ".join(parts)
    if s.excerpt:
        line += " — “" + s.excerpt + "”"
    return line


def direction(s: RotationSuggestion) -> str:
    """Who visits whom, in words."""
    if s.kind == "mutual":
        return _("mutual friction: a person of %(a)s visits %(b)s and one of %(b)s visits %(a)s.",
                 a=s.supplier, b=s.customer)
    if s.kind == "customer_visits":
        return _("a person of %(b)s visits %(a)s to learn how to ask for the service.", a=s.supplier, b=s.customer)
    return _("a person of %(a)s spends a day in %(b)s to see how the product is used.", a=s.supplier, b=s.customer)


def period_weeks(period: Period) -> list[date]:
    """The Mondays of the ISO weeks that overlap ``period``, in order."""
    weeks, monday = [], week_start(period.start_date)
    while monday <= period.end_date:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def _visit_day(monday: date, period: Period, today: date) -> date | None:
    """The day a proposed visit takes in a week: Tuesday, else another working day inside the period, after today."""
    for offset in (1, 2, 3, 0, 4):
        day = monday + timedelta(days=offset)
        if period.start_date <= day <= period.end_date and day > today:
            return day
    return None


@dataclass
class ProposedVisit:
    """One visit of a proposed (not saved) plan."""

    visitor: str
    host: str
    visitor_id: int
    host_id: int
    on_date: date
    suggestion: RotationSuggestion
    weight: float


@dataclass
class Proposal:
    """A proposed plan: the visits, the risk they cover, and what greedy would cover, for comparison."""

    period: Period
    visits: list[ProposedVisit]
    covered: float
    total: float
    greedy: float
    unplanned: int = 0
    weeks: list[date] = field(default_factory=list)


def propose(period: Period, *, today: date | None = None) -> Proposal:
    """Propose (never save) a plan for ``period`` from its suggestions, within every weekly capacity.

    Weeks with no working day after ``today`` are left out; rotations already
    booked use capacity. Each suggestion's risk is split over its visits (two for mutual
    friction). See :func:`tracker.analysis.rotations.propose_plan` for the algorithm.
    """
    from ..analysis.rotations import greedy_plan

    today = today or date.today()
    found, _pa = suggestions(period, limit=None)
    legs, owner = [], []
    for s in found.rows:
        for visitor, host in s.legs:
            legs.append((visitor, host, s.score / len(s.legs)))
            owner.append(s)
    weeks = [(m, _visit_day(m, period, today)) for m in period_weeks(period)]
    weeks = [(m, d) for m, d in weeks if d is not None]
    deps = {d.code: d for d in db.session.scalars(select(Department))}
    sends_by_id, hosts_by_id = capacities(list(deps.values()))
    sends = {code: sends_by_id[d.id] for code, d in deps.items()}
    hosts = {code: hosts_by_id[d.id] for code, d in deps.items()}
    index = {m: i for i, (m, _d) in enumerate(weeks)}
    sent, hosted = defaultdict(int), defaultdict(int)
    codes = {d.id: code for code, d in deps.items()}
    for a, b, on in db.session.execute(
            select(Rotation.from_department_id, Rotation.to_department_id, Rotation.on_date)
            .where(Rotation.status != "cancelled", Rotation.on_date >= period.start_date - timedelta(days=6),
                   Rotation.on_date <= period.end_date + timedelta(days=6))):
        week = index.get(week_start(on))
        if week is not None:
            sent[week, codes[a]] += 1
            hosted[week, codes[b]] += 1
    plan = propose_plan(legs, len(weeks), sends, hosts, sent=sent, hosted=hosted)
    greedy = greedy_plan(legs, len(weeks), sends, hosts, sent=sent, hosted=hosted)
    visits = [ProposedVisit(v.visitor, v.host, deps[v.visitor].id, deps[v.host].id, weeks[v.week][1], owner[v.leg],
                            v.weight) for v in plan]
    return Proposal(period, visits, plan_risk(plan), float(sum(w for _a, _b, w in legs)), plan_risk(greedy),
                    unplanned=len(legs) - len(plan), weeks=[m for m, _d in weeks])


# --- the period's plan: calendar and exports ------------------------------------------------------

def period_rotations(period: Period, *, department_id: int | None = None) -> list[Rotation]:
    """Rotations dated within ``period`` (any status), by date then id; optionally those involving ``department_id``."""
    stmt = (select(Rotation).where(Rotation.on_date >= period.start_date, Rotation.on_date <= period.end_date)
            .order_by(Rotation.on_date, Rotation.id))
    if department_id is not None:
        stmt = stmt.where(or_(Rotation.from_department_id == department_id,
                              Rotation.to_department_id == department_id))
    return list(db.session.scalars(stmt))


def calendar(period: Period, rotations: list[Rotation]) -> dict[int, dict[date, list[Rotation]]]:
    """``{department id: {week Monday: [rotations it sends or hosts that week, not cancelled]}}``."""
    grid: dict[int, dict[date, list[Rotation]]] = defaultdict(lambda: defaultdict(list))
    for r in rotations:
        if r.status == "cancelled":
            continue
        monday = week_start(r.on_date)
        grid[r.from_department_id][monday].append(r)
        grid[r.to_department_id][monday].append(r)
    return grid


EXPORT_COLUMNS = ("id", "date", "duration", "person", "from", "to", "purpose", "agreement", "status",
                  "visitor_note", "host_note", "cancel_reason")


def export_rows(rotations: list[Rotation]) -> list[list]:
    """The plan as rows for CSV/XLSX (header first); the export helpers neutralise text for Excel."""
    departments = department_map(rotations)
    contracts = _contracts(rotations)
    rows: list[list] = [list(EXPORT_COLUMNS)]
    for r in rotations:
        con = contracts.get(r.contract_id)
        rows.append([r.id, r.on_date, r.duration, r.person, departments[r.from_department_id].code,
                     departments[r.to_department_id].code, r.purpose or "",
                     con.service.name if con else "", r.status, r.visitor_note or "", r.host_note or "",
                     r.cancel_reason or ""])
    return rows


def _contracts(rotations: list[Rotation]) -> dict[int, Contract]:
    ids = {r.contract_id for r in rotations if r.contract_id}
    if not ids:
        return {}
    from sqlalchemy.orm import selectinload
    return {c.id: c for c in db.session.scalars(
        select(Contract).where(Contract.id.in_(ids)).options(selectinload(Contract.service)))}


HOURS = {"half_day": (time(9), time(13)), "day": (time(9), time(17))}


def ics_bytes(rotations: list[Rotation], *, calendar_name: str = "Rotations") -> bytes:
    """The rotations as an iCalendar file (RFC 5545): one VEVENT per rotation.

    UIDs are ``rotation-<id>@tracker`` so a re-export updates the same events in a
    calendar instead of duplicating them; ``SEQUENCE`` is the number of audited changes
    so the update wins; a cancelled rotation is ``STATUS:CANCELLED``. Times: a half day
    09:00–13:00, a day 09:00–17:00 in the ``timezone`` setting (an IANA name).
    """
    from zoneinfo import ZoneInfo

    from icalendar import Calendar, Event

    zone = ZoneInfo(settings_service.get("timezone"))
    departments = department_map(rotations)
    contracts = _contracts(rotations)
    sequence = dict(db.session.execute(
        select(AuditLog.entity_id, func.count()).where(
            AuditLog.entity == "rotation", AuditLog.entity_id.in_([r.id for r in rotations] or [-1]))
        .group_by(AuditLog.entity_id)).all())
    cal = Calendar()
    cal.add("prodid", "-//Internal service tracker//rotations//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", calendar_name)
    cal.add("x-wr-timezone", str(zone))
    for r in rotations:
        start, end = HOURS.get(r.duration, HOURS["day"])
        a, b = departments[r.from_department_id], departments[r.to_department_id]
        event = Event()
        event.add("uid", f"rotation-{r.id}@tracker")
        event.add("dtstamp", r.updated_at or r.created_at or datetime.now(tz=zone))
        event.add("dtstart", datetime.combine(r.on_date, start, tzinfo=zone))
        event.add("dtend", datetime.combine(r.on_date, end, tzinfo=zone))
        event.add("summary", f"{r.person}: {a.code} → {b.code}")
        con = contracts.get(r.contract_id)
        lines = [r.purpose or "", f"{con.service.name} ({a.code} ↔ {b.code})" if con else ""]
        event.add("description", "\n".join(x for x in lines if x))
        event.add("location", b.name)
        event.add("status", {"planned": "CONFIRMED", "done": "CONFIRMED", "cancelled": "CANCELLED"}[r.status])
        event.add("sequence", max(0, int(sequence.get(r.id, 1)) - 1))
        cal.add_component(event)
    return cal.to_ical()


# --- the effect ------------------------------------------------------------------------------------

@dataclass
class CompanyEffect:
    """Weak links of ``before`` rated again in ``after``: mean health change with a rotation and without."""

    before: Period
    after: Period
    summary: dict


def company_effect(after: Period | None = None) -> CompanyEffect | None:
    """The mean change of ``before``'s weak links into ``after`` (default: the current period and the one before it).

    A weak link "had a rotation" when a done rotation between its two departments (either
    direction) is dated from the start of ``before`` to the end of ``after``. Only links
    rated (not stale) in both periods count. None when there is no earlier period.
    See :func:`tracker.analysis.rotations.effect_summary`.
    """
    from .analysis import current_period

    periods = known_periods()
    after = after or current_period()
    if after is None:
        return None
    index = next(i for i, p in enumerate(periods) if p.id == after.id)
    if index == 0:
        return None
    before = periods[index - 1]
    pa_before, pa_after = period_analysis(before), period_analysis(after)
    codes = dict(db.session.execute(select(Department.id, Department.code)).all())
    rotated = {frozenset((codes[a], codes[b])) for a, b in db.session.execute(
        select(Rotation.from_department_id, Rotation.to_department_id)
        .where(Rotation.status == "done", Rotation.on_date >= before.start_date, Rotation.on_date <= after.end_date))}
    changes = []
    for w in pa_before.weak_links:
        if w.stale:
            continue
        later = pa_after.contracts.get(w.contract.id)
        if later is None or later.health is None or later.stale:
            continue
        changes.append((later.health - w.health, frozenset((w.contract.supplier, w.contract.customer)) in rotated))
    return CompanyEffect(before, after, effect_summary(changes))


# --- rotation settings ------------------------------------------------------------------------------

SETTING_KEYS = ("rotation_sends_per_week", "rotation_hosts_per_week", "rotation_skip_periods", "timezone")
CAPACITY_MAX = 50


@dataclass
class RotationSettings:
    """The rotation settings as HR edits them; ``overrides`` maps a department code to (sends, hosts) per week."""

    sends: int
    hosts: int
    skip_periods: int
    timezone: str
    overrides: dict[str, tuple[int, int]] = field(default_factory=dict)


def rotation_settings() -> RotationSettings:
    """The current rotation settings (defaults filled in), overrides by department code."""
    values = settings_service.all_settings()
    overrides: dict[str, list[int]] = {}
    for key, value in values.items():
        for i, prefix in enumerate(("rotation_sends_per_week:", "rotation_hosts_per_week:")):
            if key.startswith(prefix):
                code = key[len(prefix):]
                default = [_int(values["rotation_sends_per_week"]), _int(values["rotation_hosts_per_week"])]
                overrides.setdefault(code, default)[i] = _int(value)
    return RotationSettings(_int(values["rotation_sends_per_week"]), _int(values["rotation_hosts_per_week"]),
                            _int(values["rotation_skip_periods"]), values["timezone"],
                            {c: (s, h) for c, (s, h) in sorted(overrides.items())})


def parse_overrides(text: str) -> tuple[dict[str, tuple[int, int]], list[str]]:
    """Lines ``CODE SENDS HOSTS`` (spaces, commas or semicolons) → ``({code: (sends, hosts)}, [problems])``.

    A problem names the line number and what is wrong with it.
    """
    result: dict[str, tuple[int, int]] = {}
    problems: list[str] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        parts = line.replace(",", " ").replace(";", " ").split()
        if not parts:
            continue
        if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
            problems.append(_("Line %(num)d: write a department code and two whole numbers, e.g. “WH 1 2”; got “%(line)s”.",
                              num=number, line=line.strip()[:80]))
            continue
        sends, hosts = int(parts[1]), int(parts[2])
        if sends > CAPACITY_MAX or hosts > CAPACITY_MAX:
            problems.append(_("Line %(num)d: at most %(max)d people a week.", num=number, max=CAPACITY_MAX))
            continue
        result[parts[0].upper()] = (sends, hosts)
    return result, problems


def set_rotation_settings(new: RotationSettings, *, actor_id: int | None = None) -> dict[str, list]:
    """Save the rotation settings and commit with one audit row of what changed; returns ``{key: [old, new]}``.

    Raises
    ------
    RotationError
        A capacity or period count outside 0–50, an unknown IANA time zone, or an
        override for a department code that does not exist.
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    errors: dict[str, str] = {}
    for name, value in (("sends", new.sends), ("hosts", new.hosts), ("skip_periods", new.skip_periods)):
        if value is None or not 0 <= value <= CAPACITY_MAX:
            errors[name] = _("Enter a whole number from 0 to %(max)d.", max=CAPACITY_MAX)
    try:
        ZoneInfo((new.timezone or "").strip())
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = _("Unknown time zone “%(zone)s”; use a name such as Europe/Moscow.",
                               zone=(new.timezone or "")[:60])
    codes = set(db.session.scalars(select(Department.code).where(Department.code.in_(new.overrides or {""}))))
    unknown = sorted(set(new.overrides) - codes)
    if unknown:
        errors["overrides"] = _("Unknown department code: %(codes)s.", codes=", ".join(unknown))
    if errors:
        raise RotationError(errors)
    wanted = {"rotation_sends_per_week": str(new.sends), "rotation_hosts_per_week": str(new.hosts),
              "rotation_skip_periods": str(new.skip_periods), "timezone": new.timezone.strip()}
    for code, (sends, hosts) in new.overrides.items():
        wanted[f"rotation_sends_per_week:{code}"] = str(sends)
        wanted[f"rotation_hosts_per_week:{code}"] = str(hosts)
    stale = [k for k in settings_service.all_settings()
             if k.startswith(("rotation_sends_per_week:", "rotation_hosts_per_week:")) and k not in wanted]
    return settings_service.save_settings(wanted, remove=stale, actor_id=actor_id)
