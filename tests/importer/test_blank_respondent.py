"""A blank respondent is stored as "" and the customer head edits that rating on the rating form."""
from __future__ import annotations

from datetime import date

from tests.rate.test_rate import _checked, answers, page, ratings_of
from tracker.importer import service

from .helpers import write_folder

RATINGS = ("period,supplier_code,customer_code,service,respondent,quality,timeliness,communication,recommend,comment\n"
           "2026-Q3,IT,WH,IT service for WH,,2,2,2,3,slow\n"
           "2026-Q3,PROC,WH,PROC service for WH,,4,4,4,9,\n")


def _import(org, tmp_path):
    result = service.import_path(write_folder(tmp_path, {"ratings.csv": RATINGS}), today=date(2026, 8, 1))
    assert result.problems == [] and result.counts["ratings"].added == 2


def test_head_edits_the_imported_blank_respondent_rating(client, auth, org, tmp_path):
    _import(org, tmp_path)
    con = org.contracts["IT", "WH"]
    auth.login("head.wh@test.local")
    html = page(client, f"/rate/{con.id}")
    assert _checked(html, "score_quality", "2")  # the imported answers are the head's to edit
    assert client.post(f"/rate/{con.id}", data=answers(comment="Better now")).status_code == 302
    (rating,) = ratings_of(con)
    assert (rating.respondent_key, rating.comment, rating.health) == ("", "Better now", 75.0)
    assert rating.respondent.email == "head.wh@test.local"


def test_head_bulk_form_edits_blank_ratings_and_adds_none(client, auth, org, tmp_path):
    _import(org, tmp_path)
    auth.login("head.wh@test.local")
    proc, it = org.contracts["PROC", "WH"], org.contracts["IT", "WH"]
    data = answers(f"c{proc.id}-", comment="Proc fine") | answers(f"c{it.id}-", comment="IT fine")
    assert client.post("/rate/all", data=data).status_code == 302
    assert [(r.respondent_key, r.comment) for r in ratings_of(proc)] == [("", "Proc fine")]
    assert [(r.respondent_key, r.comment) for r in ratings_of(it)] == [("", "IT fine")]


def test_a_member_does_not_take_over_the_blank_rating(client, auth, org, tmp_path):
    from tests import factories
    from tracker.extensions import db
    from tracker.models import ContractRespondent

    _import(org, tmp_path)
    member = factories.user("member.wh@test.local", "member", org.departments["WH"])
    con = org.contracts["IT", "WH"]
    db.session.add(ContractRespondent(contract_id=con.id, user_id=member.id))
    db.session.commit()
    auth.login("member.wh@test.local")
    assert client.post(f"/rate/{con.id}", data=answers(comment="Mine")).status_code == 302
    assert sorted(r.respondent_key for r in ratings_of(con)) == ["", "member.wh@test.local"]
