"""Downloads on the admin exports page: Excel-safe CSV and XLSX of a period, and the organization workbook."""
from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

from openpyxl import load_workbook

from tracker.extensions import db
from tracker.importer import service
from tracker.importer.cli import export_command
from tracker.services import settings as settings_service

from .. import factories
from .helpers import WORKED_EXAMPLE, row_counts, write_folder

TRICKY = {
    "departments.csv": "code,name,kind,parent_code,head_email\nZZ,=SUM(A1),internal,IT,\n",
    "contracts.csv": "supplier_code,customer_code,service\nZZ,EXT,+plus service\n",
    "ratings.csv": ("period,supplier_code,customer_code,service,respondent,quality,recommend,comment\n"
                    '2026-Q3,ZZ,EXT,+plus service,,1,3,"=HYPERLINK(""http://x"")"\n'
                    "2026-Q3,ZZ,EXT,+plus service,@someone,5,10,-fine\n"),
}


def _load(tmp_path):
    # 2026-Q3 open (as on 2026-08-15): the second import adds ratings, which a closed period refuses.
    assert service.import_path(WORKED_EXAMPLE, today=date(2026, 8, 15)).ok
    assert service.import_path(write_folder(tmp_path / "tricky", TRICKY), today=date(2026, 8, 15)).ok
    factories.user("admin@test.local", "admin")
    db.session.commit()


def test_exports_page_has_the_download_buttons(client, auth, app, tmp_path):
    _load(tmp_path)
    auth.login()
    page = client.get("/admin/exports").get_data(as_text=True)
    for url in ("/admin/exports/ratings.csv", "/admin/exports/ratings.xlsx", "/admin/exports/departments.csv",
                "/admin/exports/departments.xlsx", "/admin/exports/organization.xlsx"):
        assert url in page
    assert '<option value="2026-Q3" selected>' in page


def test_ratings_csv_is_excel_safe(client, auth, app, tmp_path):
    _load(tmp_path)
    auth.login()
    response = client.get("/admin/exports/ratings.csv?period=2026-Q3")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="ratings-2026-Q3.csv"'
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    data = response.data
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:7] == ["period", "supplier_code", "supplier", "customer_code", "customer", "service",
                           "respondent"]
    tricky = [r for r in rows if r[1] == "ZZ"]
    assert len(tricky) == 2
    by_respondent = {r[6]: dict(zip(rows[0], r)) for r in tricky}
    assert by_respondent[""]["comment"] == "'=HYPERLINK(\"http://x\")"
    assert by_respondent[""]["supplier"] == "'=SUM(A1)" and by_respondent[""]["service"] == "'+plus service"
    assert by_respondent["'@someone"]["comment"] == "'-fine"
    assert by_respondent[""]["quality"] == "1" and by_respondent[""]["recommend"] == "3"
    assert by_respondent[""]["health"] == "0"
    assert len(rows) == 1 + 50 + 2


def test_ratings_xlsx_keeps_numbers_and_neutralises_text(client, auth, app, tmp_path):
    _load(tmp_path)
    auth.login()
    response = client.get("/admin/exports/ratings.xlsx?period=2026-Q3")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["ratings"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows[0]
    tricky = [dict(zip(header, r)) for r in rows if r[1] == "ZZ"]
    first = next(r for r in tricky if r["respondent"] is None)
    # A workbook says "text" by the cell type: no apostrophe shown, and Excel never runs the formula.
    assert first["comment"] == "=HYPERLINK(\"http://x\")" and first["supplier"] == "=SUM(A1)"
    assert first["quality"] == 1 and isinstance(first["quality"], int) and first["recommend"] == 3
    assert first["health"] == 0
    risky = [c for r in sheet.iter_rows() for c in r if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert len(risky) >= 3 and all(c.data_type == "s" for c in risky)
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(response.data)).read("xl/worksheets/sheet1.xml")


def test_department_figures_csv_and_xlsx(client, auth, app, tmp_path):
    _load(tmp_path)
    auth.login()
    rows = list(csv.DictReader(io.StringIO(
        client.get("/admin/exports/departments.csv?period=2026-Q3").data.decode("utf-8-sig"))))
    it = next(r for r in rows if r["code"] == "IT")
    assert it["chain_strength"] == "85" and it["bottleneck"] == "IT → LOG (IT support)"
    assert it["dominates"] == "2"
    zz = next(r for r in rows if r["code"] == "ZZ")
    assert zz["name"] == "'=SUM(A1)" and (zz["nps"], zz["nps_responses"], zz["small_sample"]) == ("0", "2", "yes")
    sheet = load_workbook(io.BytesIO(client.get("/admin/exports/departments.xlsx?period=2026-Q3").data))
    values = {r[0]: r for r in sheet["departments"].iter_rows(min_row=2, values_only=True)}
    assert values["IT"][2] == 85 and values["IT"][7] == -25 and values["ZZ"][8] == 2


def test_unknown_period_is_404(client, auth, app, tmp_path):
    _load(tmp_path)
    auth.login()
    assert client.get("/admin/exports/ratings.csv?period=1999-Q1").status_code == 404


def test_organization_download_round_trips(client, auth, app, runner, tmp_path):
    _load(tmp_path)
    auth.login()
    response = client.get("/admin/exports/organization.xlsx")
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment;")
    first = tmp_path / "first.xlsx"
    first.write_bytes(response.data)
    assert load_workbook(first).sheetnames == ["departments", "contracts", "ratings", "periods"]
    zz = next(r for r in load_workbook(first)["departments"].iter_rows() if r[0].value == "ZZ")
    assert (zz[1].value, zz[1].data_type) == ("=SUM(A1)", "s")
    assert runner.invoke(export_command, [str(tmp_path / "cli")]).exit_code == 0
    cli_files = {p.name: p.read_bytes() for p in (tmp_path / "cli").iterdir()}

    # Into an empty database, and out again as CSV: the same bytes as before.
    db.session.remove()
    db.drop_all()
    db.create_all()
    settings_service.ensure_defaults()
    assert row_counts()["ratings"] == 0
    result = service.import_path(first)
    assert result.ok, result.problems
    assert runner.invoke(export_command, [str(tmp_path / "again")]).exit_code == 0
    for name, data in cli_files.items():
        assert (tmp_path / "again" / name).read_bytes() == data, name
    again = service.import_path(first)
    assert (again.total.added, again.total.changed) == (0, 0)
    # And out again as a workbook: the same cells, text still typed as text.
    assert runner.invoke(export_command, [str(tmp_path / "second.xlsx")]).exit_code == 0

    def cells(path):
        book = load_workbook(path)
        return {name: [[(c.value, c.data_type) for c in r] for r in book[name].iter_rows()] for name in book.sheetnames}

    assert cells(tmp_path / "second.xlsx") == cells(first)
