"""Importing a folder: counts, idempotence, every bad row reported, nothing written on a problem."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import AuditLog, Contract, Department, Period, Rating, User
from tracker.importer import service
from tracker.services import analysis as analysis_service

from .helpers import CONTRACTS, DEPARTMENTS, RATINGS, WORKED_EXAMPLE, row_counts, small_folder, write_folder

TODAY = date(2026, 8, 15)


def _counts(result):
    return {name: (c.added, c.changed, c.unchanged) for name, c in result.counts.items()}


def test_worked_example_folder_imports_with_counts(app):
    result = service.import_path(WORKED_EXAMPLE, today=TODAY)
    assert result.problems == []
    assert _counts(result) == {"departments": (9, 0, 0), "contracts": (11, 0, 0), "periods": (1, 0, 0),
                               "ratings": (50, 0, 0)}
    assert len(result.users_created) == 8
    analysis = analysis_service.period_analysis("2026-Q3")
    strengths = {code: d.chain_strength for code, d in analysis.departments.items() if d.kind == "internal"}
    assert strengths == {"PROC": 45.0, "WH": 45.0, "LOG": 90.0, "IT": 85.0, "HR": 60.0, "SALES": 75.0,
                         "FIN": 60.0, "MKT": None}
    assert [(w.contract.supplier, w.contract.customer, w.risk, w.severity) for w in analysis.weak_links] == [
        ("WH", "LOG", 450.0, "critical"), ("IT", "SALES", 120.0, "warning"),
        ("HR", "IT", 30.0, "warning"), ("IT", "WH", 30.0, "warning")]
    it = analysis.departments["IT"]
    assert (it.nps, it.nps_responses) == (-25.0, 4)
    assert analysis.cut_off == ["MKT"]
    assert [(b.contract.supplier, b.contract.customer) for b in analysis.blind_spots] == [("FIN", "HR")]


def test_second_import_changes_nothing(app):
    service.import_path(WORKED_EXAMPLE, today=TODAY)
    before = row_counts()
    result = service.import_path(WORKED_EXAMPLE, today=TODAY)
    assert result.problems == []
    assert _counts(result) == {"departments": (0, 0, 9), "contracts": (0, 0, 11), "periods": (0, 0, 1),
                               "ratings": (0, 0, 50)}
    assert (result.total.added, result.total.changed, result.total.unchanged) == (0, 0, 71)
    assert not result.changed_anything
    assert row_counts() == before  # not even an audit row


def test_small_folder_values_heads_respondents_and_audit(app, tmp_path):
    result = service.import_path(small_folder(tmp_path), today=TODAY)
    assert result.problems == []
    con = db.session.scalar(select(Contract).join(Contract.supplier).where(Department.code == "IT"))
    assert (con.customer.code, con.service.name, con.criticality, str(con.transfer_price), con.start_date) == (
        "LOG", "IT support", 2, "1200.50", date(2026, 1, 1))
    head = db.session.scalar(select(User).where(User.email == "head.it@example.com"))
    assert (head.role, head.department.code, head.check_password(""), head.password_hash) == ("head", "IT", False, "")
    ratings = {(r.contract.supplier.code, r.respondent_key): r for r in db.session.scalars(select(Rating))}
    # A blank respondent is stored as "": the customer head (resolved on the form), or an external
    # customer's one unnamed respondent.
    assert set(ratings) == {("IT", ""), ("LOG", "")}
    assert ratings["IT", ""].health == 75.0 and ratings["IT", ""].respondent is None
    period = db.session.scalar(select(Period).where(Period.label == "2026-Q3"))
    assert (period.start_date, period.end_date, period.status) == (date(2026, 7, 1), date(2026, 9, 30), "open")
    imports = list(db.session.scalars(select(AuditLog).where(AuditLog.action == "import")))
    assert len(imports) == 1
    assert json.loads(imports[0].changes)["ratings.added"] == [None, 2]
    assert db.session.scalar(select(db.func.count()).select_from(AuditLog).where(AuditLog.entity == "rating")) == 2


def test_changed_rows_are_counted_and_audited(app, tmp_path):
    service.import_path(small_folder(tmp_path / "a"), today=TODAY)
    changed = small_folder(
        tmp_path / "b",
        departments=DEPARTMENTS.replace("IT,IT,internal", "IT,Information technology,internal"),
        contracts=CONTRACTS.replace("LOG,EXT,delivery,high", "LOG,EXT,delivery,medium"),
        ratings=RATINGS.replace("5,3,4,,9", "5,5,5,5,9"),
    )
    result = service.import_path(changed, today=TODAY)
    assert _counts(result) == {"departments": (0, 1, 2), "contracts": (0, 1, 1), "periods": (0, 0, 1),
                               "ratings": (0, 1, 1)}
    assert db.session.scalar(select(Department.name).where(Department.code == "IT")) == "Information technology"
    updates = {a.entity: json.loads(a.changes) for a in db.session.scalars(
        select(AuditLog).where(AuditLog.action == "update"))}
    assert updates["department"] == {"name": ["IT", "Information technology"]}
    assert updates["contract"] == {"criticality": ["high", "medium"]}  # as the agreement form audits it
    assert updates["rating"]["health"] == [75.0, 100.0]


def test_periods_file_and_statuses(app, tmp_path):
    periods = "label,start_date,end_date\n2026-Q2,01.04.2026,30.06.2026\n2026-Q3,2026-07-01,2026-09-30\nH2-2026,2026-10-01,2026-12-31\n"
    ratings = RATINGS + "2026-Q2,IT,LOG,IT support,,4,4,4,4,,,,\n"
    result = service.import_path(small_folder(tmp_path, periods=periods, ratings=ratings), today=TODAY)
    assert result.problems == []
    assert _counts(result)["periods"] == (3, 0, 0)
    statuses = dict(db.session.execute(select(Period.label, Period.status)).all())
    assert statuses == {"2026-Q2": "closed", "2026-Q3": "open", "H2-2026": "planned"}


def test_month_label_without_periods_file(app, tmp_path):
    ratings = RATINGS.replace("2026-Q3", "2026-02")
    result = service.import_path(small_folder(tmp_path, ratings=ratings), today=TODAY)
    assert result.problems == []
    period = db.session.scalar(select(Period))
    assert (period.label, period.start_date, period.end_date, period.status) == (
        "2026-02", date(2026, 2, 1), date(2026, 2, 28), "closed")


def test_cp1251_semicolon_and_bom_files(app, tmp_path):
    departments = ("Code;Name;Kind;Parent Code;Head Email\n"
                   "IT;Информационные технологии;internal;;head.it@example.com\n"
                   "LOG;Логистика;internal;IT;\nEXT;Розничные клиенты;external;;\n").encode("cp1251")
    contracts = ("\ufeffsupplier_code,customer_code,service,criticality,target,floor,start_date,end_date,transfer_price\n"
                 "IT , LOG,Поддержка,средняя,\"72,5\",,01.01.2026,31.12.2026,\"1 000,25\"\n"
                 "L OG,EXT,Доставка,высокая,,,,,\n").encode("utf-8")
    ratings = ("period;supplier_code;customer_code;service;respondent;quality;timeliness;communication;value;comment\n"
               "2026-Q3;IT;LOG;Поддержка;;4;4;4;4;\n").encode("cp1251")
    folder = write_folder(tmp_path, {"departments.csv": departments, "contracts.csv": contracts,
                                     "ratings.csv": ratings})
    result = service.import_path(folder, today=TODAY)
    assert result.problems == []
    log = db.session.scalar(select(Department).where(Department.code == "LOG"))
    assert (log.name, log.parent.code) == ("Логистика", "IT")
    con = db.session.scalar(select(Contract).where(Contract.supplier_id == db.session.scalar(
        select(Department.id).where(Department.code == "IT"))))
    assert (con.service.name, con.criticality, con.target, str(con.transfer_price), con.end_date) == (
        "Поддержка", 2, 72.5, "1000.25", date(2026, 12, 31))
    # LOG has no head: a blank respondent is the one unnamed respondent.
    assert db.session.scalar(select(Rating.respondent_key)) == ""


BAD_ROWS = [
    ("unknown department",
     {"contracts": CONTRACTS + "IT,HR,payroll,1,,,,,,\n"},
     "contracts.csv:4: customer_code 'HR': unknown department code"),
    ("duplicate department",
     {"departments": DEPARTMENTS + "IT,Again,internal,,\n"},
     "departments.csv:5: code 'IT': duplicate department code (first on line 2)"),
    ("supplier not internal",
     {"contracts": CONTRACTS + "EXT,IT,feedback,1,,,,,,\n"},
     "contracts.csv:4: supplier_code 'EXT': the supplier must be an internal department, not external"),
    ("supplier is customer",
     {"contracts": CONTRACTS + "IT,IT,self service,1,,,,,,\n"},
     "contracts.csv:4: customer_code 'IT': supplier and customer are the same department"),
    ("duplicate contract",
     {"contracts": CONTRACTS + "IT, LOG ,IT support,3,,,,,,\n"},
     "contracts.csv:4: duplicate agreement IT → LOG for service 'IT support' (first on line 2)"),
    ("score out of range",
     {"ratings": RATINGS.replace("5,3,4,,9", "7,3,4,,9")},
     "ratings.csv:2: quality '7': out of range 1–5"),
    ("recommend out of range",
     {"ratings": RATINGS.replace("5,3,4,,9", "5,3,4,,12")},
     "ratings.csv:2: recommend '12': out of range 0–10"),
    ("bad standard_met",
     {"ratings": RATINGS.replace(",9,met,", ",9,mostly,")},
     "ratings.csv:2: standard_met 'mostly': expected met, partly, missed or blank"),
    ("bad no_interaction",
     {"ratings": RATINGS + "2026-Q3,IT,LOG,IT support,ann,,,,,,,perhaps,\n"},
     "ratings.csv:4: no_interaction 'perhaps': expected yes, no or blank"),
    ("unparseable date",
     {"contracts": CONTRACTS.replace("2026-01-01", "32.01.2026")},
     "contracts.csv:2: start_date '32.01.2026': not a date (use YYYY-MM-DD or DD.MM.YYYY)"),
    ("malformed period",
     {"ratings": RATINGS.replace("2026-Q3,LOG", "2026-Q5,LOG")},
     "ratings.csv:3: period '2026-Q5': unknown period; not in periods.csv or the database, "
     "and not a label of the form YYYY-Qn or YYYY-MM"),
    ("contract not active in period",
     {"contracts": CONTRACTS.replace("2026-01-01,,", "2026-01-01,2026-06-30,")},
     "ratings.csv:2: period '2026-Q3': the agreement IT → LOG (IT support) is not active in this period"),
    ("rating for unknown contract",
     {"ratings": RATINGS + "2026-Q3,IT,LOG,printing,,4,4,4,4,,,,\n"},
     "ratings.csv:4: no active agreement IT → LOG for service 'printing'"),
    ("missing column",
     {"contracts": "supplier_code,service\nIT,IT support\n"},
     "contracts.csv:1: missing required column customer_code"),
    ("duplicate rating (two blank respondents)",
     {"ratings": RATINGS + "2026-Q3,IT,LOG,IT support,,4,4,4,4,,,,\n"},
     "ratings.csv:4: duplicate rating of IT → LOG (IT support) for period 2026-Q3 by respondent "
     "(unnamed) (first on line 2)"),
    ("no interaction with answers",
     {"ratings": RATINGS.replace(",9,met,,", ",9,met,yes,")},
     "ratings.csv:2: no_interaction 'yes': the row also has answers; leave them blank or set no_interaction to no"),
    ("end before start",
     {"contracts": CONTRACTS.replace("2026-01-01,,", "2026-01-01,2025-12-31,")},
     "contracts.csv:2: end_date '2025-12-31': before start_date '2026-01-01'"),
    ("unknown parent",
     {"departments": DEPARTMENTS.replace("LOG,Logistics,internal,,", "LOG,Logistics,internal,OPS,")},
     "departments.csv:3: parent_code 'OPS': unknown department code"),
    ("department code with a slash",
     {"departments": DEPARTMENTS + "PK/2,Packing,internal,,\n"},
     "departments.csv:5: code 'PK/2': Use only Latin letters, digits, “_” and “-”, starting with a letter or digit."),
    ("department code with a dot",
     {"departments": DEPARTMENTS + "PK.2,Packing,internal,,\n"},
     "departments.csv:5: code 'PK.2': Use only Latin letters, digits, “_” and “-”, starting with a letter or digit."),
    ("department code starting with a dash",
     {"departments": DEPARTMENTS + "-PK,Packing,internal,,\n"},
     "departments.csv:5: code '-PK': Use only Latin letters, digits, “_” and “-”, starting with a letter or digit."),
    ("transfer price too big",
     {"contracts": CONTRACTS.replace("1200.50", "100000000000000000000")},
     "contracts.csv:2: transfer_price '100000000000000000000': expected a number with at most 2 decimals below 10¹²"),
    ("negative transfer price",
     {"contracts": CONTRACTS.replace("1200.50", "-5")},
     "contracts.csv:2: transfer_price '-5': must be 0 or more"),
]


@pytest.mark.parametrize("files, expected", [case[1:] for case in BAD_ROWS], ids=[case[0] for case in BAD_ROWS])
def test_bad_row_is_reported_and_nothing_is_written(app, tmp_path, files, expected):
    before = row_counts()
    result = service.import_path(small_folder(tmp_path, **files), today=TODAY)
    assert expected in [str(p) for p in result.problems]
    assert row_counts() == before


def test_every_bad_row_is_listed_at_once(app, tmp_path):
    ratings = RATINGS + "2026-Q3,IT,LOG,IT support,a,9,,,,,,,\n2026-Q3,IT,LOG,IT support,b,,,,,11,,,\n"
    contracts = CONTRACTS + "IT,IT,x,1,,,,,,\n"
    result = service.import_path(small_folder(tmp_path, ratings=ratings, contracts=contracts), today=TODAY)
    assert [str(p) for p in result.problems] == [
        "contracts.csv:4: customer_code 'IT': supplier and customer are the same department",
        "ratings.csv:4: quality '9': out of range 1–5",
        "ratings.csv:5: recommend '11': out of range 0–10",
    ]
    assert row_counts()["departments"] == 0


def test_existing_database_checks(org, tmp_path):
    # head_email of a user who is someone else; a contract whose new dates strand an existing rating.
    rating = Rating(contract_id=org.contracts["IT", "LOG"].id, period_id=org.period.id,
                    respondent_key="head.log@test.local", health=80.0)
    db.session.add(rating)
    db.session.commit()
    departments = "code,name,kind,head_email\nIT,IT,internal,admin@test.local\nLOG,LOG,internal,\n"
    contracts = ("supplier_code,customer_code,service,start_date,end_date\n"
                 "IT,LOG,IT service for LOG,2026-01-01,2026-06-30\n")
    before = row_counts()
    result = service.import_path(write_folder(tmp_path, {"departments.csv": departments,
                                                         "contracts.csv": contracts}), today=TODAY)
    assert [str(p) for p in result.problems] == [
        "departments.csv:2: head_email 'admin@test.local': belongs to an existing user who is admin",
        "contracts.csv:2: start_date/end_date: the agreement has ratings in period(s) 2026-Q3 "
        "that the new dates leave out",
    ]
    assert row_counts() == before


NO_CONTRACTS = "supplier_code,customer_code,service\n"


def test_second_head_of_a_department_is_a_row_problem(org, tmp_path):
    departments = ("code,name,kind,head_email\n"
                   "IT,IT,internal,new.boss@test.local\nLOG,LOG,internal,head.log@test.local\n")
    before = row_counts()
    result = service.import_path(write_folder(tmp_path, {"departments.csv": departments,
                                                         "contracts.csv": NO_CONTRACTS}), today=TODAY)
    assert [str(p) for p in result.problems] == [
        "departments.csv:2: head_email 'new.boss@test.local': IT already has a head: head.it@test.local; "
        "make them a member first",
    ]
    assert row_counts() == before


def test_existing_department_code_of_an_older_rule_still_imports(org, tmp_path):
    db.session.add(Department(code="OLD.CODE", name="Old", kind="internal"))
    db.session.commit()
    result = service.import_path(write_folder(tmp_path, {"departments.csv": "code,name\nOLD.CODE,Renamed\n",
                                                         "contracts.csv": NO_CONTRACTS}), today=TODAY)
    assert result.problems == []
    assert db.session.scalar(select(Department.name).where(Department.code == "OLD.CODE")) == "Renamed"


def test_import_into_existing_org_upserts(org, tmp_path):
    departments = "code,name,kind,head_email\nIT,IT,internal,head.it@test.local\nNEW,New one,internal,\n"
    contracts = "supplier_code,customer_code,service,criticality\nIT,LOG,IT service for LOG,2\nNEW,IT,advice,1\n"
    ratings = ("period,supplier_code,customer_code,service,quality\n"
               "2026-Q3,IT,LOG,IT service for LOG,4\n2026-Q3,NEW,IT,advice,5\n")
    result = service.import_path(write_folder(tmp_path, {"departments.csv": departments,
                                                         "contracts.csv": contracts,
                                                         "ratings.csv": ratings}), today=TODAY)
    assert result.problems == []
    assert _counts(result) == {"departments": (1, 0, 1), "contracts": (1, 0, 1), "periods": (0, 0, 1),
                               "ratings": (2, 0, 0)}
    assert result.users_created == []
    keys = set(db.session.execute(select(Rating.respondent_key)).scalars())
    assert keys == {""}


def test_dry_run_writes_nothing(app, tmp_path):
    before = row_counts()
    result = service.import_path(small_folder(tmp_path), dry_run=True, today=TODAY)
    assert result.problems == [] and result.dry_run
    assert _counts(result)["ratings"] == (2, 0, 0)
    assert row_counts() == before


def test_xlsx_workbook(app, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, text in (("departments", DEPARTMENTS), ("contracts", CONTRACTS), ("ratings", RATINGS)):
        sheet = book.create_sheet(name)
        for line in text.strip().splitlines():
            sheet.append([_typed(c) for c in line.split(",")])
    book["contracts"]["G2"] = date(2026, 1, 1)
    path = tmp_path / "org.xlsx"
    book.save(path)
    result = service.import_path(path, today=TODAY)
    assert result.problems == []
    assert _counts(result) == {"departments": (3, 0, 0), "contracts": (2, 0, 0), "periods": (1, 0, 0),
                               "ratings": (2, 0, 0)}
    assert db.session.scalar(select(Contract.start_date).where(Contract.criticality == 2)) == date(2026, 1, 1)


def _typed(cell: str):
    try:
        return float(cell) if "." in cell else int(cell)
    except ValueError:
        return cell or None


RATING_HEADER = "period,supplier_code,customer_code,service,respondent,quality\n"


def test_a_known_user_rates_only_for_their_own_department(org, tmp_path):
    # The customer is LOG: its head and a LOG member may rate; IT's head (the supplier) and the admin may not.
    from tests import factories

    factories.user("member.log@test.local", "member", org.departments["LOG"])
    db.session.commit()
    ratings = (RATING_HEADER
               + "2026-Q3,IT,LOG,IT service for LOG,head.it@test.local,5\n"
               + "2026-Q3,IT,LOG,IT service for LOG,ADMIN@test.local,5\n"
               + "2026-Q3,IT,LOG,IT service for LOG,head.log@test.local,4\n"
               + "2026-Q3,IT,LOG,IT service for LOG,member.log@test.local,4\n"
               + "2026-Q3,IT,LOG,IT service for LOG,survey-7781,3\n"
               + "2026-Q3,IT,LOG,IT service for LOG,,3\n")
    before = row_counts()
    result = service.import_path(write_folder(tmp_path / "bad", {"ratings.csv": ratings}), today=TODAY)
    assert [str(p) for p in result.problems] == [
        "ratings.csv:2: respondent 'head.it@test.local': the user is head of IT, not a head or member of the "
        "customer department LOG",
        "ratings.csv:3: respondent 'admin@test.local': the user is admin, not a head or member of the "
        "customer department LOG",
    ]
    assert row_counts() == before
    good = RATING_HEADER + "".join(ratings.splitlines(keepends=True)[3:])
    result = service.import_path(write_folder(tmp_path / "good", {"ratings.csv": good}), today=TODAY)
    assert result.problems == [] and result.counts["ratings"].added == 4


def test_reimport_after_a_head_email_was_added_is_unchanged(app, tmp_path):
    # The blank respondent used to become the head's e-mail at import: a second rating after head_email came.
    no_head = DEPARTMENTS.replace("head.log@example.com", "")
    assert service.import_path(small_folder(tmp_path / "a", departments=no_head), today=TODAY).ok
    result = service.import_path(small_folder(tmp_path / "b"), today=TODAY)
    assert result.problems == [] and _counts(result)["ratings"] == (0, 0, 2)
    assert row_counts()["ratings"] == 2
    assert set(db.session.execute(select(Rating.respondent_key)).scalars()) == {""}


CLOSED_RATINGS = ("period,supplier_code,customer_code,service,respondent,quality,comment\n"
                  "2026-Q2,IT,LOG,IT service for LOG,,4,\n"
                  "2026-Q2,IT,WH,IT service for WH,,5,\n")


def test_ratings_of_a_closed_period_are_read_only_unless_unchanged(org, tmp_path):
    # The first import creates 2026-Q2 closed (it ended before TODAY): history is welcome there.
    assert service.import_path(write_folder(tmp_path / "a", {"ratings.csv": CLOSED_RATINGS}), today=TODAY).ok
    assert db.session.scalar(select(Period.status).where(Period.label == "2026-Q2")) == "closed"
    before = row_counts()
    changed = (CLOSED_RATINGS.replace(",,4,", ",,2,slow")
               + "2026-Q2,IT,WH,IT service for WH,head.wh@test.local,5,\n")
    for dry_run in (True, False):
        result = service.import_path(write_folder(tmp_path / "b", {"ratings.csv": changed}), today=TODAY,
                                     dry_run=dry_run)
        assert [str(p) for p in result.problems] == [
            f"ratings.csv:{line}: period '2026-Q2': the period is closed; reopen it first (admin) to change "
            "its ratings" for line in (2, 4)]
        assert row_counts() == before
    # Re-importing the same files still works and says so.
    result = service.import_path(write_folder(tmp_path / "a", {"ratings.csv": CLOSED_RATINGS}), today=TODAY)
    assert result.problems == [] and _counts(result)["ratings"] == (0, 0, 2)
    assert row_counts() == before


def test_history_goes_into_periods_the_import_creates(org, tmp_path):
    result = service.import_path(write_folder(tmp_path, {"ratings.csv": CLOSED_RATINGS}), today=TODAY)
    assert result.problems == [] and _counts(result)["ratings"] == (2, 0, 0)
    assert db.session.scalar(select(Period.status).where(Period.label == "2026-Q2")) == "closed"
    again = service.import_path(write_folder(tmp_path, {"ratings.csv": CLOSED_RATINGS}), today=TODAY)
    assert again.problems == [] and _counts(again)["ratings"] == (0, 0, 2)
