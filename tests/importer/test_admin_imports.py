"""The admin import pages: upload → preview → apply, bad files and rows, background runs, access."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from tracker.extensions import db
from tracker.importer import jobs
from tracker.models import AuditLog, ImportJob, Rating

from .. import factories
from .helpers import CONTRACTS, DEPARTMENTS, RATINGS, row_counts


@pytest.fixture(autouse=True)
def uploads(app, tmp_path):
    """Keep uploads in the test's folder, not the instance folder."""
    folder = tmp_path / "uploads"
    app.config["UPLOAD_FOLDER"] = str(folder)
    return folder


@pytest.fixture
def admin(app, auth):
    factories.user("admin@test.local", "admin")
    db.session.commit()
    auth.login()


def workbook_bytes(sheets: dict[str, str]) -> bytes:
    """An XLSX workbook with one sheet per ``{name: CSV text}`` (cells as text)."""
    book = Workbook()
    book.remove(book.active)
    for name, text in sheets.items():
        sheet = book.create_sheet(name)
        for line in text.strip().splitlines():
            sheet.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def zip_bytes(members: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


SMALL = {"departments": DEPARTMENTS, "contracts": CONTRACTS, "ratings": RATINGS}


def upload(client, data: bytes, name: str):
    return client.post("/admin/imports", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def follow(client, response):
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    location = response.headers["Location"]
    assert re.fullmatch(r"/admin/imports/job\?id=[\w-]+", location), location
    return location, client.get(location).get_data(as_text=True)


def apply(client, location: str):
    response = client.post(location.replace("/job?", "/job/apply?"))
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_workbook_preview_then_apply_then_reimport_is_unchanged(client, admin, uploads):
    before = row_counts()
    location, page = follow(client, upload(client, workbook_bytes(SMALL), "org.xlsx"))
    assert "Preview: nothing has been written yet" in page
    assert "8 added, 0 changed, 0 unchanged" in page  # 3 departments, 2 agreements, 1 period, 2 ratings
    assert re.search(r"<th scope=\"row\">departments</th><td>3</td><td>0</td><td>0</td>", page)
    assert re.search(r"<th scope=\"row\">ratings</th><td>2</td><td>0</td><td>0</td>", page)
    assert row_counts() == before | {"import_jobs": 1, "audit_log": before["audit_log"] + 1}  # the job and its audit
    # The file is kept under a random name, never the client's.
    stored = list(uploads.iterdir())
    assert len(stored) == 1 and re.fullmatch(r"[0-9a-f]{32}\.xlsx", stored[0].name)

    page = apply(client, location)
    assert "Imported" in page and "8 added, 0 changed, 0 unchanged" in page
    assert row_counts()["departments"] == 3 and row_counts()["ratings"] == 2
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "import")).one()
    assert '"ratings.added": [null, 2]' in entry.changes and entry.reason == "import from org.xlsx"
    assert entry.user_id is not None

    location, page = follow(client, upload(client, workbook_bytes(SMALL), "org.xlsx"))
    assert "0 added, 0 changed, 8 unchanged" in page
    counts = row_counts()
    page = apply(client, location)
    assert "0 added, 0 changed, 8 unchanged" in page
    assert {k: v for k, v in row_counts().items() if k != "audit_log"} == {
        k: v for k, v in counts.items() if k != "audit_log"}


def test_zip_of_csv_files_in_a_folder_imports(client, admin):
    data = zip_bytes({"org/departments.csv": DEPARTMENTS, "org/contracts.csv": CONTRACTS,
                      "org/ratings.csv": RATINGS.encode("utf-8-sig"), "__MACOSX/org/._ratings.csv": b"\x00junk"})
    location, page = follow(client, upload(client, data, "org.zip"))
    assert "8 added, 0 changed, 0 unchanged" in page
    apply(client, location)
    assert db.session.scalar(select(db.func.count()).select_from(Rating)) == 2


def test_bad_rows_are_listed_with_sheet_row_column_reason_and_nothing_is_written(client, admin):
    bad = dict(SMALL, ratings=RATINGS + "2026-Q3,IT,LOG,IT support,x@y.z,7,3,4,,9,met,,\n"
                                        "2026-Q3,IT,NOPE,IT support,,5,,,,,,,\n")
    before = row_counts()
    location, page = follow(client, upload(client, workbook_bytes(bad), "bad.xlsx"))
    assert "2 problem(s) found; nothing was written" in page
    assert "<td>ratings</td><td>4</td><td>quality</td><td>quality &#39;7&#39;: out of range 1–5</td>" in page
    assert "no active agreement IT → NOPE for service &#39;IT support&#39;" in page
    assert "Apply" not in page
    response = client.post(location.replace("/job?", "/job/apply?"))
    assert response.status_code == 302
    assert "Only a finished preview without problems can be applied." in client.get(
        response.headers["Location"]).get_data(as_text=True)
    counts = row_counts()
    assert counts["departments"] == before["departments"] == 0 and counts["ratings"] == 0


@pytest.mark.parametrize(("name", "data", "message"), [
    ("org.txt", b"code,name\n", "only .xlsx, .zip, .csv files can be imported"),
    ("org.xlsx", b"code,name\nIT,IT\n", "not a real .xlsx file"),
    ("org.zip", b"PK\x03\x04 not really", "damaged"),
    ("departments.csv", b"PK\x03\x04" + b"\x00" * 20, "not a CSV text file"),
    ("org.zip", zip_bytes({"../departments.csv": DEPARTMENTS}), "unsafe file name"),
    ("org.zip", zip_bytes({"/etc/departments.csv": DEPARTMENTS}), "unsafe file name"),
    ("org.zip", zip_bytes({f"f{i}.csv": "a" for i in range(25)}), "at most 20 are allowed"),
    ("departments.csv", b"", "the file is empty"),
])
def test_refused_files_say_why_and_keep_nothing(client, admin, uploads, name, data, message):
    response = upload(client, data, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert not uploads.exists() or not list(uploads.iterdir())
    assert db.session.scalar(select(db.func.count()).select_from(ImportJob)) == 0


def test_zip_member_unpacking_too_large_is_refused(client, admin, monkeypatch):
    from tracker.importer import uploads as uploads_module

    monkeypatch.setattr(uploads_module, "MAX_MEMBER_BYTES", 1000)
    response = upload(client, zip_bytes({"departments.csv": "x" * 5000}), "big.zip")
    assert response.status_code == 400 and "too large" in response.get_data(as_text=True)


def test_damaged_workbook_inside_a_valid_zip_is_a_problem_not_a_500(client, admin):
    location, page = follow(client, upload(client, zip_bytes({"hello.txt": "hi"}), "org.xlsx"))
    assert "problem(s) found; nothing was written" in page
    assert "the workbook cannot be read" in page


def test_upload_larger_than_the_limit_is_refused(client, admin, app):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = upload(client, b"x" * 5000, "departments.csv")
    assert response.status_code == 413


def test_unknown_job_is_404(client, admin):
    assert client.get("/admin/imports/job?id=nope").status_code == 404
    assert client.get("/admin/imports/job").status_code == 404
    assert client.post("/admin/imports/job/apply?id=../../etc").status_code == 404


def test_background_run_reports_progress_then_result(client, admin, app):
    app.config["IMPORT_BACKGROUND"] = True
    response = upload(client, workbook_bytes(SMALL), "org.xlsx")
    location = response.headers["Location"]
    job = jobs.get_job(location.split("id=")[1])
    jobs.wait(job.id, timeout=60)
    fragment = client.get(location.replace("/job?", "/job/status?")).get_data(as_text=True)
    assert "8 added, 0 changed, 0 unchanged" in fragment
    assert "hx-trigger" not in fragment  # finished: polling stops

    response = client.post(location.replace("/job?", "/job/apply?"))
    jobs.wait(job.id, timeout=60)
    page = client.get(location).get_data(as_text=True)
    assert "Imported" in page and "8 added" in page
    db.session.expire_all()
    assert db.session.scalar(select(db.func.count()).select_from(Rating)) == 2


def test_running_job_page_polls_with_htmx(client, admin):
    job = ImportJob(token="t" * 22, kind="organization", filename="org.xlsx", stored_name="0" * 32 + ".xlsx",
                    status="running", dry_run=False)
    db.session.add(job)
    db.session.commit()
    jobs.put_signal(job.id, "progress", ("ratings", 21000, 50000))
    jobs.put_signal(job.id, "alive", __import__("time").time())
    page = client.get(f"/admin/imports/job?id={job.token}").get_data(as_text=True)
    assert f'hx-get="/admin/imports/job/status?id={job.token}" hx-trigger="every 1s"' in page
    assert "Applying the import" in page
    assert "Ratings: 21000 of 50000" in page and 'aria-valuenow="42"' in page and "admin-w-40" in page
    assert "<script>" not in page


def test_failed_run_is_reported_not_a_500(client, admin, monkeypatch):
    from tracker.importer import service

    def boom(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(service, "import_set", boom)
    location, page = follow(client, upload(client, workbook_bytes(SMALL), "org.xlsx"))
    assert "The import failed unexpectedly; nothing was written." in page
    assert db.session.scalars(select(ImportJob)).one().status == "failed"


@pytest.mark.parametrize("email", ["head.it@test.local", "coo@test.local", "hr@test.local", "member.it@test.local"])
def test_other_roles_get_403(client, auth, org, email):
    auth.login(email)
    assert client.get("/admin/imports").status_code == 403
    assert upload(client, workbook_bytes(SMALL), "org.xlsx").status_code == 403
    assert client.get("/admin/exports").status_code == 403
    assert client.get("/admin/exports/ratings.csv").status_code == 403
    assert client.get("/admin/exports/organization.xlsx").status_code == 403
    assert db.session.scalar(select(db.func.count()).select_from(ImportJob)) == 0


def test_import_page_renders(client, admin):
    page = client.get("/admin/imports").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert "Survey-tool export" in page and "Organization workbook" in page


def test_one_csv_file_imports_only_that_file(client, admin):
    # Uploading only departments.csv used to fail with "contracts.csv — file is missing".
    location, page = follow(client, upload(client, DEPARTMENTS.encode(), "departments.csv"))
    assert "problem" not in page and "3 added, 0 changed, 0 unchanged" in page
    apply(client, location)
    assert row_counts()["departments"] == 3 and row_counts()["contracts"] == 0
    # contracts.csv alone refers to the departments already in the database.
    location, page = follow(client, upload(client, CONTRACTS.encode(), "contracts.csv"))
    assert "2 added, 0 changed, 0 unchanged" in page
    apply(client, location)
    assert row_counts()["contracts"] == 2


def test_zip_may_omit_files_but_needs_one_known_file(client, admin):
    location, page = follow(client, upload(client, zip_bytes({"departments.csv": DEPARTMENTS}), "org.zip"))
    assert "3 added, 0 changed, 0 unchanged" in page
    _location, page = follow(client, upload(client, zip_bytes({"notes.csv": "a,b\n"}), "notes.zip"))
    assert "the archive has none of departments.csv" in page and "Apply" not in page


def _recent_status(client) -> list[str]:
    page = client.get("/admin/imports").get_data(as_text=True)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r'<td class="import-status">(.*?)</td>', page, re.S)]


def test_recent_imports_say_rejected_with_the_reason_not_done_preview(client, admin):
    """A rejected import was listed as "done (preview)" (issue 17): it says rejected and why."""
    bad = dict(SMALL, ratings=RATINGS + "2026-Q3,IT,LOG,IT support,x@y.z,7,3,4,,9,met,,\n")
    follow(client, upload(client, workbook_bytes(bad), "bad.xlsx"))
    statuses = _recent_status(client)
    assert statuses == ["rejected 1 problem, nothing written: quality &#39;7&#39;: out of range 1–5"]
    location, _page = follow(client, upload(client, workbook_bytes(SMALL), "org.xlsx"))
    assert _recent_status(client)[0] == "preview ready"
    apply(client, location)
    assert "imported" in _recent_status(client)
    assert not any("done" in s for s in _recent_status(client))
