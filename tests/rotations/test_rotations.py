"""HR rotations: suggested pairs where the friction is, the plan, and before/after health."""
from __future__ import annotations

import json
import re
from contextlib import contextmanager
from datetime import date, timedelta

from babel.dates import format_date

import pytest
from sqlalchemy import event, select

from tests import factories
from tracker.analysis import Contract, Department, Rating, analyze
from tracker.analysis.rotations import friction, suggest_rotations
from tracker.extensions import db
from tracker.models import AuditLog, Rotation
from tracker.models import Rating as RatingRow

# --- the pure formula ------------------------------------------------------------------------


def tiny():
    """WH → LOG → EXT, IT → WH, IT → LOG (two services), IT → MKT (cut off), EXT supplied by LOG only."""
    deps = [Department(c, c, "internal") for c in ("WH", "LOG", "IT", "MKT")] + [Department("EXT", "Clients",
                                                                                             "external")]
    cons = [Contract(1, "WH", "LOG", "picking", 3), Contract(2, "LOG", "EXT", "delivery", 3),
            Contract(3, "IT", "WH", "support", 2), Contract(4, "IT", "LOG", "support", 2),
            Contract(5, "IT", "LOG", "laptops", 1), Contract(6, "IT", "MKT", "support", 1)]
    ratings = [Rating(1, "Q1", 25.0), Rating(2, "Q1", 40.0), Rating(3, "Q1", 80.0), Rating(4, "Q1", 70.0),
               Rating(5, "Q1", 55.0), Rating(6, "Q1", 60.0)]
    return analyze(deps, cons, ratings, "Q1", ["Q1"])


def test_friction_is_risk_with_reach_counted_at_least_once():
    assert friction(45.0, 75.0, 3, 5) == 450.0
    assert friction(60.0, 75.0, 1, 0) == 15.0
    assert friction(75.0, 75.0, 3, 5) == 0.0


def test_suggestions_rank_internal_pairs_by_friction():
    pa = tiny()
    rows = suggest_rotations(pa)
    # WH→LOG: reach 2 (IT, WH), (75-25)·3·2 = 300. IT→LOG: reach 1, (75-70)·2 + (75-55)·1 = 30.
    # IT→MKT: reach 0 counted once, (75-60)·1 = 15. IT→WH is above target; LOG→EXT is external.
    assert [(s.supplier, s.customer, s.score) for s in rows] == [("WH", "LOG", 300.0), ("IT", "LOG", 30.0),
                                                                  ("IT", "MKT", 15.0)]
    wh_log, it_log, it_mkt = rows
    assert (wh_log.health, wh_log.severity, wh_log.criticality, wh_log.reach, wh_log.risk) == (
        25.0, "critical", 3, 2, 300.0)
    assert (it_log.health, it_log.severity, it_log.criticality, it_log.contracts) == (55.0, "warning", 2, (4, 5))
    assert it_mkt.risk == 0.0 and it_mkt.reach == 0


def test_suggestions_leave_out_pairs_with_a_rotation_either_way():
    pa = tiny()
    assert [(s.supplier, s.customer) for s in suggest_rotations(pa, [("LOG", "WH")])] == [("IT", "LOG"),
                                                                                        ("IT", "MKT")]
    assert len(suggest_rotations(pa, limit=1)) == 1


# --- the plan --------------------------------------------------------------------------------

def audit_rows() -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).where(AuditLog.entity == "rotation").order_by(AuditLog.id)))


def plan(org, src="WH", dst="LOG", on=date(2026, 8, 12), status="planned", person="Sergey Volkov") -> Rotation:
    rot = Rotation(from_department_id=org.departments[src].id, to_department_id=org.departments[dst].id,
                   person=person, on_date=on, duration="day", status=status)
    db.session.add(rot)
    db.session.commit()
    return rot


def test_hr_plans_edits_and_marks_done_with_audit_rows(client, auth, org, future):
    wh, log = org.departments["WH"].id, org.departments["LOG"].id
    first, second = future.start_date + timedelta(days=2), future.start_date + timedelta(days=9)
    auth.login("hr@test.local")
    page = client.get(f"/rotations/new?from={wh}&to={log}").get_data(as_text=True)
    # the departments are searchable fields (tracker.forms.DepartmentField), pre-filled with the codes
    assert re.search(r'id="from_department_id"[^>]*value="WH"', page)
    assert re.search(r'id="to_department_id"[^>]*value="LOG"', page)
    response = client.post("/rotations/new", data={
        "person": "Sergey Volkov, picker", "from_department_id": wh, "to_department_id": log,
        "on_date": first.isoformat(), "duration": "half_day", "notes": "Dispatch desk",
        "purpose": "See the dispatch desk", "contract_id": org.contracts["WH", "LOG"].id})
    assert response.status_code == 302
    rot = db.session.scalar(select(Rotation))
    assert (rot.person, rot.from_department_id, rot.to_department_id, rot.on_date, rot.duration, rot.status,
            rot.period_id, rot.purpose, rot.contract_id) == (
        "Sergey Volkov, picker", wh, log, first, "half_day", "planned", future.id, "See the dispatch desk",
        org.contracts["WH", "LOG"].id)

    response = client.post(f"/rotations/{rot.id}/edit", data={
        "person": "Sergey Volkov, picker", "from_department_id": wh, "to_department_id": log,
        "on_date": second.isoformat(), "duration": "half_day", "notes": "Dispatch desk",
        "purpose": "See the dispatch desk", "contract_id": org.contracts["WH", "LOG"].id})
    assert response.status_code == 302
    assert client.post(f"/rotations/{rot.id}/status", data={
        "status": "done", "visitor_note": "Saw the dock queue", "host_note": "Useful"}).status_code == 302
    db.session.expire_all()
    assert (rot.on_date, rot.status, rot.visitor_note, rot.host_note) == (
        second, "done", "Saw the dock queue", "Useful")
    rows = audit_rows()
    assert [r.action for r in rows] == ["create", "update", "update"]
    assert json.loads(rows[1].changes) == {"on_date": [first.isoformat(), second.isoformat()]}
    assert json.loads(rows[2].changes) == {"status": ["planned", "done"], "visitor_note": [None, "Saw the dock queue"],
                                           "host_note": [None, "Useful"]}
    assert all(r.user_id == org.users["hr"].id and r.entity_id == rot.id for r in rows)

    html = client.get("/rotations/").get_data(as_text=True)
    assert "Sergey Volkov, picker" in html and "WH → LOG" in html and format_date(second, "medium", "en") in html


def test_validation_errors_sit_next_to_fields_and_keep_input(client, auth, org, future):
    wh, ext = org.departments["WH"].id, org.departments["EXT"].id
    auth.login("hr@test.local")
    html = client.post("/rotations/new", data={
        "person": "Anna Belyaeva", "from_department_id": wh, "to_department_id": wh,
        "on_date": (future.start_date + timedelta(days=1)).isoformat(),
        "duration": "day", "notes": "Long notes typed by HR"}).get_data(as_text=True)
    message = "A rotation goes to a different department: Anna Belyaeva works in WH."
    assert message in html
    assert 'value="Anna Belyaeva"' in html and "Long notes typed by HR" in html
    assert html.index('id="to_department_id"') < html.index(message)
    html = client.post("/rotations/new", data={
        "person": "", "from_department_id": ext, "to_department_id": wh, "on_date": "",
        "duration": "day"}).get_data(as_text=True)
    assert "external customer" in html and html.count("invalid-feedback") >= 3
    assert db.session.scalars(select(Rotation)).all() == [] and audit_rows() == []


def test_before_after_shows_delta_and_not_yet_rated(client, auth, org):
    q2 = factories.period("2026-Q2", date(2026, 4, 1), date(2026, 6, 30), status="closed")
    db.session.commit()
    wh_log = org.contracts["WH", "LOG"]
    db.session.add_all([
        RatingRow(contract_id=wh_log.id, period_id=q2.id, respondent_key="a", health=40.0),
        RatingRow(contract_id=wh_log.id, period_id=org.period.id, respondent_key="a", health=60.0),
        RatingRow(contract_id=wh_log.id, period_id=org.period.id, respondent_key="b", health=70.0),
    ])
    db.session.commit()
    # In Q3: the period before is Q2; there is no later period, so "after" is Q3 itself.
    plan(org, "WH", "LOG", on=date(2026, 7, 2), status="done")
    plan(org, "IT", "MKT", on=date(2026, 7, 5), status="done", person="Ivan Kiselev")
    plan(org, "HR", "FIN", on=date(2026, 9, 1), person="Planned one")
    auth.login("coo@test.local")
    html = client.get("/rotations/").get_data(as_text=True)
    row = html.split("Sergey Volkov")[1].split("</tr>")[0]
    assert "WH → LOG: 40.0 (2026-Q2, N = 1) → 65.0 (2026-Q3, N = 2)" in " ".join(row.split()) and "Δ +25.0" in row
    it_row = html.split("Ivan Kiselev")[1].split("</tr>")[0]
    assert it_row.count("not yet rated") == 2 and "Δ" not in it_row
    assert html.index("Sergey Volkov") < html.index("Ivan Kiselev") < html.index("Planned one")


def test_suggestions_page_explains_and_skips_planned_pairs(client, auth, org):
    per = org.period
    for (sup, cus), health in {("WH", "LOG"): 45.0, ("IT", "SALES"): 55.0, ("HR", "IT"): 60.0}.items():
        db.session.add(RatingRow(contract_id=org.contracts[sup, cus].id, period_id=per.id, respondent_key="a",
                                 health=health))
    db.session.commit()
    auth.login("hr@test.local")
    html = " ".join(client.get("/rotations/suggestions").get_data(as_text=True).split())
    assert "WH → LOG</strong> health 45.0" in html and "risk 450" in html
    assert "a person of WH spends a day in LOG" in html
    assert html.index("WH → LOG") < html.index("IT → SALES") < html.index("HR → IT")
    plan(org, "LOG", "WH", on=date(2026, 8, 1))
    html = client.get("/rotations/suggestions?period=2026-Q3").get_data(as_text=True)
    assert "WH → LOG" not in html and "IT → SALES" in html
    assert client.get("/rotations/suggestions?period=1999-Q1").status_code == 404


# --- access ------------------------------------------------------------------------------------

ROLES = {"member": "member.it@test.local", "head": "head.wh@test.local", "hr": "hr@test.local",
         "coo": "coo@test.local", "admin": "admin@test.local"}


@pytest.mark.parametrize("path, allowed", [
    ("/rotations/", {"head", "hr", "coo", "admin"}),
    ("/rotations/suggestions", {"hr", "coo", "admin"}),
    ("/rotations/new", {"hr", "admin"}),
    ("/rotations/{rot}/edit", {"hr", "admin"}),
    ("/rotations/{rot}", {"hr", "coo", "admin", "head"}),
    ("/rotations/calendar", {"hr", "coo", "admin", "head"}),
    ("/rotations/plan", {"hr", "coo", "admin"}),
])
def test_get_access_per_role(client, auth, org, path, allowed):
    path = path.format(rot=plan(org).id)
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    for role, email in ROLES.items():
        auth.login(email)
        assert client.get(path).status_code == (200 if role in allowed else 403), role
        auth.logout()


@pytest.mark.parametrize("path", ["/rotations/new", "/rotations/{rot}/edit", "/rotations/{rot}/status",
                                  "/rotations/{rot}/move"])
def test_refused_posts_change_nothing(client, auth, org, path):
    rot = plan(org)
    path = path.format(rot=rot.id)
    data = {"person": "X", "from_department_id": org.departments["IT"].id,
            "to_department_id": org.departments["HR"].id, "on_date": "2026-08-01", "duration": "day",
            "status": "cancelled", "cancel_reason": "x", "week": "2026-08-10"}
    assert client.post(path, data=data).headers["Location"].startswith("/login")
    for role in ("member", "head", "coo"):
        auth.login(ROLES[role])
        assert client.post(path, data=data).status_code == 403, role
        auth.logout()
    db.session.expire_all()
    assert db.session.scalars(select(Rotation)).all() == [rot] and rot.status == "planned" and rot.person != "X"
    assert audit_rows() == []


def test_heads_see_only_rotations_of_their_department(client, auth, org):
    plan(org, "WH", "LOG", person="Picker to logistics")
    plan(org, "HR", "FIN", person="Recruiter to finance")
    auth.login("head.log@test.local")
    html = client.get("/rotations/").get_data(as_text=True)
    assert "Picker to logistics" in html and "Recruiter to finance" not in html and "Plan a rotation" not in html


@contextmanager
def count_queries():
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def test_plan_page_queries_do_not_grow(client, auth, org):
    auth.login("hr@test.local")

    def grow(n):
        for i in range(n):
            a, b = factories.department(f"A{n}{i}"), factories.department(f"B{n}{i}")
            con = factories.contract(a, b, "x")
            db.session.add(RatingRow(contract_id=con.id, period_id=org.period.id, respondent_key="k", health=50.0))
            db.session.add(Rotation(from_department_id=a.id, to_department_id=b.id, person=f"P{n}{i}",
                                    on_date=date(2026, 7, 1 + i), status="done"))
        db.session.commit()

    counts = []
    for n in (2, 10):
        grow(n)
        db.session.expire_all()
        with count_queries() as statements:
            assert client.get("/rotations/").status_code == 200
            assert client.get("/rotations/suggestions").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
