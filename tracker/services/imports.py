"""Write a checked import in one transaction, and save survey mappings.

:mod:`tracker.importer` reads, checks and plans an import and never writes; it hands
the plan (:class:`ImportWrites`) to :func:`apply_import`, which calls the bulk writers
that live beside the single-row ones (:func:`tracker.services.org.write_departments`,
:func:`~tracker.services.org.write_contracts`, :func:`tracker.services.periods.create_periods`,
:func:`tracker.services.users.create_heads`, :func:`tracker.services.ratings.write_ratings`)
and commits once, or rolls back everything.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Iterator

from sqlalchemy import select, update

from ..extensions import db
from ..models import Criterion, ImportJob, Rating, SurveyMapping
from ..models.base import utcnow
from . import audit
from . import followups as followup_service
from . import org as org_service
from . import periods as period_service
from . import ratings as rating_service
from . import users as user_service

__all__ = ["ImportWrites", "PlannedRating", "apply_import", "create_job", "finish_job", "job_running", "queue_job",
           "save_survey_mapping"]

Link = tuple[str, str, str]  # (supplier code, customer code, service name)


@dataclass
class PlannedRating:
    """A new rating of an import, by the keys of the files (the agreement and period may be new too)."""

    link: Link
    period: str
    respondent_key: str
    answer: rating_service.RatingInput
    respondent_id: int | None = None


@dataclass
class ImportWrites:
    """Everything a checked import writes: rows to create or change, keyed as in the files.

    ``contract_ids`` and ``period_ids`` hold the ids of existing agreements and periods
    the ratings refer to; ``new_ratings`` may be a lazy iterable (it is read once).
    """

    criteria: dict[str, Criterion]
    departments: list[org_service.DepartmentWrite] = field(default_factory=list)
    heads: dict[str, str] = field(default_factory=dict)
    contracts: list[org_service.ContractWrite] = field(default_factory=list)
    periods: list[tuple[str, date, date, str]] = field(default_factory=list)
    contract_ids: dict[Link, int] = field(default_factory=dict)
    new_ratings: Iterable[PlannedRating] = ()
    rating_updates: list[rating_service.RatingUpdate] = field(default_factory=list)


def apply_import(writes: ImportWrites, *, summary: dict[str, list], reason: str,
                 actor_id: int | None = None) -> list[str]:
    """Write ``writes`` and one ``import`` audit row (``summary``, ``reason``) in ONE transaction; commit.

    Returns the e-mails of the head users created. On any error everything is rolled back
    and the error re-raised.

    Raises
    ------
    tracker.services.ratings.RatingConflict
        A rating was saved from the form since the importer read it (nothing was written).
    """
    now = utcnow()
    try:
        department_ids = org_service.write_departments(writes.departments, actor_id=actor_id, now=now)
        heads = user_service.create_heads(writes.heads, department_ids, actor_id=actor_id, now=now)
        contract_ids = writes.contract_ids | org_service.write_contracts(writes.contracts, department_ids,
                                                                         actor_id=actor_id, now=now)
        period_ids = period_service.create_periods(writes.periods, actor_id=actor_id, now=now)

        def new_ratings() -> Iterator[rating_service.NewRating]:
            for planned in writes.new_ratings:
                yield rating_service.NewRating(contract_ids[planned.link], period_ids[planned.period],
                                               planned.respondent_key, planned.answer, planned.respondent_id)

        new_ids, changed_ids = rating_service.write_ratings(new_ratings(), writes.rating_updates, writes.criteria,
                                                            actor_id=actor_id, now=now)
        # Low ratings from a workbook or a survey open follow-ups just as the form's do.
        # In batches: PostgreSQL takes at most 65,535 parameters a statement (94,614 ids failed there).
        written = sorted(set(new_ids) | set(changed_ids))
        pairs: set[tuple[int, int]] = set()
        for start in range(0, len(written), audit.BATCH):
            pairs.update(db.session.execute(select(Rating.contract_id, Rating.period_id)
                                            .where(Rating.id.in_(written[start:start + audit.BATCH]))).tuples())
        if pairs:
            followup_service.open_for_low_ratings(pairs, actor_id=actor_id)
        audit.record("import", "import", None, summary, reason=reason, user_id=actor_id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return heads


def save_survey_mapping(name: str, mapping: dict, *, actor_id: int | None = None) -> SurveyMapping:
    """Create or replace the saved survey mapping ``name`` (audited) and commit."""
    saved = db.session.scalar(select(SurveyMapping).where(SurveyMapping.name == name))
    config = json.dumps(mapping, ensure_ascii=False, sort_keys=True)
    if saved is None:
        saved = SurveyMapping(name=name, config=config)
        db.session.add(saved)
        db.session.flush()
        audit.record("create", "survey_mapping", saved.id, {"name": [None, name], "config": [None, config]},
                     user_id=actor_id)
    elif saved.config != config:
        audit.record("update", "survey_mapping", saved.id, {"config": [saved.config, config]}, user_id=actor_id)
        saved.config = config
    db.session.commit()
    return saved


# --- the state of an import job (tracker.importer.jobs runs them) ----------------------------------


def create_job(token: str, *, kind: str, filename: str, stored_name: str, mapping: dict | None,
               user_id: int | None) -> ImportJob:
    """Record a queued import job for a stored upload (audited ``create import_job``) and commit."""
    job = ImportJob(token=token, kind=kind, filename=filename[-255:], stored_name=stored_name,
                    mapping=json.dumps(mapping, ensure_ascii=False) if mapping else None, user_id=user_id,
                    status="queued", dry_run=True)
    db.session.add(job)
    db.session.flush()
    audit.record("create", "import_job", job.id, {"kind": [None, kind], "filename": [None, job.filename]},
                 user_id=user_id)
    db.session.commit()
    return job


def create_download_job(token: str, *, kind: str, filename: str, params: dict, user_id: int | None) -> ImportJob:
    """Record a queued download job (:mod:`tracker.downloads`: an export or the review pack) and commit.

    A download is a background job like an import (same row, states and heartbeat); ``mapping``
    holds its parameters and ``result`` the file it made. Not audited: it writes no data.
    """
    job = ImportJob(token=token, kind=kind, filename=filename[-255:], stored_name="",
                    mapping=json.dumps(params, ensure_ascii=False), user_id=user_id, status="queued", dry_run=False)
    db.session.add(job)
    db.session.commit()
    return job


def queue_job(job: ImportJob, *, dry_run: bool) -> None:
    """Mark ``job`` queued for a preview (``dry_run``) or an apply, its last result cleared; commit."""
    job.dry_run = dry_run
    job.status = "queued"
    job.progress_done = job.progress_total = 0
    job.result = job.error = None
    job.finished_at = None
    db.session.commit()


def job_running(job: ImportJob) -> None:
    """Mark ``job`` running and commit (its progress lives with the runner)."""
    job.status = "running"
    db.session.commit()


def finish_job(job_id: int, *, status: str, error: str | None, result: dict | None) -> None:
    """Record how job ``job_id`` ended (``done`` or ``failed``), its result as JSON and the time; commit."""
    job = db.session.get(ImportJob, job_id)
    job.status, job.error = status, error
    job.result = json.dumps(result, ensure_ascii=False) if result is not None else None
    job.finished_at = utcnow()
    db.session.commit()


def claim_apply(job_id: int) -> bool:
    """Claim a finished preview for its apply (``done`` dry run → ``queued`` apply); commit.

    One conditional UPDATE, so of two clicks on Apply, in whichever workers, exactly one
    claims it; returns whether this call did.
    """
    claimed = db.session.execute(
        update(ImportJob)
        .where(ImportJob.id == job_id, ImportJob.status == "done", ImportJob.dry_run.is_(True))
        .values(status="queued", dry_run=False, progress_done=0, progress_total=0, result=None, error=None,
                finished_at=None)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return bool(claimed)


def fail_jobs(job_ids: list[int], error: str) -> int:
    """Mark failed, with ``error``, those of ``job_ids`` still running; commit; return how many.

    Conditional on ``status = 'running'``, so a job that finished meanwhile keeps its result.
    """
    marked = db.session.execute(
        update(ImportJob).where(ImportJob.id.in_(job_ids), ImportJob.status == "running")
        .values(status="failed", error=error, finished_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return marked
