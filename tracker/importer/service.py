"""Apply an import in one transaction: departments, head users, services, agreements, periods, ratings.

The whole set is checked first (:func:`tracker.importer.checks.check`); with any
problem nothing is written. Otherwise every row is upserted, each create/update is
audited; new and changed ratings are written in bulk with health from
:func:`tracker.analysis.rating_health` and an audit row each, by the rules of
:func:`tracker.services.ratings.save_rating` (so health and the audit trail are the
same as from the form), and one ``import`` audit row carries the counts. Importing the
same files again writes nothing at all; a dry run writes no rating at all.

Choices the brief leaves open:

- a department row for an archived department restores it;
- a head e-mail with no user creates a ``head`` of that department with no usable
  password (an admin sets one); an e-mail of another existing user is refused;
- a blank optional cell clears the value; an absent optional column keeps it;
- a period created from a ``YYYY-Qn``/``YYYY-MM`` label or periods.csv is ``closed``
  when it ended before today, ``planned`` when it starts after today, else ``open``
  (or ``planned`` if another period is already open);
- a rating row of a period already closed in the database is refused unless it is
  unchanged (a closed period is read-only); periods the import creates take history;
- a blank respondent is stored as ``""``: the customer department head (who edits it from
  the rating form) or, for an external customer, the one unnamed respondent.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import bindparam, select

from ..analysis import rating_health
from ..extensions import db
from ..models import AuditLog, Contract, Criterion, Department, Period, Rating, RatingScore, Service, User
from ..models.base import utcnow
from ..services import audit
from ..services import followups as followup_service
from ..services import ratings as rating_service
from . import checks
from .reader import ImportSet, Problem, read_path

__all__ = ["COUNTED", "Counts", "ImportResult", "Progress", "import_path", "import_set"]

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
    #: ``(label, start, end)`` of every period the import creates, by start date.
    periods_created: list[tuple[str, date, date]] = field(default_factory=list)
    #: ``label in the file → existing period`` it goes into (a month inside a quarter).
    periods_moved: dict[str, str] = field(default_factory=dict)

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


#: ``progress(stage, done, total)``: called while an import runs (stage is "checking" or "ratings").
Progress = Callable[[str, int, int], None]


def import_set(data: ImportSet, *, dry_run: bool = False, actor_id: int | None = None,
               today: date | None = None, progress: Progress | None = None) -> ImportResult:
    """Check ``data`` whole, then write it in one transaction (commit once; rolled back on a dry run).

    Returns an :class:`ImportResult`; when it has problems nothing was written.
    ``today`` (default: the current date) decides the status of periods created;
    ``progress`` is told how far the ratings are (every 1,000 rows).
    """
    if progress is not None:
        progress("checking", 0, len(data.ratings))
    snap = checks.load_snapshot()
    plan, problems = checks.check(data, snap)
    result = ImportResult(problems=problems, dry_run=dry_run, periods_moved=dict(plan.moved),
                          periods_created=sorted(((label, *dates) for label, dates in plan.periods.items()
                                                  if label not in snap.periods), key=lambda p: (p[1], p[0])))
    if problems:
        db.session.rollback()
        return result
    try:
        _apply(data, plan, snap, result, actor_id=actor_id, today=today or date.today(), progress=progress,
               dry_run=dry_run)
        if result.problems:  # ratings that would change a closed period: found while comparing, nothing kept
            db.session.rollback()
            return result
        if dry_run or not result.changed_anything:
            db.session.rollback()
        else:
            audit.record("import", "import", None,
                         {f"{name}.{what}": [None, getattr(c, what)] for name, c in result.counts.items()
                          for what in ("added", "changed", "unchanged")}
                         | ({"users.added": [None, len(result.users_created)]} if result.users_created else {}),
                         reason=f"import from {data.source}", user_id=actor_id)
            db.session.commit()
    except (rating_service.RatingError, ImportConflict) as exc:  # refuse the whole import
        db.session.rollback()
        result.problems.append(Problem("ratings.csv", 0, str(exc)))
    except Exception:
        db.session.rollback()
        raise
    return result


def _apply(data: ImportSet, plan: checks.Plan, snap: checks.Snapshot, result: ImportResult, *,
           actor_id: int | None, today: date, progress: Progress | None = None, dry_run: bool = False) -> None:
    departments = _apply_departments(plan, snap, result, actor_id)
    contracts = _apply_contracts(plan, snap, departments, result, actor_id)
    periods = _apply_periods(data, plan, snap, result, actor_id, today)
    _apply_ratings(data, plan, snap, contracts, periods, result, actor_id, progress, dry_run=dry_run)
    if not dry_run:
        _keep_imported_agreements_active(data, contracts, periods, actor_id)
        # Low ratings from a workbook or a survey open follow-ups just as the form's do.
        followup_service.open_for_low_ratings(
            {(contracts[row.link].id, periods[row.period].id) for row in data.ratings
             if row.link in contracts and row.period in periods}, actor_id=actor_id, today=today)


def _keep_imported_agreements_active(data: ImportSet, contracts, periods, actor_id) -> None:
    """Move the close of a closed period after the agreements whose ratings this import wrote into it.

    An agreement created after a period closed is not active in it
    (:meth:`tracker.models.Contract.is_active_in`); importing history into a closed period
    is the admin's deliberate rewrite of it, so the period counts as closed again now,
    after the agreements were written, and its imported ratings stay in its analysis.
    """
    now = None
    for label in sorted({row.period for row in data.ratings}):
        per = periods.get(label)
        if per is None or per.status != "closed" or per.closed_at is None:
            continue
        rated = [contracts[row.link] for row in data.ratings if row.period == label and row.link in contracts]
        if any(con.created_at is not None and not con.is_active_in(per) and con.is_active_in(per.start_date,
                                                                                             per.end_date)
               for con in rated):
            now = now or utcnow()
            audit.record("update", "period", per.id, {"closed_at": [per.closed_at.isoformat(), now.isoformat()]},
                         reason="ratings imported into the closed period", user_id=actor_id)
            per.closed_at = now


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


def _rating_values(row, plan, snap) -> tuple[dict[str, Any], dict[str, int]]:
    """The stored fields and answered scores of a checked rating row, as :func:`save_rating` computes them."""
    answered = {} if row.no_interaction else {k: s for k, s in row.scores.items() if s is not None}
    health = rating_health(answered, {k: snap.criteria[k].weight for k in answered}) if answered else None
    respondent = plan.respondents[row.line]
    user = snap.users.get(respondent) if respondent else None
    values = {
        "recommend": None if row.no_interaction else row.recommend,
        "standard_met": None if row.no_interaction else row.standard_met,
        "no_interaction": bool(row.no_interaction),
        "comment": (row.comment or "").strip() or None,
        "health": health,
        "respondent_id": user.id if user else None,
    }
    return values, answered


def _apply_ratings(data, plan, snap, contracts, periods, result, actor_id, progress=None, *,
                   dry_run: bool = False) -> None:
    """Write the ratings: new and changed ones in bulk, unchanged ones not at all; a dry run writes none.

    A 50,000-row file would take minutes through ``save_rating`` (a query and a flush per
    row), holding SQLite's write lock all along; the checks have already validated every
    row with :func:`tracker.services.ratings.validate`, and :func:`_rating_update` decides
    in Python what ``save_rating`` would write over a stored rating (health from the same
    :func:`tracker.analysis.rating_health`), so the bulk path stores and audits what the
    form would. A dry run only counts: it compares with the same function and writes nothing.
    """
    counts = result.counts["ratings"]
    if not data.ratings:
        return
    period_ids = {periods[row.period].id for row in data.ratings if periods[row.period].id is not None}
    existing = _stored_ratings(period_ids)
    new_rows: list[tuple[dict[str, Any], dict[str, int]]] = []
    updates: list[_RatingUpdate] = []
    total = len(data.ratings)
    for done, row in enumerate(data.ratings, start=1):
        contract, period = contracts[row.link], periods[row.period]
        respondent = (plan.respondents[row.line] or "").strip().lower()
        values, answered = _rating_values(row, plan, snap)
        rating = existing.get((contract.id, period.id, respondent))
        if rating is not None and not respondent:
            values["respondent_id"] = rating["respondent_id"]  # the head who edited the blank rating on the form
        update = _rating_update(rating, values, answered, snap.criteria) if rating is not None else None
        closed = snap.periods.get(row.period) is not None and snap.periods[row.period].status == "closed"
        if closed and (rating is None or update is not None):
            # A closed period is read-only; only periods this import creates receive history.
            result.problems.append(Problem(row.file, row.line, f"period {row.period!r}: the period is closed; "
                                                               "reopen it first (admin) to change its ratings"))
            continue
        if rating is None:
            new_rows.append((values | {"contract_id": contract.id, "period_id": period.id,
                                       "respondent_key": respondent, "submitted_by_id": actor_id}, answered))
        elif update is not None:
            updates.append(update)
        else:
            counts.unchanged += 1
        if progress is not None and (done % 1000 == 0 or done == total):
            progress("ratings", done, total)
    counts.added += len(new_rows)
    counts.changed += len(updates)
    if dry_run or result.problems:
        return  # a dry run only counts: whatever it wrote would be rolled back anyway
    now = utcnow()
    if updates:
        _write_updates(updates, actor_id, now)
    if new_rows:
        _insert_ratings(new_rows, snap, actor_id, now)


def _insert_ratings(new_rows, snap, actor_id, now) -> None:
    """INSERT new ratings, their scores and a ``create`` audit row each, in executemany batches."""
    # Plain table inserts (executemany) in the import's transaction; the ORM's bulk path with RETURNING
    # spliced its result batches in quadratic time on SQLite.
    connection = db.session.connection()
    connection.execute(Rating.__table__.insert(), [
        values | {"version": 1, "created_at": now, "updated_at": now} for values, _answered in new_rows])
    ids = {tuple(row[1:]): row[0] for row in connection.execute(
        select(Rating.id, Rating.contract_id, Rating.period_id, Rating.respondent_key)
        .where(Rating.period_id.in_({values["period_id"] for values, _answered in new_rows})))}
    scores, entries = [], []
    for values, answered in new_rows:
        rid = ids[(values["contract_id"], values["period_id"], values["respondent_key"])]
        scores += [{"rating_id": rid, "criterion_id": snap.criteria[k].id, "score": s,
                    "weight": snap.criteria[k].weight} for k, s in answered.items()]
        shown = {k: [None, v] for k, v in values.items() if v is not None and k not in _NOT_AUDITED}
        entries.append({"at": now, "user_id": actor_id, "action": "create", "entity": "rating", "entity_id": rid,
                        "reason": None,
                        "changes": _audit_json(shown | {f"score.{k}": [None, s] for k, s in answered.items()})})
    if scores:
        connection.execute(RatingScore.__table__.insert(), scores)
    connection.execute(AuditLog.__table__.insert(), entries)


#: The stored fields of a rating that an import may change, in the order save_rating audits them.
_RATING_FIELDS = ("recommend", "standard_met", "no_interaction", "comment", "respondent_id", "health")

#: Rows per executemany batch of the bulk update.
_BATCH = 2000


@dataclass
class _RatingUpdate:
    """What :func:`tracker.services.ratings.save_rating` would write over one stored rating."""

    rating_id: int
    version: int
    values: dict[str, Any]  # the _RATING_FIELDS
    scores: dict[str, tuple[int, int, float]]  # criterion key -> (criterion id, score, weight)
    changes: dict[str, list]  # the audit row's {field: [old, new]}


class ImportConflict(RuntimeError):
    """A rating changed (a form save) while the import was comparing it: nothing was written."""


def _stored_ratings(period_ids: set[int]) -> dict[tuple[int, int, str], dict[str, Any]]:
    """Existing ratings of ``period_ids`` as plain rows keyed by (contract, period, respondent), two queries.

    ``scores`` maps a criterion key (retired ones too) to ``(criterion id, score, weight)``;
    ORM objects for 50,000 ratings would cost seconds.
    """
    existing: dict[tuple[int, int, str], dict[str, Any]] = {}
    if not period_ids:
        return existing
    for row in db.session.execute(select(Rating.id, Rating.version, Rating.contract_id, Rating.period_id,
                                         Rating.respondent_key, *(getattr(Rating, n) for n in _RATING_FIELDS))
                                  .where(Rating.period_id.in_(period_ids))):
        existing[(row[2], row[3], row[4])] = (dict(zip(_RATING_FIELDS, row[5:]))
                                              | {"id": row[0], "version": row[1], "scores": {}})
    by_id = {values["id"]: values for values in existing.values()}
    for rating_id, criterion_id, key, score, weight in db.session.execute(
            select(RatingScore.rating_id, RatingScore.criterion_id, Criterion.key, RatingScore.score,
                   RatingScore.weight)
            .join(Rating, Rating.id == RatingScore.rating_id).join(Criterion, Criterion.id == RatingScore.criterion_id)
            .where(Rating.period_id.in_(period_ids)).order_by(RatingScore.rating_id, RatingScore.criterion_id)):
        by_id[rating_id]["scores"][key] = (criterion_id, score, weight)
    return existing


def _rating_update(stored: dict[str, Any], values: dict[str, Any], answered: dict[str, int],
                   criteria: dict[str, Criterion]) -> _RatingUpdate | None:
    """What save_rating would write over ``stored`` for a row's ``values``/``answered``; None when nothing changes.

    The same rules as :func:`tracker.services.ratings.save_rating` for an existing rating:
    the scores of retired criteria (not in ``criteria``) are kept unless the row says "no
    interaction", a criterion scored before keeps its stored weight, one answered for the
    first time takes today's; health is :func:`rating_health` over the result. Used by
    the dry run and the apply alike, so both count the same ratings as changed.
    """
    old = stored["scores"]
    kept = {} if values["no_interaction"] else {k: s for k, s in old.items() if k not in criteria}
    scores = kept | {k: (criteria[k].id, s, old[k][2] if k in old else criteria[k].weight)
                     for k, s in answered.items()}
    new = {name: values[name] for name in _RATING_FIELDS if name != "health"}
    new["health"] = (rating_health({k: s for k, (_c, s, _w) in scores.items()},
                                   {k: w for k, (_c, _s, w) in scores.items()}) if scores else None)
    changes = {name: [stored[name], new[name]] for name in _RATING_FIELDS if stored[name] != new[name]}
    old_scores = {k: s for k, (_c, s, _w) in old.items()}
    new_scores = {k: s for k, (_c, s, _w) in scores.items()}
    changes |= {f"score.{k}": [old_scores.get(k), new_scores.get(k)]
                for k in set(old_scores) | set(new_scores) if old_scores.get(k) != new_scores.get(k)}
    if not changes:
        return None
    return _RatingUpdate(stored["id"], stored["version"], new, scores, changes)


def _write_updates(updates: list[_RatingUpdate], actor_id: int | None, now) -> None:
    """UPDATE changed ratings, replace their scores, add an ``update`` audit row each (executemany batches).

    Each UPDATE is guarded by the version read (as the ORM's version counter does): a rating
    saved from the form meanwhile raises :class:`ImportConflict` and the import is rolled back.
    """
    connection = db.session.connection()
    ratings, scores_table = Rating.__table__, RatingScore.__table__
    statement = (ratings.update()
                 .where(ratings.c.id == bindparam("b_id"), ratings.c.version == bindparam("b_version"))
                 .values({name: bindparam(f"b_{name}") for name in _RATING_FIELDS}
                         | {"submitted_by_id": bindparam("b_submitted_by_id"), "version": ratings.c.version + 1,
                            "updated_at": bindparam("b_updated_at")}))
    check_rows = connection.dialect.supports_sane_multi_rowcount
    for start in range(0, len(updates), _BATCH):
        batch = updates[start:start + _BATCH]
        done = connection.execute(statement, [
            {"b_id": u.rating_id, "b_version": u.version, "b_submitted_by_id": actor_id, "b_updated_at": now}
            | {f"b_{name}": u.values[name] for name in _RATING_FIELDS} for u in batch])
        if check_rows and done.rowcount != len(batch):
            raise ImportConflict("ratings were changed while the import ran; nothing was imported, try again")
        connection.execute(scores_table.delete().where(scores_table.c.rating_id == bindparam("b_id")),
                           [{"b_id": u.rating_id} for u in batch])
        scores = [{"rating_id": u.rating_id, "criterion_id": cid, "score": score, "weight": weight}
                  for u in batch for cid, score, weight in u.scores.values()]
        if scores:
            connection.execute(scores_table.insert(), scores)
        connection.execute(AuditLog.__table__.insert(), [
            {"at": now, "user_id": actor_id, "action": "update", "entity": "rating", "entity_id": u.rating_id,
             "reason": None, "changes": _audit_json(u.changes)} for u in batch])


#: Columns of a new rating that its audit row leaves out (they identify the rating, as in save_rating).
_NOT_AUDITED = ("contract_id", "period_id", "respondent_key", "submitted_by_id")


def _audit_json(changes: dict[str, list]) -> str | None:
    """``changes`` as :func:`tracker.services.audit.record` stores them."""
    return json.dumps(changes, ensure_ascii=False, default=str) if changes else None


def import_survey(filename: str, data: bytes, mapping: dict, *, dry_run: bool = False, actor_id: int | None = None,
                  today: date | None = None, progress: Progress | None = None) -> ImportResult:
    """Import a survey-tool export (CSV or XLSX bytes) as ratings under ``mapping`` (see :mod:`.survey`).

    Raises
    ------
    tracker.importer.uploads.ImportFileError
        The file or the mapping is refused as a whole.
    """
    from .survey import read_survey, survey_set

    rows = survey_set(read_survey(filename, data), mapping, source=Path(filename).name)
    return import_set(rows, dry_run=dry_run, actor_id=actor_id, today=today, progress=progress)
