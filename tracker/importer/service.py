"""Apply an import in one transaction: departments, head users, services, agreements, periods, ratings.

The whole set is checked first (:func:`tracker.importer.checks.check`); with any
problem nothing is written. Otherwise every row is upserted, each create/update is
audited, ratings go through :func:`tracker.services.ratings.save_rating` (so health
and the audit trail are the same as from the form) and one ``import`` audit row
carries the counts. Importing the same files again writes nothing at all.

Choices the brief leaves open:

- a department row for an archived department restores it;
- a head e-mail with no user creates a ``head`` of that department with no usable
  password (an admin sets one); an e-mail of another existing user is refused;
- a blank optional cell clears the value; an absent optional column keeps it;
- a period created from a ``YYYY-Qn``/``YYYY-MM`` label or periods.csv is ``closed``
  when it ended before today, ``planned`` when it starts after today, else ``open``
  (or ``planned`` if another period is already open);
- a blank respondent is the customer department head's e-mail, ``""`` when the
  customer is external or has no head.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..extensions import db
from ..models import Contract, Department, Period, Service, User
from ..models.base import utcnow
from ..services import audit
from ..services import ratings as rating_service
from . import checks
from .reader import ImportSet, Problem, read_path

__all__ = ["COUNTED", "Counts", "ImportResult", "import_path", "import_set"]

#: What the counts are kept for, in the order they are reported.
COUNTED = ("departments", "contracts", "periods", "ratings")


@dataclass
class Counts:
    """How many rows were added, changed and left unchanged."""

    added: int = 0
    changed: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.added} added, {self.changed} changed, {self.unchanged} unchanged"


@dataclass
class ImportResult:
    """Outcome of an import: problems (then nothing was written) or counts per kind of row."""

    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, Counts] = field(default_factory=lambda: {name: Counts() for name in COUNTED})
    users_created: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def total(self) -> Counts:
        """The counts of every kind of row added together."""
        return Counts(*(sum(getattr(c, what) for c in self.counts.values())
                        for what in ("added", "changed", "unchanged")))

    @property
    def changed_anything(self) -> bool:
        return bool(self.users_created) or any(c.added or c.changed for c in self.counts.values())


def import_path(path: str | Path, *, dry_run: bool = False, actor_id: int | None = None,
                today: date | None = None) -> ImportResult:
    """Read a folder of CSV files or an XLSX workbook and import it (see :func:`import_set`).

    Raises
    ------
    FileNotFoundError
        ``path`` is neither a folder nor an ``.xlsx`` file.
    """
    return import_set(read_path(path), dry_run=dry_run, actor_id=actor_id, today=today)


def import_set(data: ImportSet, *, dry_run: bool = False, actor_id: int | None = None,
               today: date | None = None) -> ImportResult:
    """Check ``data`` whole, then write it in one transaction (commit once; rolled back on a dry run).

    Returns an :class:`ImportResult`; when it has problems nothing was written.
    ``today`` (default: the current date) decides the status of periods created.
    """
    snap = checks.load_snapshot()
    plan, problems = checks.check(data, snap)
    result = ImportResult(problems=problems, dry_run=dry_run)
    if problems:
        db.session.rollback()
        return result
    try:
        _apply(data, plan, snap, result, actor_id=actor_id, today=today or date.today())
        if dry_run or not result.changed_anything:
            db.session.rollback()
        else:
            audit.record("import", "import", None,
                         {f"{name}.{what}": [None, getattr(c, what)] for name, c in result.counts.items()
                          for what in ("added", "changed", "unchanged")}
                         | ({"users.added": [None, len(result.users_created)]} if result.users_created else {}),
                         reason=f"import from {data.source}", user_id=actor_id)
            db.session.commit()
    except rating_service.RatingError as exc:  # the checks should have caught it; refuse the whole import
        db.session.rollback()
        result.problems.append(Problem("ratings.csv", 0, str(exc)))
    except Exception:
        db.session.rollback()
        raise
    return result


def _apply(data: ImportSet, plan: checks.Plan, snap: checks.Snapshot, result: ImportResult, *,
           actor_id: int | None, today: date) -> None:
    departments = _apply_departments(plan, snap, result, actor_id)
    contracts = _apply_contracts(plan, snap, departments, result, actor_id)
    periods = _apply_periods(data, plan, snap, result, actor_id, today)
    _apply_ratings(data, plan, snap, contracts, periods, result, actor_id)


def _apply_departments(plan, snap, result, actor_id) -> dict[str, Department]:
    departments = dict(snap.departments)
    counts = result.counts["departments"]
    created: set[str] = set()
    for code, values in plan.departments.items():
        if code not in departments:
            dep = Department(code=code, name=values["name"], kind=values["kind"])
            db.session.add(dep)
            departments[code] = dep
            created.add(code)
    db.session.flush()
    for code, values in plan.departments.items():
        dep = departments[code]
        parent_id = departments[values["parent_code"]].id if values["parent_code"] else None
        new = {"name": values["name"], "kind": values["kind"], "parent_id": parent_id}
        if code in created:
            dep.parent_id = parent_id
            audit.record("create", "department", dep.id, {"code": [None, code]}
                         | {k: [None, v] for k, v in new.items() if v is not None}, user_id=actor_id)
            counts.added += 1
            continue
        changes = audit.diff(dep, list(new), new)
        if dep.archived_at is not None:
            changes["archived_at"] = [dep.archived_at.isoformat(), None]
        if not changes:
            counts.unchanged += 1
            continue
        for key, value in new.items():
            setattr(dep, key, value)
        action = "restore" if dep.archived_at is not None else "update"
        dep.archived_at = None
        audit.record(action, "department", dep.id, changes, user_id=actor_id)
        counts.changed += 1
    db.session.flush()
    for code, email in plan.heads.items():
        if email in snap.users:
            continue
        user = User(email=email, role="head", department=departments[code], name="", password_hash="")
        db.session.add(user)
        db.session.flush()
        snap.users[email] = user
        audit.record("create", "user", user.id, {"email": [None, email], "role": [None, "head"],
                                                 "department": [None, code]}, user_id=actor_id)
        result.users_created.append(email)
    return departments


def _apply_contracts(plan, snap, departments, result, actor_id) -> dict[checks.Link, Contract]:
    contracts = dict(snap.contracts)
    counts = result.counts["contracts"]
    for link, values in plan.contracts.items():
        supplier, customer = departments[link[0]], departments[link[1]]
        fields = {name: values[name] for name in checks.CONTRACT_FIELDS}
        existing = contracts.get(link)
        if existing is None:
            service = _service(supplier, link[2], snap, actor_id)
            con = Contract(supplier=supplier, customer=customer, service=service, **fields)
            db.session.add(con)
            db.session.flush()
            audit.record("create", "contract", con.id,
                         {"supplier": [None, link[0]], "customer": [None, link[1]], "service": [None, link[2]]}
                         | {k: [None, v] for k, v in fields.items() if v is not None}, user_id=actor_id)
            contracts[link] = con
            counts.added += 1
            continue
        changes = audit.diff(existing, list(fields), fields)
        if not changes:
            counts.unchanged += 1
            continue
        for key, value in fields.items():
            setattr(existing, key, value)
        audit.record("update", "contract", existing.id, changes, user_id=actor_id)
        counts.changed += 1
    db.session.flush()
    return contracts


def _service(supplier: Department, name: str, snap, actor_id) -> Service:
    service = snap.services.get((supplier.id, name)) if supplier.id is not None else None
    if service is None:
        service = Service(department=supplier, name=name)
        db.session.add(service)
        db.session.flush()
        snap.services[(supplier.id, name)] = service
        audit.record("create", "service", service.id, {"department": [None, supplier.code], "name": [None, name]},
                     user_id=actor_id)
    elif service.archived_at is not None:
        audit.record("restore", "service", service.id, {"archived_at": [service.archived_at.isoformat(), None]},
                     user_id=actor_id)
        service.archived_at = None
    return service


def _apply_periods(data, plan, snap, result, actor_id, today) -> dict[str, Period]:
    periods = dict(snap.periods)
    counts = result.counts["periods"]
    open_exists = any(p.status == "open" for p in periods.values())
    for label, (start, end) in sorted(plan.periods.items(), key=lambda item: (item[1], item[0])):
        if label in periods:
            counts.unchanged += 1
            continue
        if end < today:
            status = "closed"
        elif start > today or open_exists:
            status = "planned"
        else:
            status, open_exists = "open", True
        now = utcnow()
        per = Period(label=label, start_date=start, end_date=end, status=status,
                     opened_at=now if status != "planned" else None, closed_at=now if status == "closed" else None)
        db.session.add(per)
        db.session.flush()
        periods[label] = per
        audit.record("create", "period", per.id, {"label": [None, label], "start_date": [None, start],
                                                  "end_date": [None, end], "status": [None, status]},
                     user_id=actor_id)
        counts.added += 1
    return periods


def _apply_ratings(data, plan, snap, contracts, periods, result, actor_id) -> None:
    counts = result.counts["ratings"]
    for row in data.ratings:
        contract, period = contracts[row.link], periods[row.period]
        respondent = plan.respondents[row.line]
        user = snap.users.get(respondent) if respondent else None
        answer = rating_service.RatingInput(
            scores={k: s for k, s in row.scores.items() if s is not None},
            recommend=row.recommend, standard_met=row.standard_met,
            no_interaction=row.no_interaction, comment=row.comment,
        )
        existed = (contract.id, period.id, respondent) in snap.rating_keys
        _rating, changed = rating_service.save_rating(
            contract, period, answer, respondent_key=respondent, respondent_id=user.id if user else None,
            actor_id=actor_id, require_open=False, criteria=snap.criteria,
        )
        if not existed:
            counts.added += 1
        elif changed:
            counts.changed += 1
        else:
            counts.unchanged += 1
