"""Follow-ups: opened on low ratings by the COO, answered and closed by the supplier's head, overseen by the COO."""
from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from tests import factories
from tracker.analysis.followups import FollowUpRecord, is_overdue, on_time_rates
from tracker.extensions import db
from tracker.models import AuditLog, FollowUp, Rating
from tracker.models.base import utcnow
from tracker.services import followups as service

TODAY = date.today()


def rate(contract, period, health, recommend=None, who="head@test.local") -> Rating:
    """A rating written straight to the database (the rating form has its own tests)."""
    row = Rating(contract_id=contract.id, period_id=period.id, respondent_key=who, health=health,
                 recommend=recommend)
    db.session.add(row)
    db.session.commit()
    return row


def follow_up(contract, period, title="Fix it", **fields) -> FollowUp:
    row = FollowUp(contract_id=contract.id, period_id=period.id, title=title, **fields)
    db.session.add(row)
    db.session.commit()
    return row


def audit_rows(entity="follow_up") -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).where(AuditLog.entity == entity).order_by(AuditLog.id)))


@contextmanager
def count_queries():
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def get(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response.get_data(as_text=True)


# --- the pure formula ------------------------------------------------------------------------

def test_on_time_rate_counts_done_and_overdue_open_ones():
    due = date(2026, 3, 31)
    records = [
        FollowUpRecord("IT", "done", due, date(2026, 3, 31)),   # on the due date: in time
        FollowUpRecord("IT", "done", due, date(2026, 4, 1)),    # a day late
        FollowUpRecord("IT", "open", due),                      # overdue: can no longer be in time
        FollowUpRecord("IT", "open", date(2026, 5, 31)),        # not due yet: not counted
        FollowUpRecord("IT", "cancelled", due, date(2026, 3, 1)),
        FollowUpRecord("WH", "done", None, date(2026, 3, 1)),   # no due date: not counted
        FollowUpRecord("HR", "done", due, date(2026, 1, 1)),
    ]
    assert on_time_rates(records, date(2026, 4, 15)) == {"HR": (1.0, 1), "IT": (1 / 3, 3), "WH": (None, 0)}
    assert is_overdue("open", due, date(2026, 4, 1)) and not is_overdue("open", due, due)
    assert not is_overdue("open", None, date(2030, 1, 1))


# --- low ratings and opening -----------------------------------------------------------------

def test_low_ratings_without_follow_up_uses_floor_and_recommend(org):
    per = org.period
    rate(org.contracts["WH", "LOG"], per, 45.0)                   # below the floor 50
    rate(org.contracts["IT", "SALES"], per, 80.0, recommend=6)    # a detractor
    rate(org.contracts["IT", "WH"], per, 70.0, recommend=7)       # fine on both counts
    own_floor = org.contracts["HR", "IT"]
    own_floor.floor = 65.0
    rate(own_floor, per, 60.0)                                    # below its own floor
    rate(org.contracts["IT", "LOG"], per, 20.0)
    follow_up(org.contracts["IT", "LOG"], per)                    # already followed up
    rows = service.low_ratings_without_follow_up()
    assert [(r.supplier, r.customer) for r in rows] == [("WH", "LOG"), ("HR", "IT"), ("IT", "SALES")]
    assert rows[0].lowest_health == 45.0 and rows[2].lowest_recommend == 6 and rows[0].period == "2026-Q3"


def test_coo_opens_a_follow_up_from_the_low_ratings_list(client, auth, org):
    con = org.contracts["WH", "LOG"]
    low = rate(con, org.period, 45.0)
    auth.login("coo@test.local")
    html = get(client, "/follow-ups/low-ratings")
    link = f"/follow-ups/new?contract_id={con.id}&amp;period=2026-Q3"
    assert "WH → LOG" in html and link in html

    due = TODAY + timedelta(days=30)
    response = client.post(f"/follow-ups/new?contract_id={con.id}&period=2026-Q3",
                           data={"title": "Stage loads 30 minutes early", "due_date": due.isoformat()})
    assert response.status_code == 302
    fu = db.session.scalar(select(FollowUp))
    assert (fu.contract_id, fu.period_id, fu.rating_id, fu.status, fu.due_date) == (
        con.id, org.period.id, low.id, "open", due)
    assert fu.created_by_id == org.users["coo"].id
    [row] = audit_rows()
    assert row.action == "create" and row.entity_id == fu.id and row.user_id == org.users["coo"].id
    assert json.loads(row.changes)["title"] == [None, "Stage loads 30 minutes early"]
    assert "Every low rating has a follow-up." in get(client, "/follow-ups/low-ratings")


def test_opening_keeps_input_and_refuses_without_a_low_rating(client, auth, org):
    con = org.contracts["IT", "WH"]
    rate(con, org.period, 90.0, recommend=10)
    auth.login("admin@test.local")
    response = client.post(f"/follow-ups/new?contract_id={con.id}&period=2026-Q3",
                           data={"title": "", "description": "Typed at length", "due_date": "2026-13-01"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Typed at length" in html and "Not a valid date value" in html
    response = client.post(f"/follow-ups/new?contract_id={con.id}&period=2026-Q3",
                           data={"title": "Please do better", "description": "Typed at length"})
    html = response.get_data(as_text=True)
    assert "has no low rating in 2026-Q3" in html and "Please do better" in html
    assert db.session.scalars(select(FollowUp)).all() == [] and audit_rows() == []
    assert client.get("/follow-ups/new?contract_id=999999&period=2026-Q3").status_code == 404
    assert client.get(f"/follow-ups/new?contract_id={con.id}&period=1999-Q1").status_code == 404


def test_open_follow_up_service_refuses_a_due_date_before_the_period(org):
    con = org.contracts["WH", "LOG"]
    rate(con, org.period, 45.0)
    with pytest.raises(service.FollowUpError) as caught:
        service.open_follow_up(con, org.period, "x" * 201, due_date=date(2026, 6, 30))
    assert set(caught.value.errors) == {"title", "due_date"}


# --- the supplier head answers -----------------------------------------------------------------

def test_supplier_head_answers_and_marks_done_even_in_a_closed_period(client, auth, org):
    con = org.contracts["WH", "LOG"]
    fu = follow_up(con, org.period, "Stage loads early", due_date=TODAY + timedelta(days=3))
    org.period.status = "closed"
    db.session.commit()
    auth.login("head.wh@test.local")
    html = get(client, "/follow-ups/")
    assert "Follow-ups on my department" in html and "Stage loads early" in html

    assert client.post(f"/follow-ups/{fu.id}", data={"response": "Evening shift added", "save": "y"}).status_code == 302
    db.session.expire_all()
    assert (fu.status, fu.response) == ("open", "Evening shift added")

    response = client.post(f"/follow-ups/{fu.id}", data={"response": "", "done": "y"})
    assert response.status_code == 200 and "Say what was done" in response.get_data(as_text=True)
    db.session.expire_all()
    assert fu.status == "open"

    assert client.post(f"/follow-ups/{fu.id}", data={"response": "Evening shift added", "done": "y"}
                       ).status_code == 302
    db.session.expire_all()
    assert fu.status == "done" and fu.closed_at is not None
    assert [(r.action, sorted(json.loads(r.changes))) for r in audit_rows()] == [
        ("update", ["response"]), ("close", ["closed_at", "status"])]
    assert service.on_time_by_department(TODAY)["WH"] == (1.0, 1)


def test_other_heads_cannot_answer_and_the_customer_head_only_reads(client, auth, org):
    fu = follow_up(org.contracts["WH", "LOG"], org.period, "Stage loads early")
    auth.login("head.it@test.local")
    assert client.get(f"/follow-ups/{fu.id}").status_code == 403
    assert client.post(f"/follow-ups/{fu.id}", data={"response": "x", "done": "y"}).status_code == 403
    auth.logout()
    auth.login("head.log@test.local")
    html = get(client, f"/follow-ups/{fu.id}")
    assert "Stage loads early" in html and "Mark done" not in html
    assert "Follow-ups on our suppliers" in get(client, "/follow-ups/")
    assert client.post(f"/follow-ups/{fu.id}", data={"response": "x", "done": "y"}).status_code == 403
    db.session.expire_all()
    assert fu.status == "open" and fu.response is None and audit_rows() == []


def test_head_list_shows_open_first_with_overdue_flag(client, auth, org):
    wh_log = org.contracts["WH", "LOG"]
    follow_up(wh_log, org.period, "Closed one", status="done", closed_at=utcnow())
    follow_up(wh_log, org.period, "Late one", due_date=TODAY - timedelta(days=1))
    follow_up(org.contracts["PROC", "WH"], org.period, "Their supplier's")
    auth.login("head.wh@test.local")
    html = get(client, "/follow-ups/")
    mine = html.split("Follow-ups on our suppliers")[0]
    assert mine.index("Late one") < mine.index("Closed one") and "overdue" in mine
    assert "Their supplier&#39;s" not in mine and "Their supplier&#39;s" in html


# --- the COO's overview ------------------------------------------------------------------------

def test_coo_filters_and_sees_overdue_count_and_on_time_rates(client, auth, org):
    late = TODAY - timedelta(days=10)
    follow_up(org.contracts["WH", "LOG"], org.period, "Overdue WH", due_date=late)
    follow_up(org.contracts["IT", "WH"], org.period, "Done IT", status="done", due_date=late,
              closed_at=utcnow() - timedelta(days=20))
    follow_up(org.contracts["HR", "FIN"], org.period, "Cancelled HR", status="cancelled", closed_at=utcnow())
    auth.login("coo@test.local")
    html = get(client, "/follow-ups/")
    assert all(t in html for t in ("Overdue WH", "Done IT", "Cancelled HR"))
    assert "! 1" in html  # one overdue
    assert "<th scope=\"row\">IT</th><td>100%</td><td>1</td>" in html
    assert "<th scope=\"row\">WH</th><td>0%</td><td>1</td>" in html
    only_overdue = get(client, "/follow-ups/?overdue=1")
    assert "Overdue WH" in only_overdue and "Done IT" not in only_overdue
    done = get(client, "/follow-ups/?status=done")
    assert "Done IT" in done and "Overdue WH" not in done
    it = get(client, "/follow-ups/?department=IT")
    assert "Done IT" in it and "Overdue WH" not in it and "Cancelled HR" not in it


def test_coo_cancels_with_a_reason(client, auth, org):
    fu = follow_up(org.contracts["WH", "LOG"], org.period)
    auth.login("coo@test.local")
    response = client.post(f"/follow-ups/{fu.id}/cancel", data={"reason": ""})
    assert response.status_code == 400 and audit_rows() == []
    assert client.post(f"/follow-ups/{fu.id}/cancel", data={"reason": "Replaced by a joint meeting"}
                       ).status_code == 302
    db.session.expire_all()
    assert fu.status == "cancelled"
    [row] = audit_rows()
    assert row.action == "close" and row.reason == "Replaced by a joint meeting"


# --- access ------------------------------------------------------------------------------------

ROLES = {"member": "member.it@test.local", "head": "head.wh@test.local", "hr": "hr@test.local",
         "coo": "coo@test.local", "admin": "admin@test.local"}


@pytest.mark.parametrize("path, allowed", [
    ("/follow-ups/", {"head", "coo", "admin"}),
    ("/follow-ups/low-ratings", {"coo", "admin"}),
    ("/follow-ups/new?contract_id={con}&period=2026-Q3", {"coo", "admin"}),
    ("/follow-ups/{fu}", {"head", "coo", "admin"}),
])
def test_get_access_per_role(client, auth, org, path, allowed):
    con = org.contracts["WH", "LOG"]
    fu = follow_up(con, org.period)
    path = path.format(con=con.id, fu=fu.id)
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    for role, email in ROLES.items():
        auth.login(email)
        assert client.get(path).status_code == (200 if role in allowed else 403), role
        auth.logout()


@pytest.mark.parametrize("path, refused", [
    ("/follow-ups/new?contract_id={con}&period=2026-Q3", ("member", "head", "hr")),
    ("/follow-ups/{fu}", ("member", "hr", "coo", "admin")),  # and any head but the supplier's (below)
    ("/follow-ups/{fu}/cancel", ("member", "head", "hr")),
])
def test_refused_posts_change_nothing(client, auth, org, path, refused):
    con = org.contracts["WH", "LOG"]
    rate(con, org.period, 30.0)
    fu = follow_up(con, org.period)
    path = path.format(con=con.id, fu=fu.id)
    data = {"title": "t", "response": "r", "done": "y", "reason": "r"}
    assert client.post(path, data=data).headers["Location"].startswith("/login")
    for role in refused:
        auth.login(ROLES[role])
        assert client.post(path, data=data).status_code == 403, role
        auth.logout()
    db.session.expire_all()
    assert db.session.scalars(select(FollowUp)).all() == [fu] and fu.status == "open" and fu.response is None
    assert audit_rows() == []


def test_lists_run_a_fixed_number_of_queries(client, auth, org):
    def grow(n):
        for i in range(n):
            sup = factories.department(f"S{n}{i}")
            con = factories.contract(sup, org.departments["WH"], f"service {i}")
            rate(con, org.period, 10.0)
            follow_up(con, org.period, f"F{n}{i}", due_date=TODAY - timedelta(days=1))
            rate(factories.contract(sup, org.departments["LOG"], f"other {i}"), org.period, 20.0)

    auth.login("coo@test.local")
    counts = []
    for n in (2, 12):
        grow(n)
        paths = ["/follow-ups/", "/follow-ups/low-ratings"]
        with count_queries() as statements:
            for path in paths:
                get(client, path)
        counts.append(len(statements))
    assert counts[0] == counts[1]
    auth.logout()
    auth.login("head.wh@test.local")
    db.session.expire_all()
    with count_queries() as small:
        get(client, "/follow-ups/")
    grow(5)
    db.session.expire_all()
    with count_queries() as large:
        html = get(client, "/follow-ups/")
    assert len(small) == len(large) and "F54" in html
