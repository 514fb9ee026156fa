"""Follow-ups: opened by low ratings (form, import) and at period close, one per agreement and period,
moved through open → acknowledged → action planned → resolved → confirmed/reopened by the right person."""
from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select

from tests import factories
from tests.rate.test_rate import answers
from tracker.analysis.followups import FollowUpRecord, on_time_rates
from tracker.extensions import db
from tracker.models import AuditLog, FollowUp, FollowUpAction, FollowUpEvent, Notification, Rating
from tracker.models.base import utcnow
from tracker.services import followups as service
from tracker.services import periods as period_service
from tracker.services import ratings as rating_service

TODAY = date.today()


def rate(contract, period, health, recommend=None, who="head@test.local", standard_met=None) -> Rating:
    """A rating written straight to the database (the rating form has its own tests)."""
    row = Rating(contract_id=contract.id, period_id=period.id, respondent_key=who, health=health,
                 recommend=recommend, standard_met=standard_met)
    db.session.add(row)
    db.session.commit()
    return row


def follow_up(contract, period, title="Fix it", owner=None, **fields) -> FollowUp:
    """A follow-up written straight to the database, owned by ``owner`` (a user)."""
    row = FollowUp(contract_id=contract.id, period_id=period.id, title=title, owner_id=owner.id if owner else None,
                   **fields)
    db.session.add(row)
    db.session.commit()
    return row


def low_answer(quality=1, recommend=3, comment="late every day"):
    return rating_service.RatingInput(scores={"quality": quality, "timeliness": 2}, recommend=recommend,
                                      comment=comment)


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


# --- pure rules --------------------------------------------------------------------------------

def test_working_days_skip_weekends():
    friday = date(2026, 12, 4)
    assert service.add_working_days(friday, 0) == friday
    assert service.add_working_days(friday, 1) == date(2026, 12, 7)
    assert service.add_working_days(friday, 5) == date(2026, 12, 11)
    assert service.add_working_days(date(2026, 12, 5), 1) == date(2026, 12, 7)  # from a Saturday
    assert service.add_working_days(friday, 20) == date(2027, 1, 1)


def _fu(status, ack_due=None, due=None, acked=None, resolved=None) -> FollowUp:
    moment = lambda d: None if d is None else utcnow().replace(year=d.year, month=d.month, day=d.day)  # noqa: E731
    return FollowUp(status=status, ack_due=ack_due, due_date=due, acknowledged_at=moment(acked),
                    resolved_at=moment(resolved))


@pytest.mark.parametrize("fu, stage, overdue, late, ack_ok", [
    (_fu("open", date(2026, 12, 3), date(2026, 12, 31)), "acknowledge", True, False, False),
    (_fu("open", date(2026, 12, 4), date(2026, 12, 31)), "acknowledge", False, False, None),   # due today
    (_fu("acknowledged", date(2026, 11, 1), date(2026, 12, 3), acked=date(2026, 11, 1)), "resolve", True, False, True),
    (_fu("planned", date(2026, 11, 1), date(2026, 12, 31), acked=date(2026, 11, 2)), "resolve", False, False, False),
    (_fu("resolved", date(2026, 11, 1), date(2026, 11, 30), resolved=date(2026, 12, 2)), None, False, True, None),
    (_fu("confirmed", date(2026, 11, 1), date(2026, 11, 30), resolved=date(2026, 11, 30)), None, False, False, None),
    (_fu("confirmed", date(2026, 11, 1), date(2026, 11, 30), resolved=date(2026, 12, 1)), None, False, True, None),
    (_fu("cancelled", date(2026, 11, 1), date(2026, 11, 2)), None, False, False, None),
])
def test_due_status_is_the_one_rule(fu, stage, overdue, late, ack_ok):
    ds = service.due_status(fu, date(2026, 12, 4))
    assert (ds.stage, ds.overdue, ds.late, ds.acknowledged_on_time) == (stage, overdue, late, ack_ok)


def test_on_time_rate_counts_known_outcomes():
    records = [FollowUpRecord("IT", True), FollowUpRecord("IT", False), FollowUpRecord("IT", None),
               FollowUpRecord("WH", None), FollowUpRecord("HR", True)]
    assert on_time_rates(records) == {"HR": (1.0, 1), "IT": (0.5, 2), "WH": (None, 0)}


# --- opening by itself ---------------------------------------------------------------------------

def test_low_ratings_without_follow_up_uses_floor_recommend_and_missed(org):
    per = org.period
    rate(org.contracts["WH", "LOG"], per, 45.0)                   # below the floor 50
    rate(org.contracts["IT", "SALES"], per, 80.0, recommend=6)    # a detractor
    rate(org.contracts["IT", "WH"], per, 70.0, recommend=7)       # fine on every count
    rate(org.contracts["PROC", "WH"], per, 90.0, standard_met="missed")
    own_floor = org.contracts["HR", "IT"]
    own_floor.floor = 65.0
    rate(own_floor, per, 60.0)                                    # below its own floor
    rate(org.contracts["IT", "LOG"], per, 20.0)
    follow_up(org.contracts["IT", "LOG"], per)                    # already followed up
    rows = service.low_ratings_without_follow_up()
    assert [(r.supplier, r.customer) for r in rows] == [("WH", "LOG"), ("HR", "IT"), ("IT", "SALES"), ("PROC", "WH")]


def test_a_low_rating_on_the_form_opens_one_follow_up_and_later_ones_attach(client, auth, org):
    con = org.contracts["IT", "WH"]
    auth.login("head.wh@test.local")
    response = client.post(f"/rate/{con.id}", data=answers(scores=(1, 2, 2, "na"), recommend="3", standard="missed",
                                                            comment="Tickets wait for days"))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    [fu] = db.session.scalars(select(FollowUp)).all()
    assert (fu.contract_id, fu.period_id, fu.status, fu.opened_by) == (con.id, org.period.id, "open", "rating")
    assert fu.owner_id == org.heads["IT"].id
    assert fu.ack_due == service.add_working_days(TODAY, 5) and fu.due_date == service.add_working_days(TODAY, 20)
    assert [e.action for e in fu.events] == ["open"]
    assert [(n.user_id, n.kind) for n in db.session.scalars(select(Notification))] == [(org.heads["IT"].id,
                                                                                         "assigned")]
    # A second low rating of the same agreement (another respondent) attaches to it: no second follow-up.
    rating_service.submit_ratings(org.period, [(con, low_answer())], respondent_key="colleague@test.local")
    assert db.session.scalar(select(func.count(FollowUp.id))) == 1
    assert len(service.low_ratings_of(con, org.period)) == 2
    html = get(client, f"/follow-ups/{fu.id}")
    assert "Low ratings" in html and ">2</span>" in html


def test_a_good_rating_opens_nothing(org):
    rating_service.submit_ratings(org.period, [(org.contracts["IT", "WH"], rating_service.RatingInput(
        scores={"quality": 5, "timeliness": 4}, recommend=9))], respondent_key="head.wh@test.local")
    assert db.session.scalars(select(FollowUp)).all() == []


def test_an_import_opens_follow_ups_for_its_low_ratings(app, tmp_path):
    from tests.importer.helpers import small_folder
    from tracker.importer import service as import_service
    ratings = """period,supplier_code,customer_code,service,respondent,quality,timeliness,communication,value,recommend,standard_met,no_interaction,comment
2026-Q3,IT,LOG,IT support,,2,1,2,,4,missed,,slow
2026-Q3,IT,LOG,IT support,colleague@example.com,1,1,1,,2,missed,,slower
2026-Q3,LOG,EXT,delivery,,5,5,5,5,10,met,,
"""
    result = import_service.import_path(small_folder(tmp_path, ratings=ratings), today=date(2026, 8, 1))
    assert result.ok, result.problems
    [fu] = db.session.scalars(select(FollowUp)).all()
    assert fu.contract.supplier.code == "IT" and fu.contract.customer.code == "LOG" and fu.opened_by == "rating"
    assert fu.owner.email == "head.it@example.com"
    # Importing the same file again changes nothing and opens nothing more.
    assert import_service.import_path(small_folder(tmp_path / "again", ratings=ratings), today=date(2026, 8, 1)).ok
    assert db.session.scalar(select(func.count(FollowUp.id))) == 1


def test_a_dry_run_import_opens_nothing(app, tmp_path):
    from tests.importer.helpers import small_folder
    from tracker.importer import service as import_service
    ratings = """period,supplier_code,customer_code,service,respondent,quality,timeliness,communication,value,recommend,standard_met,no_interaction,comment
2026-Q3,IT,LOG,IT support,,2,1,2,,4,missed,,slow
"""
    assert import_service.import_path(small_folder(tmp_path, ratings=ratings), dry_run=True,
                                      today=date(2026, 8, 1)).ok
    assert db.session.scalars(select(FollowUp)).all() == []


def test_period_close_opens_one_for_a_critical_weak_link_without_one(org):
    for (sup, cus), con in org.contracts.items():
        health = dict(((s, c), h) for s, c, h, _c in factories.WORKED_EXAMPLE)[sup, cus]
        if health is not None:
            rate(con, org.period, float(health), recommend=9)
    # WH → LOG (45) and IT → MKT (40) are below the floor; only WH → LOG reaches the customer (a weak link).
    db.session.execute(FollowUp.__table__.delete())
    db.session.commit()
    period_service.close_period(org.period)
    [fu] = db.session.scalars(select(FollowUp)).all()
    assert (fu.contract_id, fu.opened_by, fu.owner_id) == (org.contracts["WH", "LOG"].id, "close", org.heads["WH"].id)


# --- who may make each transition: every role × every transition --------------------------------

ACTORS = ("admin", "coo", "hr", "owner", "supplier_member", "supplier_head_not_owner", "customer_head",
          "other_head")
#: transition → the actors who may make it (from the state it starts from).
MAY = {
    "acknowledge": {"owner"}, "plan": {"owner"}, "resolve": {"owner"},
    "confirm": {"customer_head"}, "reopen": {"customer_head"},
    "cancel": {"admin", "coo"}, "reassign": {"admin", "coo"}, "set_due": {"admin", "coo"},
}
START = {"acknowledge": "open", "plan": "acknowledged", "resolve": "planned", "confirm": "resolved",
         "reopen": "resolved", "cancel": "open", "reassign": "planned", "set_due": "acknowledged"}


def _actors(org):
    owner = factories.user("owner.wh@test.local", "member", org.departments["WH"], name="Olga Owner")
    member = factories.user("member.wh@test.local", "member", org.departments["WH"])
    db.session.commit()
    return {"admin": org.users["admin"], "coo": org.users["coo"], "hr": org.users["hr"], "owner": owner,
            "supplier_member": member, "supplier_head_not_owner": org.heads["WH"],
            "customer_head": org.heads["LOG"], "other_head": org.heads["IT"]}


def _do(action, fu, user, org):
    later = TODAY + timedelta(days=10)
    return {
        "acknowledge": lambda: service.acknowledge(fu, user, "Pickers start after the trucks arrive"),
        "plan": lambda: service.plan(fu, user, [service.ActionInput("Start picking at 6", "Shift lead", later)]),
        "resolve": lambda: service.resolve(fu, user, "Picking starts at 6 since Monday"),
        "confirm": lambda: service.confirm(fu, user),
        "reopen": lambda: service.reopen(fu, user, "Still late on Fridays"),
        "cancel": lambda: service.cancel_follow_up(fu, "Merged into the dock project", user=user),
        "reassign": lambda: service.reassign(fu, user, org.heads["WH"].id),
        "set_due": lambda: service.set_due_dates(fu, user, TODAY + timedelta(days=1), later),
    }[action]()


@pytest.mark.parametrize("action", list(MAY))
def test_every_role_times_every_transition(org, action):
    actors = _actors(org)
    con = org.contracts["WH", "LOG"]
    rate(con, org.period, 30.0)
    for name, user in actors.items():
        for table in (FollowUpAction, FollowUpEvent, Notification, FollowUp):
            db.session.execute(table.__table__.delete())
        fu = follow_up(con, org.period, owner=actors["owner"], status=START[action], ack_due=TODAY,
                       due_date=TODAY + timedelta(days=20))
        assert service.allowed(user, fu, action) == (name in MAY[action]), (action, name)
        if name in MAY[action]:
            _do(action, fu, user, org)
            db.session.expire_all()
            to = service.TRANSITIONS[action][1] or START[action]
            assert fu.status == to and fu.events[-1].action == action and fu.events[-1].user_id == user.id
        else:
            with pytest.raises(service.FollowUpRefused) as caught:
                _do(action, fu, user, org)
            assert "Only" in str(caught.value), (action, name)
            db.session.expire_all()
            assert fu.status == START[action] and fu.events == []
        db.session.execute(FollowUpEvent.__table__.delete())
        db.session.commit()


@pytest.mark.parametrize("action", list(MAY))
def test_no_transition_from_a_wrong_state(org, action):
    actors = _actors(org)
    con = org.contracts["WH", "LOG"]
    who = next(iter(MAY[action]))
    fu = follow_up(con, org.period, owner=actors["owner"], status="confirmed", closed_at=utcnow())
    with pytest.raises(service.FollowUpRefused) as caught:
        _do(action, fu, actors[who], org)
    assert "confirmed" in str(caught.value)


# --- the whole loop through the pages ------------------------------------------------------------

def test_the_loop_through_the_pages_with_its_timeline(client, auth, org):
    con = org.contracts["WH", "LOG"]
    rating_service.submit_ratings(org.period, [(con, low_answer())], respondent_key="head.log@test.local")
    fu = db.session.scalar(select(FollowUp))
    later = (TODAY + timedelta(days=7)).isoformat()
    steps = [
        ("head.wh@test.local", "acknowledge", {"root_cause": "Pickers start after the trucks arrive"}, "acknowledged"),
        ("head.wh@test.local", "plan", {"actions-0-what": "Start picking at 6", "actions-0-who": "Shift lead",
                                        "actions-0-due_date": later}, "planned"),
        ("head.wh@test.local", "resolve", {"response": "Picking starts at 6"}, "resolved"),
        ("head.log@test.local", "reopen", {"reason": "Still late on Fridays"}, "planned"),
        ("head.wh@test.local", "resolve", {"response": "Friday shift too"}, "resolved"),
        ("head.log@test.local", "confirm", {"note": ""}, "confirmed"),
    ]
    for email, action, data, state in steps:
        auth.login(email)
        response = client.post(f"/follow-ups/{fu.id}/{action}", data=data)
        assert response.status_code == 302, (action, response.get_data(as_text=True)[:3000])
        db.session.expire_all()
        assert fu.status == state, action
        auth.logout()
    assert [e.action for e in fu.events] == ["open", "acknowledge", "plan", "resolve", "reopen", "resolve", "confirm"]
    auth.login("head.log@test.local")
    html = get(client, f"/follow-ups/{fu.id}")
    assert "Still late on Fridays" in html and "Pickers start after the trucks arrive" in html
    assert html.count('data-action="resolve"') == 2
    kinds = [n.kind for n in db.session.scalars(select(Notification).order_by(Notification.id))]
    assert kinds == ["assigned", "awaiting_confirmation", "reopened", "awaiting_confirmation"]


def test_a_refused_transition_says_why(client, auth, org):
    con = org.contracts["WH", "LOG"]
    fu = follow_up(con, org.period, owner=org.heads["WH"])
    auth.login("head.log@test.local")
    response = client.post(f"/follow-ups/{fu.id}/acknowledge", data={"root_cause": "not mine"})
    assert response.status_code == 403
    assert "Only the owner of this follow-up" in response.get_data(as_text=True)
    auth.logout()
    auth.login("head.it@test.local")
    assert client.get(f"/follow-ups/{fu.id}").status_code == 403
    assert client.post(f"/follow-ups/{fu.id}/acknowledge", data={"root_cause": "x"}).status_code == 403
    db.session.expire_all()
    assert fu.status == "open" and audit_rows() == []


# --- bad input: named and kept -------------------------------------------------------------------

def test_empty_root_cause_is_refused_and_the_page_keeps_nothing_half_done(client, auth, org):
    fu = follow_up(org.contracts["WH", "LOG"], org.period, owner=org.heads["WH"])
    auth.login("head.wh@test.local")
    response = client.post(f"/follow-ups/{fu.id}/acknowledge", data={"root_cause": "   "})
    assert response.status_code == 400 and "Write the root cause" in response.get_data(as_text=True)
    db.session.expire_all()
    assert fu.status == "open" and fu.events == []


def test_a_due_date_before_today_is_refused_and_the_plan_kept(client, auth, org):
    fu = follow_up(org.contracts["WH", "LOG"], org.period, owner=org.heads["WH"], status="acknowledged")
    auth.login("head.wh@test.local")
    past = (TODAY - timedelta(days=1)).isoformat()
    response = client.post(f"/follow-ups/{fu.id}/plan", data={
        "actions-0-what": "Start picking at six", "actions-0-who": "Shift lead", "actions-0-due_date": past})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"The due date {past} is before today." in html
    assert 'value="Start picking at six"' in html and 'value="Shift lead"' in html and f'value="{past}"' in html
    db.session.expire_all()
    assert fu.status == "acknowledged" and fu.actions == []


def test_an_owner_from_another_department_is_refused(client, auth, org):
    fu = follow_up(org.contracts["WH", "LOG"], org.period, owner=org.heads["WH"])
    auth.login("coo@test.local")
    response = client.post(f"/follow-ups/{fu.id}/reassign", data={"owner_id": str(org.heads["IT"].id)})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "head.it is not of the supplier department WH" in html
    assert f'<option selected value="{org.heads["IT"].id}"' in html or \
        f'value="{org.heads["IT"].id}" selected' in html
    db.session.expire_all()
    assert fu.owner_id == org.heads["WH"].id
    # An active colleague of WH is accepted and told.
    colleague = factories.user("pick.wh@test.local", "member", org.departments["WH"], name="Pia Picker")
    db.session.commit()
    assert client.post(f"/follow-ups/{fu.id}/reassign", data={"owner_id": str(colleague.id)}).status_code == 302
    db.session.expire_all()
    assert fu.owner_id == colleague.id
    assert db.session.scalar(select(Notification.kind).where(Notification.user_id == colleague.id)) == "assigned"


def test_double_click_moves_once(org):
    fu = follow_up(org.contracts["WH", "LOG"], org.period, owner=org.heads["WH"])
    stale = db.session.get(FollowUp, fu.id)
    service.acknowledge(fu, org.heads["WH"], "cause")
    stale.status = "open"  # what a second request read before the first one committed
    db.session.expunge(stale)
    with pytest.raises(service.FollowUpRefused):
        service.acknowledge(stale, org.heads["WH"], "cause again")
    assert db.session.scalar(select(func.count(FollowUpEvent.id))) == 1


# --- lists, overdue, did it work, watermelons ----------------------------------------------------

def test_overdue_shows_on_the_heads_pages_and_closed_late_says_so(client, auth, org):
    late = TODAY - timedelta(days=4)
    follow_up(org.contracts["WH", "LOG"], org.period, "Late one", owner=org.heads["WH"], status="acknowledged",
              ack_due=late - timedelta(days=10), due_date=late)
    follow_up(org.contracts["PROC", "WH"], org.period, "Closed late", owner=org.heads["PROC"], status="confirmed",
              ack_due=late - timedelta(days=10), due_date=late, resolved_at=utcnow(), closed_at=utcnow())
    for email in ("head.wh@test.local", "head.log@test.local"):
        auth.login(email)
        html = get(client, "/follow-ups/")
        assert "Late one" in html and 'data-overdue="1"' in html, email
        auth.logout()
    auth.login("head.wh@test.local")
    assert "closed late" in get(client, "/follow-ups/")
    auth.logout()
    auth.login("coo@test.local")
    assert "! 1" in get(client, "/follow-ups/")
    only = get(client, "/follow-ups/?overdue=1")
    assert "Late one" in only and "Closed late" not in only


def test_did_it_work_compares_the_next_periods(client, auth, org):
    con = org.contracts["WH", "LOG"]
    q4 = factories.period("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), status="planned")
    db.session.commit()
    rate(con, org.period, 40.0)
    fu = follow_up(con, org.period, "Improve", owner=org.heads["WH"])
    other = follow_up(org.contracts["IT", "WH"], org.period, "Other", owner=org.heads["IT"])
    assert service.effects([fu])[fu.id].word == "not yet rated"
    rate(con, q4, 60.0)
    rate(con, q4, 70.0, who="two@test.local")
    effect = service.effects([fu])[fu.id]
    assert effect.word == "improved" and effect.points[:2] == [("2026-Q3", 40.0, 1), ("2026-Q4", 65.0, 2)]
    auth.login("coo@test.local")
    improved = get(client, "/follow-ups/?effect=improved")
    assert "Improve" in improved and ">Other<" not in improved
    assert ">Other<" in get(client, "/follow-ups/?effect=not+yet+rated")
    assert other.id


def test_watermelons_are_green_outside_red_inside(org):
    con = org.contracts["WH", "LOG"]
    rate(con, org.period, 50.0, standard_met="met", who="a")
    rate(con, org.period, 60.0, standard_met="met", who="b")
    rate(con, org.period, 40.0, standard_met="missed", who="c")
    honest = org.contracts["IT", "WH"]
    rate(honest, org.period, 50.0, standard_met="missed", who="a")
    rate(honest, org.period, 55.0, standard_met="met", who="b")
    fine = org.contracts["HR", "FIN"]
    rate(fine, org.period, 90.0, standard_met="met", who="a")
    [w] = service.watermelons(org.period)
    assert (w.contract_id, w.met, w.answered, w.health) == (con.id, 2, 3, 50.0)


# --- access and size ---------------------------------------------------------------------------

ROLES = {"member": "member.it@test.local", "head": "head.wh@test.local", "hr": "hr@test.local",
         "coo": "coo@test.local", "admin": "admin@test.local"}


@pytest.mark.parametrize("path, allowed", [
    ("/follow-ups/", {"head", "member", "coo", "admin"}),
    ("/follow-ups/low-ratings", {"coo", "admin"}),
    ("/follow-ups/new?contract_id={con}&period=2026-Q3", {"coo", "admin"}),
    ("/follow-ups/{fu}", {"head", "coo", "admin"}),
    ("/follow-ups/notifications", {"head", "member", "hr", "coo", "admin"}),
])
def test_get_access_per_role(client, auth, org, path, allowed):
    con = org.contracts["WH", "LOG"]
    fu = follow_up(con, org.period, owner=org.heads["WH"])
    path = path.format(con=con.id, fu=fu.id)
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    for role, email in ROLES.items():
        auth.login(email)
        assert client.get(path).status_code == (200 if role in allowed else 403), role
        auth.logout()


def test_lists_run_a_fixed_number_of_queries(client, auth, org):
    def grow(n):
        for i in range(n):
            sup = factories.department(f"S{n}{i}")
            factories.user(f"head.s{n}{i}@test.local", "head", sup)
            con = factories.contract(sup, org.departments["WH"], f"service {i}")
            rate(con, org.period, 10.0)
            follow_up(con, org.period, f"F{n}{i}", due_date=TODAY - timedelta(days=1), status="acknowledged")
            rate(factories.contract(sup, org.departments["LOG"], f"other {i}"), org.period, 20.0)

    auth.login("coo@test.local")
    counts = []
    for n in (2, 12):
        grow(n)
        db.session.expire_all()
        with count_queries() as statements:
            for path in ("/follow-ups/", "/follow-ups/low-ratings", "/follow-ups/?effect=improved"):
                get(client, path)
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_coo_opens_one_by_hand_and_a_second_is_refused(client, auth, org):
    con = org.contracts["IT", "SALES"]
    rate(con, org.period, 60.0)  # below target, above the floor: no automatic follow-up
    auth.login("coo@test.local")
    due = (TODAY + timedelta(days=30)).isoformat()
    assert client.post(f"/follow-ups/new?contract_id={con.id}&period=2026-Q3",
                       data={"title": "Answer sales faster", "due_date": due}).status_code == 302
    fu = db.session.scalar(select(FollowUp))
    assert (fu.opened_by, fu.owner_id, fu.due_date.isoformat()) == ("manual", org.heads["IT"].id, due)
    response = client.post(f"/follow-ups/new?contract_id={con.id}&period=2026-Q3",
                           data={"title": "Again", "due_date": due})
    html = response.get_data(as_text=True)
    assert "already has a follow-up in 2026-Q3" in html and 'value="Again"' in html
    assert db.session.scalar(select(func.count(FollowUp.id))) == 1
    [row] = [r for r in audit_rows() if r.action == "create"]
    assert json.loads(row.changes)["title"] == [None, "Answer sales faster"]


def test_dashboard_and_agreement_page_show_watermelons_and_who_must_act(client, auth, org):
    con = org.contracts["WH", "LOG"]
    rate(con, org.period, 45.0, standard_met="met", who="a")
    rate(con, org.period, 45.0, standard_met="met", who="b")
    rate(org.contracts["IT", "SALES"], org.period, 55.0)
    follow_up(con, org.period, owner=org.heads["WH"], status="acknowledged", ack_due=TODAY,
              due_date=TODAY - timedelta(days=1))
    auth.login("coo@test.local")
    html = get(client, "/dashboard/")
    banner = html.split('id="headline-follow-up"')[1].split("</p>")[0]
    assert "head.wh" in banner and 'data-state="acknowledged"' in banner and 'data-overdue="1"' in banner
    weak = html.split('id="weak-heading"')[1].split("</table>")[0]
    assert "data-no-follow-up" in weak and f"/follow-ups/new?contract_id={org.contracts['IT', 'SALES'].id}" in weak
    melons = html.split('id="watermelons"')[1].split("</section>")[0]
    assert "WH → LOG" in melons and "WH 1" in melons
    page = get(client, f"/dashboard/contracts/{con.id}")
    assert 'id="watermelon-flag"' in page and "2 of 2 respondents reported the standard met" in page
    assert 'data-overdue="1"' in page
    auth.logout()
    auth.login("hr@test.local")
    html = get(client, "/dashboard/")
    assert "New follow-up" not in html.split('id="weak-heading"')[1].split("</table>")[0]
