"""``flask analyze``, ``flask import`` and ``flask export`` through the CLI runner."""
from __future__ import annotations

import json

from tracker.extensions import db
from tracker.models import Period
from tracker.importer.cli import export_command
from tracker.services import settings as settings_service
from tests.test_analysis_service import WORKED_EXAMPLE_JSON, seed_worked_example_ratings

from .helpers import WORKED_EXAMPLE, row_counts, small_folder, write_folder


def test_analyze_json_is_the_worked_example(runner, org):
    seed_worked_example_ratings(org)
    result = runner.invoke(args=["analyze", "--period", "2026-Q3", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == WORKED_EXAMPLE_JSON
    assert result.output == json.dumps(WORKED_EXAMPLE_JSON, ensure_ascii=False, indent=2) + "\n"


def test_analyze_json_keeps_cyrillic(runner, org):
    org.departments["IT"].name = "Информационные технологии"
    db.session.commit()
    result = runner.invoke(args=["analyze", "--period", "2026-Q3", "--json"])
    assert '"name": "Информационные технологии"' in result.output


def test_analyze_table(runner, org):
    seed_worked_example_ratings(org)
    result = runner.invoke(args=["analyze", "--period", "2026-Q3"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Period 2026-Q3 (target 75, floor 50)"
    weak = [line.split("  ")[0:2] for line in lines[lines.index("Weak links") + 3:lines.index("Departments") - 1]]
    assert [w[1].strip() for w in weak] == ["WH → LOG", "IT → SALES", "HR → IT", "IT → WH"]
    first = lines[lines.index("Weak links") + 3]
    assert "450.0" in first and "CRITICAL" in first and "45.0" in first
    it_row = next(line for line in lines if line.startswith("IT "))
    assert "85.0" in it_row and "IT → LOG (IT service for LOG)" in it_row
    assert "-25 (N=4, small sample)" in it_row and "25.0 %" in it_row and "100 %" in it_row
    assert any(line.startswith("FIN ") and "relies on unrated" in line for line in lines)
    assert "FIN → HR" in lines[lines.index("Blind spots (unrated, on the way to the customer)") + 3]
    assert lines[-1] == "Cut off from the customer: MKT"


def test_analyze_unknown_period_lists_known_ones(runner, org):
    result = runner.invoke(args=["analyze", "--period", "1999-Q1", "--json"])
    assert result.exit_code != 0
    assert "unknown period '1999-Q1'; known periods: 2026-Q3" in result.output


def test_import_prints_counts_then_nothing_changed(runner):
    first = runner.invoke(args=["import", str(WORKED_EXAMPLE)])
    assert first.exit_code == 0, first.output
    assert "departments: 9 added, 0 changed, 0 unchanged" in first.output
    assert "ratings: 50 added, 0 changed, 0 unchanged" in first.output
    second = runner.invoke(args=["import", str(WORKED_EXAMPLE)])
    assert second.exit_code == 0
    assert "total: 0 added, 0 changed, 71 unchanged" in second.output
    assert "Nothing changed." in second.output


def test_import_bad_rows_exit_non_zero_and_write_nothing(runner, tmp_path):
    folder = small_folder(tmp_path, contracts="supplier_code,customer_code,service\nIT,NOPE,x\nEXT,IT,y\n")
    before = row_counts()
    result = runner.invoke(args=["import", str(folder)])
    assert result.exit_code == 1
    assert "contracts.csv:2: customer_code 'NOPE': unknown department code" in result.stderr
    assert ("contracts.csv:3: supplier_code 'EXT': the supplier must be an internal department, not external"
            in result.stderr)
    assert "nothing was imported" in result.stderr
    assert row_counts() == before


def test_import_missing_path(runner, tmp_path):
    result = runner.invoke(args=["import", str(tmp_path / "nope")])
    assert result.exit_code != 0


TRICKY = {
    "departments.csv": "code,name,kind,parent_code,head_email\nZZ,=SUM(A1),internal,IT,\n",
    "contracts.csv": ("supplier_code,customer_code,service,criticality,target,floor,start_date,end_date,"
                      "transfer_price,standard\nZZ,EXT,+plus service,1,62.5,30,2026-01-01,2026-12-31,5,@risky\n"),
    "ratings.csv": ("period,supplier_code,customer_code,service,respondent,quality,comment\n"
                    '2026-Q3,ZZ,EXT,+plus service,,1,"=HYPERLINK(""http://x"")"\n'),
}


def test_export_neutralises_and_round_trips(runner, app, tmp_path):
    assert runner.invoke(args=["import", str(WORKED_EXAMPLE)]).exit_code == 0
    # The import closes 2026-Q3 once it has ended; the second import adds ratings, which needs it open.
    db.session.execute(db.update(Period).where(Period.label == "2026-Q3").values(status="open", closed_at=None))
    db.session.commit()
    result = runner.invoke(args=["import", str(write_folder(tmp_path / "tricky", TRICKY))])
    assert result.exit_code == 0, result.output

    first = runner.invoke(export_command, [str(tmp_path / "first")])
    assert first.exit_code == 0, first.output
    files = {name: (tmp_path / "first" / name).read_bytes()
             for name in ("departments.csv", "contracts.csv", "periods.csv", "ratings.csv")}
    assert all(data.startswith(b"\xef\xbb\xbf") for data in files.values())
    departments = files["departments.csv"].decode("utf-8-sig").splitlines()
    assert departments[0] == "code,name,kind,parent_code,head_email"
    assert "ZZ,'=SUM(A1),internal,IT," in departments
    assert "IT,IT,internal,,head.it@example.com" in departments
    contracts = files["contracts.csv"].decode("utf-8-sig")
    assert "ZZ,EXT,'+plus service,1,62.5,30,2026-01-01,2026-12-31,5.00,'@risky" in contracts
    ratings = files["ratings.csv"].decode("utf-8-sig")
    assert "2026-Q3,ZZ,EXT,'+plus service,,1,,,,,,,\"'=HYPERLINK(\"\"http://x\"\")\"" in ratings
    assert "2026-Q3,IT,MKT,IT support,survey-1,3,3,3,3,2,partly,,needs work" in ratings
    assert files["periods.csv"].decode("utf-8-sig") == "label,start_date,end_date\r\n2026-Q3,2026-07-01,2026-09-30\r\n"

    # Into an empty database, and out again: the same bytes.
    db.session.remove()
    db.drop_all()
    db.create_all()
    settings_service.ensure_defaults()
    assert row_counts()["departments"] == 0
    again = runner.invoke(args=["import", str(tmp_path / "first")])
    assert again.exit_code == 0, again.output
    assert runner.invoke(export_command, [str(tmp_path / "second")]).exit_code == 0
    for name, data in files.items():
        assert (tmp_path / "second" / name).read_bytes() == data, name


def test_export_workbook_reimports(runner, app, tmp_path):
    assert runner.invoke(args=["import", str(WORKED_EXAMPLE)]).exit_code == 0
    path = tmp_path / "org.xlsx"
    assert runner.invoke(export_command, [str(path)]).exit_code == 0
    from openpyxl import load_workbook

    book = load_workbook(path)
    assert book.sheetnames == ["departments", "contracts", "ratings", "periods"]
    assert book["contracts"]["A2"].value == "FIN" and book["contracts"]["D2"].value == 1  # a number, not text
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "total: 0 added, 0 changed, 71 unchanged" in result.output


def test_import_of_a_folder_with_only_some_files(runner, org, tmp_path):
    folder = write_folder(tmp_path / "deps", {"departments.csv": "code,name\nQA,Quality\n"})
    result = runner.invoke(args=["import", str(folder)])
    assert result.exit_code == 0, result.output
    assert "departments: 1 added, 0 changed, 0 unchanged" in result.output
    empty = write_folder(tmp_path / "empty", {"notes.txt": "nothing"})
    result = runner.invoke(args=["import", str(empty)])
    assert result.exit_code == 1
    assert "empty:0: none of departments.csv, contracts.csv, periods.csv, ratings.csv found" in result.output


def test_import_of_undecodable_bytes_reports_file_and_line(runner, org, tmp_path):
    # 0x98 is neither UTF-8 (as a lead byte) nor cp1251: it used to end in a UnicodeDecodeError traceback.
    folder = write_folder(tmp_path / "org", {"departments.csv": b"code,name\nQA,Quality\nQB,Bad \x98 name\n"})
    before = row_counts()
    result = runner.invoke(args=["import", str(folder)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    assert ("departments.csv:3: byte 0x98 (character 8 of the line) is not valid cp1251; the file is neither "
            "UTF-8 nor cp1251 as a whole. Save it as UTF-8" in result.output)
    assert "none of" not in result.output
    assert row_counts() == before
