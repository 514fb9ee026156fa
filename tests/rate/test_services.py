"""The services behind the rating pages: bulk submission is one transaction; respondents are colleagues."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from tests import factories
from tracker.extensions import db
from tracker.models import AuditLog, Rating
from tracker.services import ratings as rating_service
from tracker.services import respondents as respondent_service
from tracker.services.ratings import RatingInput, RatingsError

GOOD = RatingInput(scores={"quality": 4, "timeliness": 4, "communication": 4, "value": 4}, recommend=9)
LOW = RatingInput(scores={"quality": 1, "timeliness": 4, "communication": 4, "value": 4}, recommend=9)


def test_submit_ratings_is_all_or_nothing(org):
    items = [(org.contracts["PROC", "WH"], GOOD), (org.contracts["IT", "WH"], LOW)]
    with pytest.raises(RatingsError) as caught:
        rating_service.submit_ratings(org.period, items, respondent_key="Head.WH@test.local")
    assert list(caught.value.errors) == [org.contracts["IT", "WH"].id]
    assert "comment" in caught.value.errors[org.contracts["IT", "WH"].id]
    assert db.session.scalars(select(Rating)).all() == []
    assert db.session.scalars(select(AuditLog)).all() == []

    items[1] = (org.contracts["IT", "WH"], RatingInput(**{**LOW.__dict__, "comment": "Late fixes"}))
    assert rating_service.submit_ratings(org.period, items, respondent_key="Head.WH@test.local") == 2
    db.session.expire_all()
    rows = db.session.scalars(select(Rating).order_by(Rating.contract_id)).all()
    assert [r.respondent_key for r in rows] == ["head.wh@test.local"] * 2
    assert [r.health for r in rows] == [75.0, 56.25]
    assert len(db.session.scalars(select(AuditLog).where(AuditLog.entity == "rating")).all()) == 2
    # Submitting the same answers again changes nothing and writes no audit row.
    assert rating_service.submit_ratings(org.period, items, respondent_key="head.wh@test.local") == 0


def test_submit_ratings_refuses_a_closed_period(org):
    org.period.status = "closed"
    db.session.commit()
    with pytest.raises(RatingsError) as caught:
        rating_service.submit_ratings(org.period, [(org.contracts["PROC", "WH"], GOOD)], respondent_key="x@y")
    assert "closed" in caught.value.errors[org.contracts["PROC", "WH"].id][""]


def test_add_respondent_refuses_a_stranger_and_a_duplicate(org):
    con = org.contracts["HR", "IT"]
    with pytest.raises(respondent_service.RespondentError, match="not a colleague"):
        respondent_service.add_respondent(con, org.heads["WH"])
    respondent_service.add_respondent(con, org.users["member"])
    with pytest.raises(respondent_service.RespondentError, match="already"):
        respondent_service.add_respondent(con, org.users["member"])
    assert [u.email for u in respondent_service.respondents_of(con)] == ["member.it@test.local"]
    assert {u.email for u in respondent_service.colleagues(org.departments["IT"].id)} == {
        "member.it@test.local", "head.it@test.local"}


@contextmanager
def count_queries():
    counter = {"n": 0}

    def before(*_args):
        counter["n"] += 1

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def _grow(org, n: int) -> None:
    """Give WH ``n`` more suppliers (as customer) and IT ``n`` more customers, each rated."""
    start = db.session.scalar(select(db.func.count()).select_from(Rating))
    for i in range(start, start + n):
        sup = factories.department(f"S{i}")
        cus = factories.department(f"C{i}")
        for con in (factories.contract(sup, org.departments["WH"]), factories.contract(org.departments["IT"], cus)):
            db.session.add(Rating(contract_id=con.id, period_id=org.period.id, respondent_key=f"r{i}@x",
                                  health=50.0, recommend=5, comment=f"comment {i}"))
    db.session.commit()


@pytest.mark.parametrize("user, path", [("head.wh@test.local", "/rate/"), ("head.wh@test.local", "/rate/all"),
                                        ("head.it@test.local", "/rate/feedback")])
def test_pages_use_a_fixed_number_of_queries(client, auth, org, user, path):
    auth.login(user)
    _grow(org, 1)
    db.session.expire_all()  # the test shares the requests' session: start both counts from a cold one
    with count_queries() as small:
        assert client.get(path).status_code == 200
    _grow(org, 8)
    db.session.expire_all()
    with count_queries() as large:
        html = client.get(path).get_data(as_text=True)
    assert large["n"] == small["n"]
    assert "S8" in html or "C8" in html
