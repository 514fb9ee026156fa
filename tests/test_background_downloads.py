"""Large exports and the review pack as background jobs: progress page, download, access, retries, retention.

In tests a job runs at once (``IMPORT_BACKGROUND`` false) unless a test queues it itself.
"""
from __future__ import annotations

import io
import os
import time
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import func, select

from tracker import downloads, tasks
from tracker.extensions import db
from tracker.importer import jobs, service
from tracker.models import ImportJob

from . import factories
from .importer.helpers import WORKED_EXAMPLE


def _org(app, tmp_path):
    app.config["DOWNLOAD_FOLDER"] = str(tmp_path / "downloads")
    assert service.import_path(WORKED_EXAMPLE, today=date(2026, 8, 15)).ok
    factories.user("admin@test.local", "admin")
    factories.user("coo@test.local", "coo")
    db.session.commit()


def _job_of(response) -> ImportJob:
    assert response.status_code == 302 and "/downloads/" in response.headers["Location"], response.status_code
    token = response.headers["Location"].rsplit("/downloads/", 1)[1]
    db.session.expire_all()
    return db.session.scalar(select(ImportJob).where(ImportJob.token == token))


def _file(client, token: str):
    """The made file's response, read and closed (send_file streams it from disk)."""
    response = client.get(f"/downloads/{token}/file")
    response.get_data()
    response.close()
    return response


def test_a_small_export_is_made_in_the_request(client, auth, app, tmp_path):
    _org(app, tmp_path)
    auth.login()
    response = client.get("/admin/exports/ratings.csv?period=2026-Q3")
    assert response.status_code == 200 and response.mimetype == "text/csv"


def test_a_large_export_is_a_job_whose_file_equals_the_export_made_now(client, auth, app, tmp_path):
    _org(app, tmp_path)
    app.config["DOWNLOAD_BACKGROUND_ROWS"] = 3  # the worked example has more ratings than that
    auth.login()
    job = _job_of(client.get("/admin/exports/ratings.csv?period=2026-Q3"))
    assert (job.kind, job.status, job.mapping_data) == ("ratings", "done", {"period": "2026-Q3", "fmt": "csv"})
    page = client.get(f"/downloads/{job.token}").get_data(as_text=True)
    assert "Ready: ratings-2026-Q3.csv" in page and f"/downloads/{job.token}/file" in page
    response = _file(client, job.token)
    assert response.status_code == 200
    assert 'filename=ratings-2026-Q3.csv' in response.headers["Content-Disposition"]
    assert response.data == downloads.build("ratings", {"period": "2026-Q3", "fmt": "csv"}).data
    # the imports page lists imports, not downloads
    assert f"/downloads/{job.token}" not in client.get("/admin/imports").get_data(as_text=True)


def test_the_organization_workbook_as_a_job_holds_every_sheet(client, auth, app, tmp_path):
    _org(app, tmp_path)
    app.config["DOWNLOAD_BACKGROUND_ROWS"] = 3
    auth.login()
    job = _job_of(client.get("/admin/exports/organization.xlsx"))
    book = load_workbook(io.BytesIO(_file(client, job.token).data), read_only=True)
    now = load_workbook(io.BytesIO(downloads.build("org_workbook", {}).data), read_only=True)
    assert book.sheetnames == now.sheetnames
    for name in book.sheetnames:
        assert list(book[name].values) == list(now[name].values), name


def test_only_the_user_who_asked_sees_the_job_and_its_file(client, auth, app, tmp_path):
    _org(app, tmp_path)
    app.config["DOWNLOAD_BACKGROUND_ROWS"] = 3
    auth.login()
    job = _job_of(client.get("/admin/exports/ratings.xlsx?period=2026-Q3"))
    auth.logout()
    auth.login("coo@test.local")
    for url in (f"/downloads/{job.token}", f"/downloads/{job.token}/status", f"/downloads/{job.token}/file"):
        assert client.get(url).status_code == 404, url


def test_a_file_made_before_a_demotion_is_not_served_after_it():
    from types import SimpleNamespace

    from tracker.auth import access

    job = SimpleNamespace(kind="review_pack", user_id=7)
    coo = SimpleNamespace(id=7, role="coo", is_authenticated=True)
    assert access.may_download(coo, job)
    assert not access.may_download(SimpleNamespace(id=7, role="head", is_authenticated=True), job)  # demoted
    assert not access.may_download(SimpleNamespace(id=8, role="coo", is_authenticated=True), job)  # another coo
    assert not access.may_download(coo, SimpleNamespace(kind="organization", user_id=7))  # an import job
    assert not access.may_download(coo, SimpleNamespace(kind="ratings", user_id=7))  # an admin's export


def test_the_review_pack_button_makes_the_pdf_in_a_job(client, auth, app, tmp_path):
    _org(app, tmp_path)
    auth.login("coo@test.local")
    assert b"Make the review pack (PDF)" in client.get("/dashboard/?period=2026-Q3").data
    job = _job_of(client.post("/scorecard/review-pack?period=2026-Q3&lang=ru"))
    assert job.kind == "review_pack" and job.mapping_data == {"period": "2026-Q3", "lang": "ru"}
    response = _file(client, job.token)
    assert response.data.startswith(b"%PDF") and "review-pack-2026-Q3.pdf" in response.headers["Content-Disposition"]


def test_a_second_click_joins_the_unfinished_job(client, auth, app, tmp_path, monkeypatch):
    _org(app, tmp_path)
    app.config["IMPORT_BACKGROUND"] = True
    queued = []
    monkeypatch.setattr(tasks, "run_download", queued.append)  # no consumer: the job stays queued
    auth.login("coo@test.local")
    first = _job_of(client.post("/scorecard/review-pack?period=2026-Q3&lang=en"))
    second = _job_of(client.post("/scorecard/review-pack?period=2026-Q3&lang=en"))
    assert first.id == second.id and queued == [first.id]
    assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 1
    assert "making the file" in client.get(f"/downloads/{first.token}").get_data(as_text=True) or \
        "queued" in client.get(f"/downloads/{first.token}").get_data(as_text=True)
    assert _file(client, first.token).status_code == 404  # not made yet


def test_a_job_whose_worker_died_is_failed_and_can_be_started_again(client, auth, app, tmp_path):
    _org(app, tmp_path)
    coo = factories.user("coo2@test.local", "coo")
    db.session.commit()
    from tracker.services import imports as import_service

    job = import_service.create_download_job("deadjob", kind="review_pack", filename="review-pack",
                                             params={"period": "2026-Q3", "lang": "en"}, user_id=coo.id)
    import_service.job_running(job)
    jobs.put_signal(job.id, "alive", time.time() - 3600)  # its worker stopped beating an hour ago
    auth.login("coo2@test.local")
    page = client.get("/downloads/deadjob").get_data(as_text=True)
    assert "The worker preparing this file stopped. Start it again." in page and "Start again" in page
    response = client.post("/downloads/deadjob/retry")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ImportJob, job.id).status == "done"
    assert _file(client, "deadjob").data.startswith(b"%PDF")


def test_a_failing_build_ends_the_job_failed_with_a_message(client, auth, app, tmp_path, monkeypatch):
    _org(app, tmp_path)
    app.config["DOWNLOAD_BACKGROUND_ROWS"] = 3

    def broken(kind, params):
        raise RuntimeError("disk full")

    monkeypatch.setattr(downloads, "build", broken)
    auth.login()
    job = _job_of(client.get("/admin/exports/ratings.csv?period=2026-Q3"))
    assert job.status == "failed"
    assert "The file could not be made" in client.get(f"/downloads/{job.token}").get_data(as_text=True)


def test_made_files_are_deleted_after_the_retention_time(client, auth, app, tmp_path):
    _org(app, tmp_path)
    app.config["DOWNLOAD_BACKGROUND_ROWS"] = 3
    auth.login()
    job = _job_of(client.get("/admin/exports/ratings.csv?period=2026-Q3"))
    path, _name, _type = downloads.file_of(job)
    old = time.time() - 25 * 3600
    os.utime(path, (old, old))
    assert downloads.delete_expired_downloads() == 1 and not path.exists()
    assert "deleted after a day" in client.get(f"/downloads/{job.token}").get_data(as_text=True)
    assert _file(client, job.token).status_code == 404


def test_a_worker_outside_any_request_makes_the_review_pack(app, tmp_path):
    """A queue consumer runs the job with an app context only (no request): the pack's url_for must still work.

    It failed so under `make run` ("Unable to build URLs outside an active request") while the
    tests, which run a job inside the request that queued it, passed.
    """
    from flask import has_request_context

    from tracker.services import imports as import_service

    _org(app, tmp_path)
    coo = factories.user("coo3@test.local", "coo")
    db.session.commit()
    job = import_service.create_download_job("worker-job", kind="review_pack", filename="review-pack",
                                             params={"period": "2026-Q3", "lang": "ru"}, user_id=coo.id)
    assert not has_request_context()
    downloads.run(job.id)
    db.session.expire_all()
    done = db.session.get(ImportJob, job.id)
    assert (done.status, done.error) == ("done", None)
    path, filename, mimetype = downloads.file_of(done)
    assert path.read_bytes().startswith(b"%PDF") and filename == "review-pack-2026-Q3.pdf"


def test_uploads_past_their_retention_are_deleted_and_other_files_are_left_alone(app, tmp_path):
    """The one retention rule of kept files, as the uploads use it (only names the upload store made)."""
    from tracker.importer.uploads import delete_expired_uploads, store_upload, upload_folder

    old_name = store_upload("departments.csv", b"code,name\nIT,IT\n")
    fresh_name = store_upload("departments.csv", b"code,name\nWH,WH\n")
    foreign = upload_folder() / "README.txt"
    foreign.write_text("not an upload")
    old = time.time() - 25 * 3600
    for path in (upload_folder() / old_name, foreign):
        os.utime(path, (old, old))
    assert delete_expired_uploads(24) == 1
    assert not (upload_folder() / old_name).exists()
    assert (upload_folder() / fresh_name).exists() and foreign.exists()
