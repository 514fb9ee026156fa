"""Import an organization: read, check, plan and report; the services write.

The whole set is checked first (:func:`tracker.importer.checks.check`); with any
problem nothing is written. Otherwise :func:`plan_writes` compares every row with the
database and turns the set into an :class:`~tracker.services.imports.ImportWrites` —
what to create, what to change (with its audit diff), what is unchanged — and counts
it; :func:`tracker.services.imports.apply_import` writes that in one transaction with
the bulk writers of ``services/``, which store and audit exactly what the forms do
(the rating rule is :func:`tracker.services.ratings.rating_write`). Importing the same
files again writes nothing at all; a dry run writes nothing at all.

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
  the rating form) or, for an external customer, the one unnamed respondent;
- imported history is data, not a form: a low rating without a comment is accepted
  and counted (:attr:`ImportResult.low_without_comment`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable

from flask import current_app, has_app_context
from sqlalchemy import select

from ..extensions import db
from ..models import Criterion, Rating, RatingScore
from ..services import imports as import_service
from ..services import org as org_service
from ..services import ratings as rating_service
from . import checks
from .reader import ImportSet, Problem, read_path

__all__ = ["COUNTED", "Counts", "ImportResult", "Progress", "import_path", "import_set", "plan_writes"]

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
    #: Rating rows with a low answer (see :func:`tracker.services.ratings.comment_required`) and no comment.
    low_without_comment: int = 0
    #: The first :data:`PREVIEW_ROWS` rows that add or change something, in file order:
    #: ``(file, line, key, "added" or "changed", changed fields)``; the rest are only counted.
    preview: list[tuple[str, int, str, str, tuple[str, ...]]] = field(default_factory=list)
    #: How many more rows add or change something than :attr:`preview` lists.
    preview_more: int = 0
    #: How many rows :attr:`preview` lists at most (the app's ``IMPORT_PREVIEW_ROWS``).
    preview_limit: int = 200

    def note(self, file: str, line: int, key: str, what: str, fields: Any = ()) -> None:
        """Keep a row that adds or changes something for the preview, or only count it past the limit."""
        if len(self.preview) < self.preview_limit:
            self.preview.append((file, line, key, what, tuple(fields)))
        else:
            self.preview_more += 1

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
    """Check ``data`` whole, plan it, and unless a dry run have it written in one transaction.

    Returns an :class:`ImportResult`; when it has problems nothing was written.
    ``today`` (default: the current date) decides the status of periods created;
    ``progress`` is told how far the ratings are (every 1,000 rows).
    """
    if progress is not None:
        progress("checking", 0, len(data.ratings))
    snap = checks.load_snapshot()
    plan, problems = checks.check(data, snap)
    result = ImportResult(problems=problems, dry_run=dry_run, periods_moved=dict(plan.moved),
                          preview_limit=preview_rows(),
                          periods_created=sorted(((label, *dates) for label, dates in plan.periods.items()
                                                  if label not in snap.periods), key=lambda p: (p[1], p[0])))
    if not problems:
        writes = plan_writes(data, plan, snap, result, today=today or date.today(), progress=progress)
    if result.problems or dry_run or not result.changed_anything:
        db.session.rollback()  # end the reading transaction: nothing was written
        return result
    summary = ({f"{name}.{what}": [None, getattr(c, what)] for name, c in result.counts.items()
                for what in ("added", "changed", "unchanged")}
               | ({"users.added": [None, len(result.users_created)]} if result.users_created else {}))
    try:
        import_service.apply_import(writes, summary=summary, reason=f"import from {data.source}", actor_id=actor_id)
    except rating_service.RatingConflict as exc:  # a form save overtook the import: refuse it whole
        result.problems.append(Problem("ratings.csv", 0, str(exc)))
    return result


#: Rows of changes a preview lists when the app sets no ``IMPORT_PREVIEW_ROWS``.
PREVIEW_ROWS = 200


def preview_rows() -> int:
    """How many changed rows a preview lists (``IMPORT_PREVIEW_ROWS``, default :data:`PREVIEW_ROWS`)."""
    return int(current_app.config.get("IMPORT_PREVIEW_ROWS", PREVIEW_ROWS)) if has_app_context() else PREVIEW_ROWS


def plan_writes(data: ImportSet, plan: checks.Plan, snap: checks.Snapshot, result: ImportResult, *, today: date,
                progress: Progress | None = None) -> import_service.ImportWrites:
    """What writing the checked ``data`` creates and changes; counts it in ``result`` (reads only).

    A rating that would change a period closed in the database becomes a problem of ``result``.
    """
    writes = import_service.ImportWrites(criteria=snap.criteria)
    _plan_departments(plan, snap, result, writes)
    _plan_contracts(plan, snap, result, writes)
    _plan_periods(plan, snap, result, writes, today)
    _plan_ratings(data, plan, snap, result, writes, progress)
    return writes


def _plan_departments(plan, snap, result, writes) -> None:
    counts = result.counts["departments"]
    for code, values in plan.departments.items():
        dep = snap.departments.get(code)
        if dep is None:
            writes.departments.append(org_service.DepartmentWrite(code, values["name"], values["kind"],
                                                                  values["parent_code"]))
            counts.added += 1
            result.note("departments.csv", values["row"].line, code, "added")
            continue
        changes = org_service.department_changes(dep, values["parent_code"], values["name"], values["kind"])
        if not changes:
            counts.unchanged += 1
            continue
        writes.departments.append(org_service.DepartmentWrite(
            code, values["name"], values["kind"], values["parent_code"], id=dep.id, changes=changes,
            restore=dep.archived_at is not None))
        counts.changed += 1
        result.note("departments.csv", values["row"].line, code, "changed", changes)
    writes.heads = {code: email for code, email in plan.heads.items() if email not in snap.users}
    result.users_created = list(writes.heads.values())


def _plan_contracts(plan, snap, result, writes) -> None:
    counts = result.counts["contracts"]
    writes.contract_ids = {link: con.id for link, con in snap.contracts.items()}
    for link, values in plan.contracts.items():
        fields = values  # the final values by CONTRACT_FIELDS (and the row): no copy per agreement
        existing = snap.contracts.get(link)
        if existing is None:
            writes.contracts.append(org_service.ContractWrite(*link, fields))
            counts.added += 1
            result.note("contracts.csv", values["row"].line, _link_text(link), "added")
            continue
        changes = org_service.contract_changes(existing, fields, link)
        if not changes:
            counts.unchanged += 1
            continue
        writes.contracts.append(org_service.ContractWrite(*link, fields, id=existing.id, changes=changes))
        counts.changed += 1
        result.note("contracts.csv", values["row"].line, _link_text(link), "changed", changes)


def _plan_periods(plan, snap, result, writes, today: date) -> None:
    counts = result.counts["periods"]
    open_exists = any(p.status == "open" for p in snap.periods.values())
    for label, (start, end) in sorted(plan.periods.items(), key=lambda item: (item[1], item[0])):
        if label in snap.periods:
            counts.unchanged += 1
            continue
        if end < today:
            status = "closed"
        elif start > today or open_exists:
            status = "planned"
        else:
            status, open_exists = "open", True
        writes.periods.append((label, start, end, status))
        counts.added += 1


def _answer(row, snap: checks.Snapshot) -> rating_service.RatingInput:
    """The answer of a checked rating row, as the checks validated it."""
    scores = {k: s for k, s in row.scores.items() if s is not None or k in snap.criteria}
    return rating_service.RatingInput(scores=scores, recommend=row.recommend, standard_met=row.standard_met,
                                      no_interaction=row.no_interaction, comment=row.comment)


def _plan_ratings(data, plan, snap, result, writes, progress=None) -> None:
    """Compare every rating row with the stored one: new, changed (with what it stores) or unchanged.

    The comparison is :func:`tracker.services.ratings.rating_write`, the rule of the
    form; new ratings are handed to the writer lazily (it builds them batch by batch).
    """
    counts = result.counts["ratings"]
    stored = _stored_ratings({p.id for label, p in snap.periods.items()
                              if label in {row.period for row in data.ratings}})
    new_rows = []
    total = len(data.ratings)
    for done, row in enumerate(data.ratings, start=1):
        respondent = plan.respondents[row.line]
        answer = _answer(row, snap)
        if rating_service.comment_required(answer) and not (answer.comment or "").strip():
            result.low_without_comment += 1
        contract, period = snap.contracts.get(row.link), snap.periods.get(row.period)
        entry = stored.get((contract.id, period.id, respondent)) if contract and period else None
        rating = _as_stored(entry) if entry is not None else None
        closed = period is not None and period.status == "closed"
        if rating is None:
            change = None
        else:
            # A blank respondent keeps the head who edited the rating on the form.
            respondent_id = rating["respondent_id"] if not respondent else _user_id(snap, respondent)
            change = rating_service.rating_write(answer, respondent_id, snap.criteria, rating)
        if closed and (rating is None or change is not None):
            # A closed period is read-only; only periods this import creates receive history.
            result.problems.append(Problem(row.file, row.line, f"period {row.period!r}: the period is closed; "
                                                               "reopen it first (admin) to change its ratings"))
        elif rating is None:
            new_rows.append(row)
            result.note(row.file, row.line, _rating_text(row, respondent), "added")
        elif change is not None:
            writes.rating_updates.append(rating_service.RatingUpdate(rating["id"], rating["version"], change))
            result.note(row.file, row.line, _rating_text(row, respondent), "changed", change.changes)
        else:
            counts.unchanged += 1
        if progress is not None and (done % 1000 == 0 or done == total):
            progress("ratings", done, total)
    counts.added += len(new_rows)
    counts.changed += len(writes.rating_updates)
    writes.new_ratings = (import_service.PlannedRating(row.link, row.period, plan.respondents[row.line],
                                                       _answer(row, snap), _user_id(snap, plan.respondents[row.line]))
                          for row in new_rows)


def _link_text(link: tuple[str, str, str]) -> str:
    return f"{link[0]} → {link[1]} ({link[2]})"


def _rating_text(row, respondent: str) -> str:
    return f"{row.period}: {_link_text(row.link)}" + (f", {respondent}" if respondent else "")


def _user_id(snap: checks.Snapshot, respondent: str) -> int | None:
    user = snap.users.get(respondent) if respondent else None
    return user.id if user else None


def _stored_ratings(period_ids: set[int]) -> dict[tuple[int, int, str], list]:
    """Existing ratings of ``period_ids`` as compact rows keyed by (contract, period, respondent), two queries.

    Each is ``[id, version, *RATING_FIELDS, [(key, criterion id, score, weight), …]]``;
    :func:`_as_stored` makes one the dict :func:`tracker.services.ratings.rating_write` compares
    with, when its row is read. ORM objects (or a dict each) for 94,000 ratings would cost
    seconds and hundreds of MiB.
    """
    existing: dict[tuple[int, int, str], list] = {}
    if not period_ids:
        return existing
    fields = rating_service.RATING_FIELDS
    by_id: dict[int, list] = {}
    rows = db.session.connection().execute  # Core rows one by one; the ORM's execute buffers all of them first
    for row in rows(select(Rating.id, Rating.version, Rating.contract_id, Rating.period_id,
                                         Rating.respondent_key, *(getattr(Rating, n) for n in fields))
                                  .where(Rating.period_id.in_(period_ids))):
        entry = existing[(row[2], row[3], row[4])] = [row[0], row[1], *row[5:], []]
        by_id[row[0]] = entry
    for rating_id, criterion_id, key, score, weight in rows(
            select(RatingScore.rating_id, RatingScore.criterion_id, Criterion.key, RatingScore.score,
                   RatingScore.weight)
            .join(Rating, Rating.id == RatingScore.rating_id).join(Criterion, Criterion.id == RatingScore.criterion_id)
            .where(Rating.period_id.in_(period_ids)).order_by(RatingScore.rating_id, RatingScore.criterion_id)):
        by_id[rating_id][-1].append((key, criterion_id, score, weight))
    return existing


def _as_stored(entry: list) -> dict[str, Any]:
    """One row of :func:`_stored_ratings` as :func:`tracker.services.ratings.stored_rating`'s dict plus id and version."""
    fields = rating_service.RATING_FIELDS
    return (dict(zip(fields, entry[2:2 + len(fields)])) | {"id": entry[0], "version": entry[1],
                                                           "scores": {k: (c, s, w) for k, c, s, w in entry[-1]}})


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
