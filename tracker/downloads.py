"""Files that may take long to make — large exports and the review pack — as background jobs with progress.

One mechanism with the imports (:mod:`tracker.importer.jobs`): a job row
(:class:`~tracker.models.ImportJob`, ``kind`` one of :data:`KINDS`), its state written by
:mod:`tracker.services.imports`, its progress and heartbeat in the task queue's store, run
by a Huey task (:func:`tracker.tasks.run_download`), marked failed when its worker dies.

An export of at most ``DOWNLOAD_BACKGROUND_ROWS`` rows (default 20,000) is made in the
request as before; a larger one, and the review pack from the dashboard's button, is a job:
the user sees its progress and then a download link. The file is kept in
``instance/downloads`` for the user who asked, and deleted after ``DOWNLOAD_RETENTION_HOURS``
(default 24).

A request that finds the same user's unfinished job for the same file goes to that job
instead of starting another, so a double click makes one job.
"""
from __future__ import annotations

import json
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from .extensions import db
from .importer import export as exporter
from .importer import jobs
from .importer.uploads import delete_older_than
from .models import Contract, Department, ImportJob, Rating
from .services import analysis as analysis_service
from .services import imports as import_service

__all__ = ["KINDS", "Download", "build", "delete_expired_downloads", "download_folder", "file_of", "in_background",
           "retry", "rows_of", "run", "start"]

log = logging.getLogger(__name__)

#: What a download job makes, by kind (``jobs.DOWNLOAD_KINDS``).
KINDS = jobs.DOWNLOAD_KINDS
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIMETYPES = {"csv": "text/csv", "xlsx": XLSX, "pdf": "application/pdf"}
FAILED = jobs.N_("The file could not be made; see the server log. Start it again.")


@dataclass(frozen=True, slots=True)
class Download:
    """A made file: its bytes, the name the browser saves it as, and its MIME type."""

    data: bytes
    filename: str
    mimetype: str


def build(kind: str, params: dict[str, Any]) -> Download:
    """Make the file of ``kind`` with ``params`` (``period`` label, ``fmt`` csv/xlsx, ``lang`` en/ru) now.

    Raises
    ------
    LookupError
        The period is unknown. ValueError: an unknown kind.
    """
    if kind in ("ratings", "departments"):
        period = analysis_service.resolve_period(params["period"])
        rows = exporter.ratings_report(period) if kind == "ratings" else exporter.departments_report(period)
        fmt = params.get("fmt", "csv")
        data = exporter.csv_bytes(rows) if fmt == "csv" else exporter.xlsx_bytes({kind: rows})
        return Download(data, f"{kind}-{period.label}.{fmt}", MIMETYPES[fmt])
    if kind == "org_workbook":
        return Download(exporter.organization_xlsx(), f"organization-{date.today().isoformat()}.xlsx", XLSX)
    if kind == "review_pack":
        from .scorecard.pack import render_review_pack

        period = analysis_service.resolve_period(params["period"])
        pdf = render_review_pack(period, lang=params.get("lang", "en"))
        return Download(pdf, f"review-pack-{period.label}.pdf", MIMETYPES["pdf"])
    raise ValueError(f"unknown download {kind!r}")


def rows_of(kind: str, params: dict[str, Any]) -> int:
    """About how many rows the file of ``kind`` holds (what decides between now and a job)."""
    if kind == "ratings":
        period = analysis_service.resolve_period(params["period"])
        return db.session.scalar(select(func.count()).select_from(Rating).where(Rating.period_id == period.id)) or 0
    if kind == "departments":
        return db.session.scalar(select(func.count()).select_from(Department)) or 0
    if kind == "org_workbook":
        return sum(db.session.scalar(select(func.count()).select_from(model)) or 0
                   for model in (Department, Contract, Rating))
    return 0


def in_background(kind: str, params: dict[str, Any]) -> bool:
    """Whether the file is made as a job: the review pack always, an export above ``DOWNLOAD_BACKGROUND_ROWS``."""
    return kind == "review_pack" or rows_of(kind, params) > current_app.config.get("DOWNLOAD_BACKGROUND_ROWS", 20_000)


def start(kind: str, params: dict[str, Any], *, user_id: int) -> ImportJob:
    """The user's unfinished job for this file, or a new one queued (run now when jobs do not go to the queue)."""
    delete_expired_downloads()
    encoded = json.dumps(params, ensure_ascii=False)
    running = db.session.scalar(
        select(ImportJob).where(ImportJob.user_id == user_id, ImportJob.kind == kind, ImportJob.mapping == encoded,
                                ImportJob.status.in_(("queued", "running"))).order_by(ImportJob.id.desc()).limit(1))
    if running is not None:
        return running
    filename = {"review_pack": "review-pack", "org_workbook": "organization"}.get(kind, kind)
    job = import_service.create_download_job(secrets.token_urlsafe(16)[:22], kind=kind, filename=filename,
                                             params=params, user_id=user_id)
    _dispatch(job.id)
    return job


def retry(job: ImportJob) -> None:
    """Run a failed download job again."""
    import_service.queue_job(job, dry_run=False)
    _dispatch(job.id)


def _dispatch(job_id: int) -> None:
    """Queue the job for a consumer, or run it now (the imports' rule, :func:`tracker.importer.jobs.in_background`)."""
    if jobs.in_background():
        from . import tasks

        tasks.run_download(job_id)
    else:
        run(job_id)


def run(job_id: int) -> None:
    """Make the job's file now (in a worker), keep it, and record the job done or failed."""
    job = db.session.get(ImportJob, job_id)
    if job is None or job.status not in ("queued", "failed") or job.kind not in KINDS:
        return  # another worker took it, or it already ended
    heartbeat = jobs.Heartbeat(job_id)
    jobs.put_signal(job_id, "progress", ("making", 0, 0))
    import_service.job_running(job)
    kind, params = job.kind, job.mapping_data
    started = time.monotonic()
    try:
        # A worker has no request: url_for (the links in the pack's charts) needs one, as the CLI's.
        with current_app.test_request_context():
            made = build(kind, params)
        name = secrets.token_hex(16) + Path(made.filename).suffix
        (download_folder() / name).write_bytes(made.data)
        result = {"file": name, "filename": made.filename, "mimetype": made.mimetype, "bytes": len(made.data),
                  "seconds": round(time.monotonic() - started, 2)}
        status, error = "done", None
    except Exception:  # noqa: BLE001 - a bug must not leave the job "running" forever
        db.session.rollback()
        log.exception("download job %s (%s) failed", job_id, kind)
        result, status, error = None, "failed", FAILED
    finally:
        heartbeat.stop()
        jobs.clear_signals(job_id)
    import_service.finish_job(job_id, status=status, error=error, result=result)


def file_of(job: ImportJob) -> tuple[Path, str, str] | None:
    """``(path, filename, mimetype)`` of a done job's kept file, or None when there is none (any more)."""
    made = job.result_data if job.status == "done" else {}
    name = made.get("file", "")
    if len(name) < 33 or any(c not in "0123456789abcdef" for c in name[:32]) or "/" in name or "\\" in name:
        return None
    path = download_folder() / name
    return (path, made["filename"], made["mimetype"]) if path.is_file() else None


def download_folder() -> Path:
    """``instance/downloads`` of the current app (created if needed)."""
    folder = Path(current_app.config.get("DOWNLOAD_FOLDER") or Path(current_app.instance_path) / "downloads")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def delete_expired_downloads(*, now: float | None = None) -> int:
    """Delete made files older than ``DOWNLOAD_RETENTION_HOURS`` (by file time); return how many."""
    return delete_older_than(download_folder(), current_app.config.get("DOWNLOAD_RETENTION_HOURS", 24), now=now)
