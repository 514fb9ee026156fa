"""A double-clicked Apply: one click applies, the other is told the job was already applied (never a failure)."""
from __future__ import annotations

from sqlalchemy import select

from tracker.extensions import db
from tracker.importer import jobs
from tracker.models import ImportJob

from .helpers import row_counts
from .test_admin_imports import SMALL, admin, follow, upload, uploads, workbook_bytes  # noqa: F401 - fixtures


def test_second_apply_reports_already_applied(client, admin):
    location, _page = follow(client, upload(client, workbook_bytes(SMALL), "org.xlsx"))
    first = client.post(location.replace("/job?", "/job/apply?"))
    counts = row_counts()
    second = client.post(location.replace("/job?", "/job/apply?"), follow_redirects=True)
    page = second.get_data(as_text=True)
    assert second.status_code == 200 and first.status_code == 302
    assert "This import was already applied." in page
    assert "failed unexpectedly" not in page and "Imported" in page
    job = db.session.scalars(select(ImportJob)).one()
    assert job.status == "done" and not job.dry_run and job.error is None
    assert {k: v for k, v in row_counts().items() if k != "audit_log"} == {
        k: v for k, v in counts.items() if k != "audit_log"}


def test_only_one_of_two_racing_claims_applies(client, admin):
    # Both requests read the job as a finished preview before either claimed it.
    location, _page = follow(client, upload(client, workbook_bytes(SMALL), "org.xlsx"))
    job = db.session.scalars(select(ImportJob)).one()
    stale_copy_status = (job.status, job.dry_run)
    assert stale_copy_status == ("done", True)
    assert jobs.start_apply(job) is True
    assert jobs.start_apply(job) is False
    assert row_counts()["departments"] == 3
