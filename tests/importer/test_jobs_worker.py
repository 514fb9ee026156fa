"""Import jobs run in a Huey consumer with durable state: progress seen from another process, a killed worker.

These tests start a real ``huey_consumer`` process on a queue file of the test's own,
over the test's database, and read the job from this (another) process.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from tracker import tasks
from tracker.extensions import db
from tracker.importer import jobs
from tracker.models import Department, ImportJob, Period, Rating

from .. import factories
from .helpers import row_counts

ROOT = Path(__file__).resolve().parent.parent.parent
CONSUMER = Path(sys.executable).parent / "huey_consumer"
RATINGS = 30_000


def _big_ratings_csv() -> bytes:
    lines = ["period,supplier_code,customer_code,service,respondent,quality,timeliness,communication,value,"
             "recommend,standard_met,no_interaction,comment"]
    lines += [f"2026-Q3,IT,NEW,IT support,r{i}@survey.example,4,3,5,,8,met,," for i in range(RATINGS)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def queue(app, tmp_path, monkeypatch, database_url):
    """A queue file of this test's own, this process reading it, and a consumer starter."""
    # The app put the queue in immediate mode (tests); this test wants the real queue, in its own file.
    monkeypatch.setitem(tasks.huey.storage_kwargs, "filename", str(tmp_path / "huey.sqlite"))
    tasks.huey.immediate = False
    app.config["IMPORT_BACKGROUND"] = True
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | {
        "HUEY_SQLITE": str(tmp_path / "huey.sqlite"), "DATABASE_URL": database_url,
        "UPLOAD_FOLDER": str(tmp_path / "uploads"), "SECRET_KEY": "test"}
    started: list[subprocess.Popen] = []

    def start_consumer() -> subprocess.Popen:
        proc = subprocess.Popen([str(CONSUMER), "tracker.tasks.huey", "-w", "1", "-d", "0.05"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        started.append(proc)
        return proc

    try:
        yield start_consumer
    finally:
        for proc in started:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        tasks.huey.immediate = True


@pytest.fixture
def org(app):
    factories.department("IT")
    factories.user("admin@test.local", "admin")
    db.session.commit()


def _departments_csv_and_job() -> ImportJob:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("departments.csv", "code,name,kind,parent_code,head_email\nNEW,New,internal,,\n")
        archive.writestr("contracts.csv", "supplier_code,customer_code,service\nIT,NEW,IT support\n")
        archive.writestr("ratings.csv", _big_ratings_csv())
    return jobs.create_job("org.zip", buffer.getvalue())


def _poll(job_id: int, until, timeout: float = 240.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()
        job = db.session.get(ImportJob, job_id)
        db.session.refresh(job)
        seen = jobs.progress_of(job)
        if until(job, seen):
            return job, seen
        assert until(job, seen) or not job.finished, (job.status, job.error, job.result)
        time.sleep(0.05)
    raise AssertionError(f"timed out; last status {job.status}, progress {seen}")


def test_a_killed_worker_leaves_a_failed_job_nothing_written_and_it_can_run_again(client, auth, org, queue):
    before = row_counts()
    job = _departments_csv_and_job()
    job_id = job.id
    consumer = queue()
    jobs.start(job, dry_run=False)

    # A poll from this process sees the true progress of the consumer's run.
    job, seen = _poll(job_id, lambda j, p: p["stage"] == "ratings" and p["done"] >= 1000)
    assert job.status == "running" and seen["total"] == RATINGS and 0 < seen["percent"] <= 100
    auth.login("admin@test.local")
    fragment = client.get(f"/admin/imports/job/status?id={job.token}").get_data(as_text=True)
    assert f"of {RATINGS}" in fragment and "hx-trigger" in fragment

    os.killpg(consumer.pid, signal.SIGKILL)
    consumer.wait()
    db.session.rollback()
    assert db.session.get(ImportJob, job_id).status == "running"  # nobody has noticed yet
    assert jobs.fail_dead_jobs(now=time.time() + jobs.DEAD_AFTER_SECONDS + 1) == 1
    job = db.session.get(ImportJob, job_id)
    assert job.status == "failed" and job.error == jobs.WORKER_DIED
    after = row_counts()
    assert {k: after[k] for k in ("departments", "contracts", "periods", "ratings")} == {
        k: before[k] for k in ("departments", "contracts", "periods", "ratings")}
    page = client.get(f"/admin/imports/job?id={job.token}").get_data(as_text=True)
    assert jobs.WORKER_DIED in page and "Run again" in page

    # Run again, in a fresh worker: the whole import lands.
    queue()
    response = client.post(f"/admin/imports/job/retry?id={job.token}")
    assert response.status_code == 302
    job, _seen = _poll(job_id, lambda j, p: j.finished, timeout=600)
    assert job.status == "done" and job.error is None, job.error
    assert db.session.scalar(select(db.func.count()).select_from(Rating)) == RATINGS
    assert db.session.scalar(select(Department).where(Department.code == "NEW")) is not None
    assert db.session.scalar(select(Period.label)) == "2026-Q3"


def test_a_live_worker_is_not_taken_for_dead(app, org, queue):
    job = _departments_csv_and_job()
    queue()
    jobs.start(job, dry_run=True)
    job, _seen = _poll(job.id, lambda j, p: j.status == "running")
    assert jobs.fail_dead_jobs() == 0
    job, _seen = _poll(job.id, lambda j, p: j.finished, timeout=600)
    assert job.status == "done" and job.result_data["counts"]["ratings"] == [RATINGS, 0, 0]
