"""Long work in a Huey task queue with durable state, so a job survives the web worker that queued it.

The queue is Huey's SQLite storage in the instance folder (``instance/huey.sqlite``, no
extra server) or Redis when ``REDIS_URL`` is set; ``HUEY_SQLITE`` names another file.
Run the consumer beside the web workers (``make run`` does)::

    huey_consumer tracker.tasks.huey -w 2

A job's status and result live in its database row; its progress and a heartbeat live
in the queue's key-value store, which every web worker and consumer reads and which,
unlike the database during an import's own transaction, is never locked by the import.
A running job whose heartbeat stopped (its worker died) is marked failed by
:func:`tracker.importer.jobs.fail_dead_jobs`; its transaction was never committed, so
nothing of it was written.
"""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, current_app, has_app_context
from huey import RedisHuey, SqliteHuey, crontab

__all__ = ["huey", "make_huey", "run_download", "run_import"]

_ROOT = Path(__file__).resolve().parent.parent


def make_huey(instance_path: str | os.PathLike | None = None):
    """A Huey instance: Redis at ``REDIS_URL`` when set, else SQLite (``HUEY_SQLITE`` or ``instance/huey.sqlite``)."""
    url = os.environ.get("REDIS_URL")
    if url:
        return RedisHuey("tracker", url=url)
    path = os.environ.get("HUEY_SQLITE") or str(Path(instance_path or _ROOT / "instance") / "huey.sqlite")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("tracker", filename=path)


huey = make_huey()
_app: Flask | None = None


def _worker_app() -> Flask:
    """The app of this process: the current one (web worker, immediate mode) or one made from the environment."""
    global _app
    if has_app_context():
        return current_app._get_current_object()
    if _app is None:
        from . import create_app

        _app = create_app()
    return _app


@huey.task()
def run_import(job_id: int) -> None:
    """Run import job ``job_id`` (its preview or apply) in this worker."""
    from .importer import jobs

    app = _worker_app()
    with app.app_context():
        jobs.run_job(job_id)


@huey.task()
def run_download(job_id: int) -> None:
    """Make the file of download job ``job_id`` (an export or the review pack) in this worker."""
    from . import downloads

    app = _worker_app()
    with app.app_context():
        downloads.run(job_id)


@huey.periodic_task(crontab(minute="*"))
def fail_dead_import_jobs() -> None:
    """Every minute: mark failed the running imports and downloads whose worker stopped sending its heartbeat."""
    from .importer import jobs

    app = _worker_app()
    with app.app_context():
        jobs.fail_dead_jobs()
