"""Periods never overlap, from every entry point: survey, ratings.csv, periods.csv, workbook, admin form, database."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker.extensions import db
from tracker.importer import service
from tracker.models import Period, Rating
from tracker.services import periods as period_service

from .. import factories
from .helpers import row_counts, small_folder

SURVEY = ("Timestamp,Score,Why\n"
          "2026-11-03 10:00:00,9,\n"
          "2026-11-04 10:00:00,3,\n")
MAPPING = {"timestamp_column": "Timestamp", "period_by": "month", "recommend_column": "Score",
           "comment_column": "Why", "supplier": "IT", "customer": "LOG", "service": "IT support"}


@pytest.fixture
def org(app):
    it, log = factories.department("IT"), factories.department("LOG")
    factories.contract(it, log, "IT support")
    factories.user("admin@test.local", "admin")
    db.session.commit()


def _labels() -> list[str]:
    return sorted(db.session.scalars(select(Period.label)))


def test_a_month_survey_inside_an_open_quarter_lands_in_that_quarter(org):
    factories.period("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), status="open")
    db.session.commit()
    result = service.import_survey("survey.csv", SURVEY.encode(), MAPPING, today=date(2026, 11, 20))
    assert result.problems == []
    assert result.periods_moved == {"2026-11": "2026-Q4"} and result.periods_created == []
    assert _labels() == ["2026-Q4"]
    quarter = db.session.scalar(select(Period).where(Period.label == "2026-Q4"))
    assert [r.period_id for r in db.session.scalars(select(Rating))] == [quarter.id, quarter.id]


def test_preview_names_the_periods_it_creates_and_where_months_go(client, auth, org, app, tmp_path):
    factories.period("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), status="open")
    db.session.commit()
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    auth.login("admin@test.local")
    ratings = ("period,supplier_code,customer_code,service,respondent,quality,timeliness,communication,value,"
               "recommend,standard_met,no_interaction,comment\n"
               "2026-Q3,IT,LOG,IT support,,5,3,4,,9,met,,\n"
               "2026-11,IT,LOG,IT support,,4,4,4,4,,,,\n")
    import io

    response = client.post("/admin/imports", data={"file": (io.BytesIO(ratings.encode()), "ratings.csv")},
                           content_type="multipart/form-data")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2026-Q3: 2026-07-01 – 2026-09-30" in page
    assert "Rows of 2026-11 go into the existing period 2026-Q4" in page
    assert _labels() == ["2026-Q4"]  # a preview writes nothing


def test_a_quarter_over_an_existing_month_is_refused_naming_both(org, tmp_path):
    factories.period("2026-11", date(2026, 11, 1), date(2026, 11, 30), status="planned")
    db.session.commit()
    ratings = ("period,supplier_code,customer_code,service,respondent,quality,timeliness,communication,value,"
               "recommend,standard_met,no_interaction,comment\n2026-Q4,IT,LOG,IT support,,5,3,4,,9,met,,\n")
    folder = small_folder(tmp_path / "f", ratings=ratings)
    (folder / "departments.csv").unlink()
    (folder / "contracts.csv").unlink()
    before = row_counts()
    result = service.import_path(folder)
    assert [str(p) for p in result.problems] == [
        "ratings.csv:2: period '2026-Q4' (2026-10-01 – 2026-12-31) overlaps period '2026-11' "
        "(2026-11-01 – 2026-11-30); periods may never overlap"]
    assert row_counts() == before


def test_months_of_a_quarter_the_same_file_creates_go_into_it(org, tmp_path):
    ratings = ("period,supplier_code,customer_code,service,respondent,quality,timeliness,communication,value,"
               "recommend,standard_met,no_interaction,comment\n"
               "2026-08,IT,LOG,IT support,a@x.org,5,3,4,,9,met,,\n"
               "2026-Q3,IT,LOG,IT support,b@x.org,4,4,4,4,,,,\n")
    folder = small_folder(tmp_path / "f", ratings=ratings)
    result = service.import_path(folder, today=date(2026, 12, 1))
    assert result.problems == [], result.problems
    assert result.periods_moved == {"2026-08": "2026-Q3"}
    assert [p[0] for p in result.periods_created] == ["2026-Q3"]
    assert _labels() == ["2026-Q3"]


@pytest.mark.parametrize("periods_csv, expected", [
    ("label,start_date,end_date\n2026-Q4,2026-10-01,2026-12-31\nNovember,2026-11-01,2026-11-30\n",
     "periods.csv:3: period 'NOVEMBER' (2026-11-01 – 2026-11-30) overlaps period '2026-Q4' "
     "(2026-10-01 – 2026-12-31); periods may never overlap"),
    ("label,start_date,end_date\nAutumn,2025-09-15,2025-10-15\n",
     "periods.csv:2: period 'AUTUMN' (2025-09-15 – 2025-10-15) overlaps period 'STORED' "
     "(2025-10-01 – 2025-12-31); periods may never overlap"),
])
def test_periods_csv_overlaps_are_refused_naming_both(org, tmp_path, periods_csv, expected):
    factories.period("STORED", date(2025, 10, 1), date(2025, 12, 31), status="planned")
    db.session.commit()
    folder = small_folder(tmp_path / "f", periods=periods_csv)
    (folder / "ratings.csv").unlink()
    before = row_counts()
    result = service.import_path(folder)
    assert expected in [str(p) for p in result.problems]
    assert row_counts() == before


def test_workbook_periods_sheet_overlap_is_refused(org, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "periods"
    sheet.append(["label", "start_date", "end_date"])
    sheet.append(["2027-Q1", "2027-01-01", "2027-03-31"])
    sheet.append(["2027-02", "2027-02-01", "2027-02-28"])
    path = tmp_path / "org.xlsx"
    book.save(path)
    result = service.import_path(path)
    assert any("overlaps period '2027-Q1'" in str(p) for p in result.problems), result.problems
    assert _labels() == []


def test_admin_form_refuses_an_overlapping_period(org):
    period_service.create_period("2026-Q4", None, None)
    with pytest.raises(period_service.PeriodError, match="overlap period 2026-Q4"):
        period_service.create_period("2026-11", None, None)


def test_the_database_refuses_an_overlap_whoever_writes(org):
    factories.period("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), status="planned")
    db.session.commit()
    db.session.add(Period(label="2026-11", start_date=date(2026, 11, 1), end_date=date(2026, 11, 30)))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    factories.period("2027-01", date(2027, 1, 1), date(2027, 1, 31), status="planned")
    db.session.commit()
    moved = db.session.scalar(select(Period).where(Period.label == "2027-01"))
    moved.start_date = date(2026, 12, 1)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert _labels() == ["2026-Q4", "2027-01"]
