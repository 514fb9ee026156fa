"""Survey-tool exports: the Sudzilla acceptance, mappings (scales, labels, saved by name), CLI and admin page."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.importer import service
from tracker.importer.cli import import_survey_command
from tracker.importer.survey import check_mapping, parse_timestamp
from tracker.importer.uploads import ImportFileError
from tracker.models import AuditLog, Rating, SurveyMapping
from tracker.services import analysis as analysis_service

from .. import factories
from .helpers import DATA, row_counts

SUDZILLA = DATA / "nps-sudzilla-survey"
NPS_QUESTION = "On a scale of 0-10, how would you rate Sudzilla?"
MAPPING = {"recommend_column": NPS_QUESTION, "comment_column": "...why?", "timestamp_column": "Timestamp",
           "supplier": "EVENTS", "customer": "ATTENDEES", "service": "Sudzilla conference"}


@pytest.fixture
def conference(app):
    """One internal supplier and one external customer with one agreement, as the survey's target."""
    events = factories.department("EVENTS")
    attendees = factories.department("ATTENDEES", kind="external")
    factories.contract(events, attendees, "Sudzilla conference", criticality=3)
    factories.user("admin@test.local", "admin")
    db.session.commit()


def _read(name: str) -> bytes:
    return (SUDZILLA / name).read_bytes()


def _why_answers(name: str) -> list[str]:
    rows = list(csv.DictReader(io.StringIO(_read(name).decode("utf-8"))))
    assert len(rows) == 39
    return [row["...why?"].strip() for row in rows]


@pytest.mark.parametrize("name", ["input_01.csv", "input_02.csv"])
def test_sudzilla_gives_the_published_nps(conference, name):
    result = service.import_survey(name, _read(name), MAPPING)
    assert result.problems == []
    assert (result.counts["ratings"].added, result.counts["periods"].added) == (39, 1)

    figures = analysis_service.period_analysis("2019-11").to_json()
    events = next(d for d in figures["departments"] if d["code"] == "EVENTS")
    assert (events["nps"], events["nps_responses"]) == (-35.9, 39)
    answers = list(db.session.scalars(select(Rating.recommend)))
    assert sum(a >= 9 for a in answers) == 8 and sum(a <= 6 for a in answers) == 22
    # Every respondent is separate; the "...why?" answers are the comments, a blank one stays blank (history is
    # data: a detractor without a comment is imported and counted).
    ratings = list(db.session.scalars(select(Rating)))
    assert len({r.respondent_key for r in ratings}) == 39
    assert all(r.respondent_key.startswith("survey:") for r in ratings)
    comments = sorted(r.comment for r in ratings if r.comment)
    assert comments == sorted(w for w in _why_answers(name) if w)
    silent_detractors = sum(1 for r in ratings if r.recommend <= 6 and not r.comment)
    assert silent_detractors > 0 and result.low_without_comment == silent_detractors
    assert any(r.comment == "Because I know how NPS scoring system works and like to hack such questions"
               and r.recommend == 8 for r in ratings)
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "import")).one()
    assert '"ratings.added": [null, 39]' in entry.changes


def test_the_same_answers_with_another_timestamp_format_reimport_unchanged(conference):
    first = service.import_survey("input_01.csv", _read("input_01.csv"), MAPPING)
    assert first.counts["ratings"].added == 39
    before = row_counts()
    second = service.import_survey("input_02.csv", _read("input_02.csv"), MAPPING)
    assert str(second.counts["ratings"]) == "0 added, 0 changed, 39 unchanged"
    assert row_counts() == before


def test_criteria_on_other_scales_and_labels(conference):
    mapping = MAPPING | {"criteria": {
        "quality": {"column": "On a scale of 0-10, how would you rate the opening keynote?", "scale": "0-10"},
        "value": {"column": "How would you rate the food at Sudzilla (lunch)?", "scale": "labels", "labels": {
            "Horrendous": 1, "Just about edible but I was hungry": 2, "Some good, some not so good": 3,
            "Yum!": 4, "Give the team a Michelin star!!": 5}}}}
    result = service.import_survey("input_01.csv", _read("input_01.csv"), mapping)
    assert result.problems == []
    first = db.session.scalar(select(Rating).where(Rating.comment == "Bad service"))
    # Opening keynote 0 on 0–10 → 1; lunch "Horrendous" → 1: health 0.
    assert {s.criterion.key: s.score for s in first.scores} == {"quality": 1, "value": 1}
    assert first.health == 0.0
    third = db.session.scalar(select(Rating).where(Rating.comment == "The goody bag wasn't as good as expected"))
    # Keynote 7 → 1 + 7·0.4 = 3.8 → 4; lunch "Yum!" → 4.
    assert {s.criterion.key: s.score for s in third.scores} == {"quality": 4, "value": 4}
    assert third.health == 75.0


def test_unknown_label_and_column_are_problems_and_nothing_is_written(conference):
    mapping = MAPPING | {"criteria": {"value": {"column": "How would you rate the food at Sudzilla (lunch)?",
                                                "scale": "labels", "labels": {"Yum!": 4}}}}
    before = row_counts()
    result = service.import_survey("input_01.csv", _read("input_01.csv"), mapping)
    assert any(p.line == 2 and p.reason == "value 'Horrendous': expected one of 'Yum!'" for p in result.problems)
    assert row_counts() == before
    result = service.import_survey("input_01.csv", _read("input_01.csv"), MAPPING | {"comment_column": "Why"})
    assert [str(p) for p in result.problems] == ["input_01.csv:1: comment_column 'Why': no such column in the file"]
    assert row_counts() == before


def test_unknown_agreement_is_named(conference):
    result = service.import_survey("input_01.csv", _read("input_01.csv"), MAPPING | {"service": "Other"})
    assert len(result.problems) == 39
    assert result.problems[0].reason == "no active agreement EVENTS → ATTENDEES for service 'Other'"


@pytest.mark.parametrize("mapping", [
    [], {"bogus": 1}, {k: v for k, v in MAPPING.items() if k != "supplier"},
    {k: v for k, v in MAPPING.items() if k != "timestamp_column"},
    MAPPING | {"criteria": {"quality": {"column": "x", "scale": "1-7"}}},
    MAPPING | {"criteria": {"quality": {"column": "x", "scale": "labels", "labels": {"a": 9}}}},
])
def test_bad_mappings_are_refused(mapping):
    with pytest.raises(ImportFileError):
        check_mapping(mapping)


@pytest.mark.parametrize(("raw", "order", "expected"), [
    ("11/1/2019 8:51:12", "mdy", datetime(2019, 11, 1, 8, 51, 12)),
    ("11/1/2019 8:51:12", "dmy", datetime(2019, 1, 11, 8, 51, 12)),
    ("25/12/2019 10:00", "mdy", datetime(2019, 12, 25, 10, 0)),
    ("2019-11-01 08:51:12.402", "mdy", datetime(2019, 11, 1, 8, 51, 12, 402000)),
    ("2019-11-01T08:51:12Z", "mdy", datetime(2019, 11, 1, 8, 51, 12)),
    ("01.11.2019 08:51", "mdy", datetime(2019, 11, 1, 8, 51)),
    ("11/1/2019 8:51:12 PM", "mdy", datetime(2019, 11, 1, 20, 51, 12)),
    ("43770.5", "mdy", datetime(2019, 11, 1, 12, 0)),
    ("yesterday", "mdy", None), ("31/31/2019", "mdy", None),
])
def test_timestamps(raw, order, expected):
    assert parse_timestamp(raw, order) == expected


def test_cli_with_mapping_file_dry_run_then_saved_mapping(runner, conference, tmp_path):
    mapping_file = tmp_path / "sudzilla.json"
    mapping_file.write_text(json.dumps(MAPPING), encoding="utf-8")
    path = str(SUDZILLA / "input_01.csv")
    before = row_counts()
    result = runner.invoke(import_survey_command, [path, "--mapping-file", str(mapping_file), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "ratings: 39 added, 0 changed, 0 unchanged" in result.output and "Dry run" in result.output
    assert row_counts() == before

    db.session.add(SurveyMapping(name="sudzilla", config=json.dumps(MAPPING)))
    db.session.commit()
    result = runner.invoke(import_survey_command, [path, "--mapping", "sudzilla"])
    assert result.exit_code == 0, result.output
    assert "Imported." in result.output
    result = runner.invoke(import_survey_command, [str(SUDZILLA / "input_02.csv"), "--mapping", "sudzilla"])
    assert "ratings: 0 added, 0 changed, 39 unchanged" in result.output and "Nothing changed." in result.output


def test_cli_refusals(runner, conference, tmp_path):
    path = str(SUDZILLA / "input_01.csv")
    result = runner.invoke(import_survey_command, [path, "--mapping", "nope"])
    assert result.exit_code != 0 and "no saved mapping 'nope'; saved: none yet" in result.output
    assert runner.invoke(import_survey_command, [path]).exit_code == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    result = runner.invoke(import_survey_command, [path, "--mapping-file", str(bad)])
    assert result.exit_code == 1 and "not a JSON mapping" in result.output
    bad.write_text(json.dumps(MAPPING | {"service": "Other"}), encoding="utf-8")
    result = runner.invoke(import_survey_command, [path, "--mapping-file", str(bad)])
    assert result.exit_code == 1 and "input_01.csv:2: no active agreement" in result.stderr


def test_xlsx_survey_export_imports(conference, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    rows = list(csv.reader(io.StringIO(_read("input_02.csv").decode("utf-8"))))
    sheet.append(rows[0])
    for row in rows[1:]:
        # Excel keeps timestamps as dates and answers as numbers.
        sheet.append([datetime.fromisoformat(row[0]), int(row[1]), row[2], *row[3:]])
    buffer = io.BytesIO()
    book.save(buffer)
    result = service.import_survey("forms.xlsx", buffer.getvalue(), MAPPING)
    assert result.problems == [] and result.counts["ratings"].added == 39
    again = service.import_survey("input_01.csv", _read("input_01.csv"), MAPPING)
    assert str(again.counts["ratings"]) == "0 added, 0 changed, 39 unchanged"


@pytest.fixture
def uploads(app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")


def _post_survey(client, name: str, **fields):
    data = {"file": (io.BytesIO(_read(name)), name), "period_by": "month", "date_order": "mdy"} | fields
    return client.post("/admin/imports/survey", data=data, content_type="multipart/form-data")


def test_admin_maps_previews_applies_and_reuses_a_saved_mapping(client, auth, conference, uploads):
    auth.login()
    fields = {k: v for k, v in MAPPING.items()}
    response = _post_survey(client, "input_01.csv", save_as="sudzilla", **fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    location = response.headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert "Preview: nothing has been written yet" in page and "39 added, 0 changed, 0 unchanged" in page
    assert re.search(r'id="import-low-without-comment">\d+ low ratings? without a comment', page)
    assert db.session.scalar(select(db.func.count()).select_from(Rating)) == 0
    saved = db.session.scalars(select(SurveyMapping)).one()
    assert saved.name == "sudzilla" and saved.config_data["recommend_column"] == NPS_QUESTION

    response = client.post(location.replace("/job?", "/job/apply?"))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Imported" in page and "39 added" in page
    assert db.session.scalar(select(db.func.count()).select_from(Rating)) == 39

    response = _post_survey(client, "input_02.csv", saved="sudzilla")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "0 added, 0 changed, 39 unchanged" in page
    assert "sudzilla" in client.get("/admin/imports").get_data(as_text=True)


def test_admin_survey_form_errors_keep_the_input(client, auth, conference, uploads):
    auth.login()
    response = _post_survey(client, "input_01.csv", recommend_column=NPS_QUESTION, supplier="EVENTS")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "mapping: give customer (fixed for the file) or customer_column" in page
    assert 'value="EVENTS"' in page
    response = _post_survey(client, "input_01.csv", criteria="{oops", **MAPPING)
    assert response.status_code == 400 and "criteria: not valid JSON" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(Rating)) == 0


def test_agreement_and_respondent_from_columns(app):
    from tracker.importer.survey import survey_set
    from tracker.importer.reader import read_csv

    text = ("When,Team,Who,Score,Why\n"
            "2026-08-03,IT,ann@x.org,9,\n"
            "2026-08-04, I T ,BOB@x.org,3,slow\n")
    rows = survey_set(read_csv("forms.csv", text.encode()), {
        "timestamp_column": "when", "period_by": "quarter", "supplier_column": "Team", "customer": "LOG",
        "service": "IT support", "respondent_column": "who", "recommend_column": "score", "comment_column": "why"})
    assert rows.problems == []
    assert [(r.line, r.period, r.supplier_code, r.respondent, r.recommend, r.comment) for r in rows.ratings] == [
        (2, "2026-Q3", "IT", "ann@x.org", 9, None), (3, "2026-Q3", "IT", "bob@x.org", 3, "slow")]


def test_unknown_criterion_in_the_mapping_is_one_problem(conference):
    # It used to be "speed: unknown criterion 'speed'" on each of the 39 rows.
    mapping = MAPPING | {"criteria": {"speed": {"column": NPS_QUESTION, "scale": "0-10"}}}
    before = row_counts()
    result = service.import_survey("input_01.csv", _read("input_01.csv"), mapping)
    assert [str(p) for p in result.problems] == [
        "input_01.csv:1: criteria.speed: unknown criterion; the mapping can score "
        "quality, timeliness, communication, value"]
    assert row_counts() == before


SILENT = """Timestamp,"On a scale of 0-10, how would you rate Sudzilla?",Quality
2019/11/01 8:51:12,3,1
2019/11/01 9:02:40,2,2
2019/11/01 9:15:03,10,5
"""


def test_a_survey_export_without_comments_and_with_low_scores_imports(runner, conference, tmp_path):
    """Issue 11: a survey tool export with no comment column and low answers is history, not a form."""
    mapping = {"recommend_column": NPS_QUESTION, "timestamp_column": "Timestamp", "criteria": {"quality": {
        "column": "Quality", "scale": "1-5"}}, "supplier": "EVENTS", "customer": "ATTENDEES",
        "service": "Sudzilla conference"}
    export = tmp_path / "export.csv"
    export.write_text(SILENT, encoding="utf-8")
    mapping_file = tmp_path / "mapping.json"
    mapping_file.write_text(json.dumps(mapping), encoding="utf-8")
    result = runner.invoke(import_survey_command, [str(export), "--mapping-file", str(mapping_file), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "ratings: 3 added" in result.output and "2 low ratings without a comment" in result.output
    result = runner.invoke(import_survey_command, [str(export), "--mapping-file", str(mapping_file)])
    assert result.exit_code == 0, result.output
    stored = sorted((r.recommend, r.comment) for r in db.session.scalars(select(Rating)))
    assert stored == [(2, None), (3, None), (10, None)]


def _map_form(client, roles: dict[str, str], **fields):
    """Read the real Sudzilla header into the mapping form, then post one role per column."""
    page = client.post("/admin/imports/survey-mapping", data={"file": (io.BytesIO(_read("input_01.csv")), "input_01.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    columns = re.findall(r'name="column-(\d+)" value="([^"]*)"', page)
    assert len(columns) == 11, page[:500]
    import html as html_module
    data = {}
    for i, column in columns:
        column = html_module.unescape(column)
        data[f"column-{i}"] = column
        data[f"role-{i}"] = roles.get(column, "ignore")
    return client.post("/admin/imports/survey-mapping", data=data | fields)


def test_admin_maps_the_real_survey_with_a_select_per_column_saves_and_imports(client, auth, conference, uploads):
    auth.login()
    assert 'href="/admin/imports/survey-mapping"' in client.get("/admin/imports").get_data(as_text=True)
    response = _map_form(client, {"Timestamp": "timestamp", NPS_QUESTION: "recommend", "...why?": "comment"},
                         supplier="EVENTS", customer="ATTENDEES", service="Sudzilla conference",
                         period_by="month", date_order="mdy", name="sudzilla form")
    assert response.status_code == 302, re.findall(r"(?:alert-danger|invalid-feedback).{0,300}", response.get_data(as_text=True))
    saved = db.session.scalars(select(SurveyMapping)).one()
    assert saved.name == "sudzilla form"
    assert {k: saved.config_data[k] for k in ("recommend_column", "comment_column", "timestamp_column")} == \
        {"recommend_column": NPS_QUESTION, "comment_column": "...why?", "timestamp_column": "Timestamp"}
    # the saved mapping opens in the form again, each column's select as chosen
    page = client.get("/admin/imports/survey-mapping?saved=sudzilla form").get_data(as_text=True)
    assert re.search(r'<option value="recommend" selected>', page)
    # and imports the survey: ratings appear
    response = _post_survey(client, "input_01.csv", saved="sudzilla form")
    location = response.headers["Location"]
    client.post(location.replace("/job?", "/job/apply?"))
    assert db.session.scalar(select(db.func.count()).select_from(Rating)) == 39


def test_mapping_form_names_the_column_at_fault_and_keeps_the_choices(client, auth, conference, uploads):
    auth.login()
    response = _map_form(client, {"Timestamp": "timestamp", NPS_QUESTION: "recommend",
                                  "On a scale of 0-10, how would you rate the opening keynote?": "recommend"},
                         supplier="EVENTS", customer="ATTENDEES", service="Sudzilla conference", name="bad")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "column &#39;On a scale of 0-10, how would you rate the opening keynote?&#39;: &#39;recommend&#39; is " \
           "already column &#39;On a scale of 0-10, how would you rate Sudzilla?&#39;" in page
    assert page.count('<option value="recommend" selected>') == 2 and 'value="EVENTS"' in page
    assert db.session.scalars(select(SurveyMapping)).all() == []
    response = _map_form(client, {"Timestamp": "timestamp", NPS_QUESTION: "recommend"}, supplier="EVENTS",
                         service="Sudzilla conference", name="no customer")
    assert response.status_code == 400
    assert "give customer (fixed for the file) or customer_column" in response.get_data(as_text=True)
