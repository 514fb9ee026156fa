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

from sqlalchemy import select

from ..extensions import db
from ..models import Criterion, ImportJob, SurveyMapping
from ..models.base import utcnow
from . import audit
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

        rating_service.write_ratings(new_ratings(), writes.rating_updates, writes.criteria, actor_id=actor_id,
                                     now=now)
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
