"""Import jobs: an uploaded file is kept server-side, previewed (a dry run) and applied, in the background.

:func:`create_job` stores the upload under a random name and records an
:class:`~tracker.models.ImportJob`; :func:`start` queues a preview or an apply and
runs it in a thread with its own app context (or at once when
``IMPORT_BACKGROUND`` is false, as in tests). The run re-reads the stored file and
checks everything again, so an apply never trusts an earlier preview. Progress
while a run writes lives in this process (the import's own transaction holds the
database); status, counts and problems are written to the job when it ends.
"""
from __future__ import annotations

import logging
import secrets
import threading
from datetime import date
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select

from ..extensions import db
from ..models import ImportJob
from ..services import imports as import_service
from . import service
from .reader import Problem
from .survey import check_mapping
from .uploads import ImportFileError, problem_for, read_upload, stored_path, store_upload

__all__ = ["create_job", "get_job", "progress_of", "result_json", "run_job", "start"]

log = logging.getLogger(__name__)

#: ``job id → (stage, done, total)`` for runs in this process.
_PROGRESS: dict[int, tuple[str, int, int]] = {}
_THREADS: dict[int, threading.Thread] = {}


def create_job(filename: str, data: bytes, *, kind: str = "organization", mapping: dict | None = None,
               user_id: int | None = None) -> ImportJob:
    """Check and store an upload and record its job (committed; audited as ``create import_job``).

    Raises
    ------
    ImportFileError
        The file (or the survey mapping) is refused; nothing is stored.
    """
    if kind == "survey":
        mapping = check_mapping(mapping or {})
        stored = store_upload(filename, data, allowed=(".csv", ".xlsx"))
    else:
        stored = store_upload(filename, data)
    return import_service.create_job(secrets.token_urlsafe(16)[:22], kind=kind, filename=filename,
                                     stored_name=stored, mapping=mapping, user_id=user_id)


def get_job(token: str) -> ImportJob | None:
    """The job with this opaque token, or None."""
    # populate_existing: a background thread may have finished the job since this session loaded it.
    return db.session.scalar(select(ImportJob).where(ImportJob.token == token)
                             .execution_options(populate_existing=True))


def start(job: ImportJob, *, dry_run: bool) -> None:
    """Queue a preview (``dry_run``) or an apply of ``job`` and run it (in a thread when ``IMPORT_BACKGROUND``)."""
    import_service.queue_job(job, dry_run=dry_run)
    background = current_app.config.get("IMPORT_BACKGROUND", not current_app.testing)
    if not background:
        run_job(job.id)
        return
    app = current_app._get_current_object()
    thread = threading.Thread(target=_run_in_app, args=(app, job.id), name=f"import-{job.id}", daemon=True)
    _THREADS[job.id] = thread
    thread.start()


def wait(job_id: int, timeout: float | None = None) -> None:
    """Wait for a background run of the job to end (for tests and scripts)."""
    thread = _THREADS.get(job_id)
    if thread is not None:
        thread.join(timeout)


def _run_in_app(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()
            _THREADS.pop(job_id, None)


def run_job(job_id: int, *, today: date | None = None) -> None:
    """Run the job's preview or apply now: read the stored file, import, record status and result."""
    job = db.session.get(ImportJob, job_id)
    if job is None:
        return
    import_service.job_running(job)
    dry_run, kind, filename, user_id = job.dry_run, job.kind, job.filename, job.user_id

    def progress(stage: str, done: int, total: int) -> None:
        _PROGRESS[job_id] = (stage, done, total)

    try:
        data = stored_path(job.stored_name).read_bytes()
        if kind == "survey":
            result = service.import_survey(filename, data, job.mapping_data, dry_run=dry_run, actor_id=user_id,
                                           today=today, progress=progress)
        else:
            result = service.import_set(read_upload(filename, data), dry_run=dry_run, actor_id=user_id,
                                        today=today, progress=progress)
        payload = result_json(result)
        status, error = "done", None
    except (ImportFileError, FileNotFoundError) as exc:
        db.session.rollback()
        payload = {"counts": {}, "problems": [_problem_json(problem_for(ImportFileError(str(exc)), filename))],
                   "users_created": [], "dry_run": dry_run}
        status, error = "done", None
    except Exception:  # noqa: BLE001 - a bug must not leave the job "running" forever
        db.session.rollback()
        log.exception("import job %s failed", job_id)
        payload, status, error = None, "failed", "The import failed unexpectedly; nothing was written."
    finally:
        _PROGRESS.pop(job_id, None)
    import_service.finish_job(job_id, status=status, error=error, result=payload)


def progress_of(job: ImportJob) -> dict[str, Any]:
    """``{"stage", "done", "total", "percent"}`` of a running job (percent None when unknown)."""
    stage, done, total = _PROGRESS.get(job.id, ("queued" if job.status == "queued" else "checking", 0, 0))
    percent = round(100 * done / total) if total and stage == "ratings" else None
    return {"stage": stage, "done": done, "total": total, "percent": percent}


def _problem_json(problem: Problem) -> dict[str, Any]:
    return {"file": problem.file, "line": problem.line, "column": problem.column, "reason": problem.reason}


def result_json(result: service.ImportResult) -> dict[str, Any]:
    """An :class:`~tracker.importer.service.ImportResult` as the JSON an :class:`ImportJob` keeps."""
    return {
        "counts": {name: [c.added, c.changed, c.unchanged] for name, c in result.counts.items()},
        "problems": [_problem_json(p) for p in result.problems],
        "users_created": list(result.users_created),
        "low_without_comment": result.low_without_comment,
        "dry_run": result.dry_run,
    }
