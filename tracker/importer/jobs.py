"""Import jobs: an uploaded file is kept server-side, previewed (a dry run) and applied, in the background.

:func:`create_job` stores the upload under a random name and records an
:class:`~tracker.models.ImportJob`; :func:`start` queues a preview or an apply as a
Huey task (:mod:`tracker.tasks`; at once when ``IMPORT_BACKGROUND`` is false, as in
tests). The run re-reads the stored file and checks everything again, so an apply
never trusts an earlier preview. Status, counts and problems are written to the job
row; progress and the worker's heartbeat go to the queue's key-value store, which every
worker reads (the import's own transaction may hold the database's write lock). A
running job whose heartbeat stopped is marked failed (:func:`fail_dead_jobs`) and can be
run again; its transaction never committed, so nothing of it was written. An applied
job's upload is deleted; any upload is deleted after ``UPLOAD_RETENTION_HOURS``.
"""
from __future__ import annotations

import logging
import secrets
import threading
import time
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import select

from .. import tasks
from ..extensions import db
from ..models import ImportJob
from ..services import imports as import_service
from . import service
from .reader import Problem
from .survey import check_mapping
from .uploads import ImportFileError, delete_expired_uploads, problem_for, read_upload, stored_path, store_upload

__all__ = ["DOWNLOAD_KINDS", "Heartbeat", "create_job", "fail_dead_jobs", "get_job", "in_background", "progress_of", "put_signal",
           "clear_signals", "result_json", "run_job", "start", "start_apply"]

log = logging.getLogger(__name__)

#: Seconds between heartbeats of a running job, and of silence after which its worker is taken for dead.
HEARTBEAT_SECONDS = 2.0
DEAD_AFTER_SECONDS = 30.0


def N_(message: str) -> str:
    """Mark ``message`` for translation where it is shown (it is stored in English on the job)."""
    return message


WORKER_DIED = N_("The worker running this import stopped; nothing was written. Run it again.")
DOWNLOAD_WORKER_DIED = N_("The worker preparing this file stopped. Start it again.")
#: Job kinds that are downloads (tracker.downloads), not imports.
DOWNLOAD_KINDS = ("ratings", "departments", "org_workbook", "review_pack")


def _key(job_id: int, what: str) -> str:
    return f"import-job:{job_id}:{what}"


def put_signal(job_id: int, what: str, value: Any) -> None:
    """Keep ``value`` (``progress``, ``alive``) of job ``job_id`` in the queue's store, where every worker reads it."""
    tasks.huey.put(_key(job_id, what), value)


def clear_signals(job_id: int) -> None:
    """Forget the progress and heartbeat of a job that ended."""
    for what in ("progress", "alive"):
        tasks.huey.delete(_key(job_id, what))



def _peek(job_id: int, what: str) -> Any:
    return tasks.huey.get(_key(job_id, what), peek=True)


def create_job(filename: str, data: bytes, *, kind: str = "organization", mapping: dict | None = None,
               user_id: int | None = None) -> ImportJob:
    """Check and store an upload and record its job (committed; audited as ``create import_job``).

    Raises
    ------
    ImportFileError
        The file (or the survey mapping) is refused; nothing is stored.
    """
    delete_expired_uploads(current_app.config.get("UPLOAD_RETENTION_HOURS", 24))
    if kind == "survey":
        mapping = check_mapping(mapping or {})
        stored = store_upload(filename, data, allowed=(".csv", ".xlsx"))
    else:
        stored = store_upload(filename, data)
    return import_service.create_job(secrets.token_urlsafe(16)[:22], kind=kind, filename=filename,
                                     stored_name=stored, mapping=mapping, user_id=user_id)


def get_job(token: str) -> ImportJob | None:
    """The job with this opaque token, or None."""
    # populate_existing: a worker may have finished the job since this session loaded it.
    job = db.session.scalar(select(ImportJob).where(ImportJob.token == token)
                            .execution_options(populate_existing=True))
    if job is not None and job.status == "running" and fail_dead_jobs([job.id]):
        db.session.refresh(job)
    return job


def in_background() -> bool:
    """Whether jobs go to the task queue (``IMPORT_BACKGROUND``, default on outside tests) or run in the request."""
    return current_app.config.get("IMPORT_BACKGROUND", not current_app.testing)


def start(job: ImportJob, *, dry_run: bool) -> None:
    """Queue a preview (``dry_run``) or an apply of ``job`` as a task (run now when ``IMPORT_BACKGROUND`` is false)."""
    import_service.queue_job(job, dry_run=dry_run)
    if not in_background():
        run_job(job.id)
        return
    tasks.run_import(job.id)


def start_apply(job: ImportJob) -> bool:
    """Claim a finished preview for its apply and run it; False when another request claimed it first.

    The claim is one conditional UPDATE (``status done and dry_run`` → ``queued``, not a
    dry run), so of two clicks on Apply, in whichever workers, exactly one applies; the
    caller tells the other that the job was already applied (or is being applied).
    """
    claimed = import_service.claim_apply(job.id)
    if not claimed:
        return False
    db.session.refresh(job)
    start(job, dry_run=False)
    return True


def wait(job_id: int, timeout: float = 60.0) -> None:
    """Wait until the job's run ended (for tests and scripts), polling its row; give up after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = db.session.scalar(select(ImportJob.status).where(ImportJob.id == job_id)
                                   .execution_options(populate_existing=True))
        db.session.rollback()  # end the read so the next poll sees the worker's commit
        if status in ("done", "failed", None):
            return
        time.sleep(0.1)


def fail_dead_jobs(job_ids: list[int] | None = None, *, now: float | None = None) -> int:
    """Mark failed every running job (of ``job_ids``, default all) whose heartbeat is older than DEAD_AFTER_SECONDS.

    Returns how many were marked. The update is conditional on ``status = 'running'``,
    so a job that finished meanwhile keeps its result.
    """
    now = time.time() if now is None else now
    stmt = select(ImportJob.id, ImportJob.kind).where(ImportJob.status == "running")
    if job_ids is not None:
        stmt = stmt.where(ImportJob.id.in_(job_ids))
    dead = [(job_id, kind) for job_id, kind in db.session.execute(stmt)
            if now - (_peek(job_id, "alive") or 0) > DEAD_AFTER_SECONDS]
    marked = 0
    for downloads, message in ((False, WORKER_DIED), (True, DOWNLOAD_WORKER_DIED)):
        ids = [job_id for job_id, kind in dead if (kind in DOWNLOAD_KINDS) == downloads]
        if ids:
            marked += import_service.fail_jobs(ids, message)
    for job_id, kind in dead:
        log.warning("%s job %s: its worker stopped; marked failed", kind, job_id)
    return marked


class Heartbeat:
    """Tell every worker that this run is alive, every HEARTBEAT_SECONDS, until stopped."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.stopped = threading.Event()
        put_signal(job_id, "alive", time.time())
        self.thread = threading.Thread(target=self._beat, name=f"import-{job_id}-heartbeat", daemon=True)
        self.thread.start()

    def _beat(self) -> None:
        while not self.stopped.wait(HEARTBEAT_SECONDS):
            put_signal(self.job_id, "alive", time.time())

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()


def run_job(job_id: int, *, today: date | None = None) -> None:
    """Run the job's preview or apply now: read the stored file, import, record status and result.

    The import is one transaction; the job row's status is committed apart from it
    (``running`` before, ``done``/``failed`` after), so a worker that dies in between
    leaves a ``running`` job that :func:`fail_dead_jobs` marks failed, and no data.
    """
    job = db.session.get(ImportJob, job_id)
    if job is None or job.status not in ("queued", "failed"):
        return  # another worker took it (a task delivered twice), or it already ended
    heartbeat = Heartbeat(job_id)
    put_signal(job_id, "progress", ("checking", 0, 0))
    import_service.job_running(job)
    dry_run, kind, filename, user_id = job.dry_run, job.kind, job.filename, job.user_id

    def progress(stage: str, done: int, total: int) -> None:
        put_signal(job_id, "progress", (stage, done, total))

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
        reason = (str(exc) if isinstance(exc, ImportFileError)
                  else "the uploaded file is no longer kept (uploads are deleted after a while); upload it again")
        payload = {"counts": {}, "problems": [_problem_json(problem_for(ImportFileError(reason), filename))],
                   "users_created": [], "dry_run": dry_run}
        status, error = "done", None
    except Exception:  # noqa: BLE001 - a bug must not leave the job "running" forever
        db.session.rollback()
        log.exception("import job %s failed", job_id)
        payload, status, error = None, "failed", "The import failed unexpectedly; nothing was written."
    finally:
        heartbeat.stop()
        tasks.huey.delete(_key(job_id, "progress"))
    import_service.finish_job(job_id, status=status, error=error, result=payload)
    tasks.huey.delete(_key(job_id, "alive"))
    if status == "done" and not dry_run and not (payload or {}).get("problems"):
        job = db.session.get(ImportJob, job_id)
        stored_path(job.stored_name).unlink(missing_ok=True)  # applied: the upload has served its purpose


def progress_of(job: ImportJob) -> dict[str, Any]:
    """``{"stage", "done", "total", "percent"}`` of a running job (percent None when unknown)."""
    stored = _peek(job.id, "progress") if job.status == "running" else None
    stage, done, total = stored or ("queued" if job.status == "queued" else "checking", 0, 0)
    percent = round(100 * done / total) if total and stage == "ratings" else None
    return {"stage": stage, "done": done, "total": total, "percent": percent}


def _problem_json(problem: Problem) -> dict[str, Any]:
    return {"file": problem.file, "line": problem.line, "column": problem.column, "reason": problem.reason}


def result_json(result: service.ImportResult) -> dict[str, Any]:
    """An :class:`~tracker.importer.service.ImportResult` as the JSON an :class:`ImportJob` keeps.

    At most ``IMPORT_PREVIEW_ROWS`` problems and changed rows are kept, with the count of the rest.
    """
    limit = result.preview_limit
    return {
        "counts": {name: [c.added, c.changed, c.unchanged] for name, c in result.counts.items()},
        # A file with a bad value on every line keeps the first rows' problems, and how many more there are.
        "problems": [_problem_json(p) for p in result.problems[:limit]],
        "problems_total": len(result.problems),
        "preview": [list(row) for row in result.preview],
        "preview_more": result.preview_more,
        "users_created": list(result.users_created),
        "low_without_comment": result.low_without_comment,
        "dry_run": result.dry_run,
        "periods_created": [[label, start.isoformat(), end.isoformat()]
                            for label, start, end in result.periods_created],
        "periods_moved": result.periods_moved,
    }
