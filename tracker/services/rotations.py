"""HR rotations: plan them where the friction is, record what happened, see whether they helped.

Every write validates first, records the audit row and commits once, or raises
:class:`RotationError` having written nothing. Readers run a fixed number of queries
whatever the size of the organization.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select

from ..analysis.rotations import RotationSuggestion, suggest_rotations
from ..extensions import db
from ..models import Contract, Department, Period, Rating, Rotation
from . import audit
from .analysis import known_periods, period_analysis
from .settings import _

__all__ = [
    "DURATIONS", "STATUSES", "BeforeAfter", "RotationError", "RotationInput", "before_after", "check",
    "create_rotation", "department_map", "list_rotations", "set_status", "suggestions", "update_rotation",
]

DURATIONS = ("half_day", "day")
STATUSES = ("planned", "done", "cancelled")
PERSON_MAX = 200
FIELDS = ("person", "from_department_id", "to_department_id", "on_date", "duration", "notes")


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


def check(data: RotationInput, rot: Rotation | None = None) -> dict[str, str]:
    """Problems of ``data`` (for a new rotation, or an edit of ``rot``) as ``{field: reason}``; empty when fine."""
    data = _clean(data)
    errors: dict[str, str] = {}
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
        errors["to_department_id"] = _("A rotation goes to a different department.")
    return errors


def _clean(data: RotationInput) -> RotationInput:
    return RotationInput(person=(data.person or "").strip(), from_department_id=data.from_department_id,
                         to_department_id=data.to_department_id, on_date=data.on_date,
                         duration=data.duration or "day", notes=(data.notes or "").strip())


def create_rotation(data: RotationInput, *, actor_id: int | None = None) -> Rotation:
    """Plan a rotation and commit.

    Raises
    ------
    RotationError
        No person, no date, an unknown duration, a missing, external or archived
        department, or the same department on both sides.
    """
    data = _clean(data)
    errors = check(data, None)
    if errors:
        raise RotationError(errors)
    rot = Rotation(person=data.person, from_department_id=data.from_department_id,
                   to_department_id=data.to_department_id, on_date=data.on_date, duration=data.duration,
                   notes=data.notes or None, status="planned")
    db.session.add(rot)
    db.session.flush()
    audit.record("create", "rotation", rot.id,
                 {f: [None, getattr(rot, f)] for f in FIELDS if getattr(rot, f) is not None}, user_id=actor_id)
    db.session.commit()
    return rot


def update_rotation(rot: Rotation, data: RotationInput, *, actor_id: int | None = None) -> Rotation:
    """Change a rotation's person, departments, date, duration or notes and commit (no change, no write).

    Raises
    ------
    RotationError
        As :func:`create_rotation`.
    """
    data = _clean(data)
    errors = check(data, rot)
    if errors:
        raise RotationError(errors)
    values = {f: getattr(data, f) for f in FIELDS}
    values["notes"] = values["notes"] or None
    changes = audit.diff(rot, list(FIELDS), values)
    if not changes:
        return rot
    for f, value in values.items():
        setattr(rot, f, value)
    audit.record("update", "rotation", rot.id, changes, user_id=actor_id)
    db.session.commit()
    return rot


def set_status(rot: Rotation, status: str, *, actor_id: int | None = None) -> Rotation:
    """Mark a planned rotation done or cancelled (or back to planned) and commit.

    Raises
    ------
    RotationError
        An unknown status.
    """
    if status not in STATUSES:
        raise RotationError({"status": _("Unknown status.")})
    if status == rot.status:
        return rot
    audit.record("update", "rotation", rot.id, {"status": [rot.status, status]}, user_id=actor_id)
    rot.status = status
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
    """Health of one direction between two departments in one period (None: not yet rated)."""

    supplier: str
    customer: str
    before: float | None
    after: float | None

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
    """For each done rotation, link health of both directions between its departments, before and after.

    Link health is the lowest contract health (mean health of the period's ratings) among
    the rated contracts of that direction, as in PRODUCT.md definition 3; nothing is
    borrowed from earlier periods, so a missing value is honestly "not yet rated". Links
    with no contract at all are left out. Two queries whatever the number of rotations.
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

    health: dict[tuple[int, int], dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    exists_pairs: set[tuple[int, int]] = set()
    pair_condition = or_(*(and_(Contract.supplier_id == s, Contract.customer_id == c) for s, c in pairs))
    for cid, sup, cus in db.session.execute(
        select(Contract.id, Contract.supplier_id, Contract.customer_id).where(pair_condition)
    ):
        exists_pairs.add((sup, cus))
    if period_ids:
        for sup, cus, pid, _cid, mean in db.session.execute(
            select(Contract.supplier_id, Contract.customer_id, Rating.period_id, Rating.contract_id,
                   func.avg(Rating.health))
            .join(Contract, Rating.contract_id == Contract.id)
            .where(pair_condition, Rating.period_id.in_(period_ids), Rating.health.is_not(None))
            .group_by(Contract.supplier_id, Contract.customer_id, Rating.period_id, Rating.contract_id)
        ):
            health[(sup, cus)][pid].append(float(mean))

    def link(pair, period):
        if period is None:
            return None
        values = health[pair].get(period.id)
        return min(values) if values else None

    result = {}
    for r in done:
        before, after = around[r.id]
        links = []
        for pair in ((r.from_department_id, r.to_department_id), (r.to_department_id, r.from_department_id)):
            if pair not in exists_pairs:
                continue
            sup, cus = departments[pair[0]].code, departments[pair[1]].code
            links.append(LinkHealth(sup, cus, link(pair, before), link(pair, after)))
        result[r.id] = BeforeAfter(before, after, links)
    return result


def suggestions(period: Period, *, limit: int | None = 20) -> tuple[list[RotationSuggestion], object]:
    """Suggested rotation pairs in ``period`` and the period's analysis they come from.

    Pairs with a rotation (planned or done, either direction) dated within the period
    are left out. See :func:`tracker.analysis.rotations.suggest_rotations` for the formula.
    """
    pa = period_analysis(period)
    rows = db.session.execute(
        select(Rotation.from_department_id, Rotation.to_department_id)
        .where(Rotation.status != "cancelled", Rotation.on_date >= period.start_date,
               Rotation.on_date <= period.end_date)
    ).all()
    codes = dict(db.session.execute(
        select(Department.id, Department.code).where(
            Department.id.in_({i for row in rows for i in row} or {-1}))
    ).all())
    planned = [(codes[a], codes[b]) for a, b in rows]
    return suggest_rotations(pa, planned, limit=limit), pa
