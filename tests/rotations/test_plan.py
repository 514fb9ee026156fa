"""Issue 16: who visits whom, refusals that name the conflict, the proposed plan, calendars, exports, effect."""
from __future__ import annotations

import csv
import io
import itertools
import json
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from openpyxl import load_workbook
from sqlalchemy import func, select

from tracker.analysis import Contract, Department, Rating, analyze
from tracker.analysis.rotations import (ContractAnswers, effect_summary, greedy_plan, plan_risk, propose_plan,
                                        suggest)
from tracker.extensions import db
from tracker.models import Rotation, Setting
from tracker.models import Rating as RatingRow
from tracker.services import ratings as rating_service
from tracker.services import rotations as service
from tracker.services.rotations import RotationError, RotationInput

# --- who visits whom (pure) -------------------------------------------------------------------


def pair_org(ab: float, ba: float | None = None):
    deps = [Department(c, c, "internal") for c in ("A", "B", "C")] + [Department("X", "X", "external")]
    cons = [Contract(1, "A", "B", "reports", 2), Contract(2, "B", "A", "data", 1), Contract(3, "B", "X", "sale", 3)]
    ratings = [Rating(1, "Q1", ab)] + ([Rating(2, "Q1", ba)] if ba is not None else [])
    return analyze(deps, cons, ratings, "Q1", ["Q1"])


def test_supplier_visits_customer_by_default():
    (s,) = suggest(pair_org(40.0)).rows
    assert (s.kind, s.legs, s.service) == ("supplier_visits", (("A", "B"),), "reports")


@pytest.mark.parametrize("answers", [ContractAnswers(communication=2.0),
                                     ContractAnswers(comments=("Our requests get lost",), mentions_requests=True),
                                     ContractAnswers(mentions_requests=True)])
def test_customer_visits_supplier_when_its_answers_suggest_a_misunderstanding(answers):
    (s,) = suggest(pair_org(40.0), answers={1: answers}).rows
    assert (s.kind, s.legs) == ("customer_visits", (("B", "A"),))


def test_good_communication_keeps_the_usual_direction():
    (s,) = suggest(pair_org(40.0), answers={1: ContractAnswers(communication=4.0)}).rows
    assert s.kind == "supplier_visits" and s.communication == 4.0


def test_mutual_friction_goes_both_ways_and_adds_both_scores():
    (s,) = suggest(pair_org(40.0, 60.0)).rows
    # A→B: reach 2 (A and B reach X), (75-40)·2·2 = 140; B→A: A is reached from B (the cycle), reach 2,
    # (75-60)·1·2 = 30.
    assert (s.kind, s.legs, s.score, s.health, s.reverse_health) == (
        "mutual", (("A", "B"), ("B", "A")), 170.0, 40.0, 60.0)


def test_recent_rotation_skips_the_pair_and_says_when():
    found = suggest(pair_org(40.0, 60.0), recent={("B", "A"): "Q0"})
    assert found.rows == [] and [(k.supplier, k.customer, k.period) for k in found.skipped] == [("A", "B", "Q0")]


def test_excerpt_only_from_comments_given():
    long = "Reports arrive late and in a format we cannot load " * 3
    (s,) = suggest(pair_org(40.0), answers={1: ContractAnswers(comments=(long,))}).rows
    assert s.excerpt.startswith("Reports arrive late") and s.excerpt.endswith("…") and len(s.excerpt) == 80
    (s,) = suggest(pair_org(40.0), answers={1: ContractAnswers(comments=())}).rows
    assert s.excerpt == ""


# --- the plan (pure) ----------------------------------------------------------------------------

def test_matching_covers_more_than_greedy_where_greedy_blocks_itself():
    legs = [("A", "B", 10.0), ("C", "D", 10.0), ("A", "D", 15.0)]
    one = {c: 1 for c in "ABCD"}
    assert plan_risk(greedy_plan(legs, 1, one, one)) == 15.0
    assert plan_risk(propose_plan(legs, 1, one, one)) == 20.0


def test_existing_bookings_use_capacity():
    legs = [("A", "B", 10.0)]
    one = {"A": 1, "B": 1}
    plan = propose_plan(legs, 2, one, one, sent={(0, "A"): 1})
    assert [(v.visitor, v.host, v.week) for v in plan] == [("A", "B", 1)]


CODES = "ABCDEF"


@st.composite
def organizations(draw):
    """A random organization: departments with send/host capacities, candidate visits, weeks, bookings."""
    n = draw(st.integers(2, 6))
    codes = CODES[:n]
    sends = {c: draw(st.integers(0, 2)) for c in codes}
    hosts = {c: draw(st.integers(0, 2)) for c in codes}
    pairs = [(a, b) for a in codes for b in codes if a != b]
    chosen = draw(st.lists(st.sampled_from(pairs), max_size=10, unique=True))
    legs = [(a, b, float(draw(st.integers(1, 100)))) for a, b in chosen]
    weeks = draw(st.integers(1, 4))
    sent = {(w, c): draw(st.integers(0, 1)) for w in range(weeks) for c in codes}
    hosted = {(w, c): draw(st.integers(0, 1)) for w in range(weeks) for c in codes}
    return legs, weeks, sends, hosts, sent, hosted


@settings(max_examples=150, deadline=None)
@given(organizations())
def test_plan_never_exceeds_capacity_and_covers_at_least_greedy(case):
    legs, weeks, sends, hosts, sent, hosted = case
    plan = propose_plan(legs, weeks, sends, hosts, sent=sent, hosted=hosted)
    for week, code in itertools.product(range(weeks), sends):
        assert sent[week, code] + sum(v.week == week and v.visitor == code for v in plan) <= max(
            sends[code], sent[week, code])
        assert hosted[week, code] + sum(v.week == week and v.host == code for v in plan) <= max(
            hosts[code], hosted[week, code])
    assert len({v.leg for v in plan}) == len(plan)
    assert all((v.visitor, v.host, v.weight) == legs[v.leg] and 0 <= v.week < weeks for v in plan)
    assert plan_risk(plan) >= plan_risk(greedy_plan(legs, weeks, sends, hosts, sent=sent, hosted=hosted))


@settings(max_examples=100, deadline=None)
@given(organizations())
def test_one_week_is_the_exact_optimum(case):
    """In one week the b-matching is exact: no subset of the visits within capacity covers more."""
    legs, _weeks, sends, hosts, _sent, _hosted = case
    legs = legs[:7]
    best = 0.0
    for size in range(len(legs) + 1):
        for subset in itertools.combinations(legs, size):
            if all(sum(a == c for a, _b, _w in subset) <= sends[c] and sum(b == c for _a, b, _w in subset) <= hosts[c]
                   for c in sends):
                best = max(best, sum(w for _a, _b, w in subset))
    assert plan_risk(propose_plan(legs, 1, sends, hosts)) == best


def test_effect_summary_counts_both_groups():
    assert effect_summary([]) == {"with": None, "with_n": 0, "without": None, "without_n": 0}
    assert effect_summary([(5.0, True), (-1.0, False), (3.0, False)]) == {
        "with": 5.0, "with_n": 1, "without": 1.0, "without_n": 2}


# --- refusals that name the conflict ------------------------------------------------------------

def day(future, n: int) -> date:
    """The n-th day after the future period's first Monday."""
    return future.start_date + timedelta(days=n)


def make(org, src, dst, on, person="Sergey Volkov", duration="day", **kw) -> Rotation:
    return service.create_rotation(RotationInput(person=person, from_department_id=org.departments[src].id,
                                                 to_department_id=org.departments[dst].id, on_date=on,
                                                 duration=duration, **kw))


def refusal(org, src, dst, on, **kw) -> dict:
    with pytest.raises(RotationError) as exc:
        make(org, src, dst, on, **kw)
    return exc.value.errors


def test_same_person_twice_a_day_is_refused_but_two_half_days_are_allowed(org, future):
    db.session.add(Setting(key="rotation_sends_per_week", value="5"))
    db.session.commit()
    make(org, "WH", "LOG", day(future, 3))
    errors = refusal(org, "WH", "IT", day(future, 3), duration="half_day")
    assert "Sergey Volkov is already booked on" in errors["on_date"] and "a day in LOG" in errors["on_date"]
    make(org, "WH", "IT", day(future, 4), duration="half_day")
    make(org, "WH", "PROC", day(future, 4), duration="half_day", person="sergey volkov ")
    assert "half a day in IT, half a day in PROC" in refusal(org, "WH", "LOG", day(future, 4),
                                                               duration="half_day")["on_date"]


def test_dates_in_the_past_outside_a_period_or_the_chosen_period_are_refused(org, future):
    assert "No period covers 1999-01-01" in refusal(org, "WH", "LOG", date(1999, 1, 1))["on_date"]
    assert "is in the past" in refusal(org, "WH", "LOG", date(2026, 8, 12))["on_date"]
    errors = refusal(org, "WH", "LOG", future.end_date + timedelta(days=30), period_id=future.id)
    assert f"is outside the period NEXT ({future.start_date.isoformat()}" in errors["on_date"]


def test_a_user_visiting_their_own_department_is_refused(org, future):
    member = org.users["member"]  # works in IT
    with pytest.raises(RotationError) as exc:
        service.create_rotation(RotationInput(person="", person_user_id=member.id, from_department_id=None,
                                              to_department_id=org.departments["IT"].id, on_date=day(future, 1)))
    assert "works in IT" in exc.value.errors["to_department_id"]
    rot = service.create_rotation(RotationInput(person="", person_user_id=member.id, from_department_id=None,
                                                to_department_id=org.departments["LOG"].id, on_date=day(future, 1)))
    assert (rot.person, rot.from_department_id) == (member.name, org.departments["IT"].id)


def test_capacity_per_week_with_a_department_override(org, future):
    make(org, "WH", "LOG", day(future, 1), person="P1")
    make(org, "WH", "IT", day(future, 2), person="P2")
    errors = refusal(org, "WH", "HR", day(future, 3), person="P3")
    assert errors["from_department_id"] == (
        f"Over capacity: WH already sends 2 people in the week of {future.start_date.isoformat()} (at most 2).")
    make(org, "WH", "HR", day(future, 8), person="P3")  # the next week is free
    db.session.add(Setting(key="rotation_hosts_per_week:LOG", value="1"))
    db.session.commit()
    errors = refusal(org, "IT", "LOG", day(future, 4), person="P4")
    assert "LOG already hosts 1 people" in errors["to_department_id"] and "(at most 1)" in errors["to_department_id"]
    # a cancelled rotation frees its place
    first = db.session.scalar(select(Rotation).where(Rotation.person == "P1"))
    service.set_status(first, "cancelled", cancel_reason="Picker ill")
    make(org, "IT", "LOG", day(future, 4), person="P4")


def test_a_double_click_makes_one_row(client, auth, org, future):
    auth.login("hr@test.local")
    data = {"person": "Anna", "from_department_id": org.departments["HR"].id,
            "to_department_id": org.departments["FIN"].id, "on_date": day(future, 2).isoformat(),
            "duration": "half_day", "form_token": "tok-1"}
    first, second = client.post("/rotations/new", data=data), client.post("/rotations/new", data=data)
    assert first.status_code == 302 and "/rotations/" in first.headers["Location"]
    assert second.status_code == 302 and second.headers["Location"].endswith("/rotations/")
    assert db.session.scalar(select(func.count()).select_from(Rotation)) == 1
    assert "already sent and saved once" in client.get("/rotations/").get_data(as_text=True)
    # The one mechanism of every create form: the hidden one-time token of tracker.forms.CreateForm.
    assert 'name="form_token" type="hidden" value="' in client.get("/rotations/new").get_data(as_text=True)


def test_done_and_cancelled_need_what_they_need(org, future):
    rot = make(org, "WH", "LOG", day(future, 1))
    with pytest.raises(RotationError) as exc:
        service.set_status(rot, "cancelled")
    assert exc.value.errors == {"cancel_reason": "Say why the rotation is cancelled."}
    service.set_status(rot, "cancelled", cancel_reason="Dock closed for repairs")
    assert (rot.status, rot.cancel_reason) == ("cancelled", "Dock closed for repairs")
    with pytest.raises(RotationError):
        service.set_status(rot, "done")


def test_move_keeps_the_weekday_and_checks_the_target_week(org, future):
    rot = make(org, "WH", "LOG", day(future, 2))  # a Wednesday
    make(org, "IT", "LOG", day(future, 15), person="P1")
    make(org, "PROC", "LOG", day(future, 16), person="P2")
    with pytest.raises(RotationError) as exc:
        service.move_rotation(rot, day(future, 14))
    assert "LOG already hosts 2 people" in exc.value.errors["to_department_id"]
    service.move_rotation(rot, day(future, 7))
    assert rot.on_date == day(future, 9)


# --- suggestions, plan and calendar pages ------------------------------------------------------

def rate(org, sup, cus, scores, comment=None, recommend=8):
    head = org.heads[cus]
    answer = rating_service.RatingInput(scores=scores, recommend=recommend, comment=comment)
    rating_service.submit_ratings(org.period, [(org.contracts[sup, cus], answer)], respondent_key=head.email,
                                  respondent_id=head.id, actor_id=head.id)


def test_suggestions_page_directions_reasons_and_comment_privacy(client, auth, org):
    rate(org, "HR", "IT", {"quality": 2, "timeliness": 2, "communication": 1},
         comment="Nobody answers our requests for payroll data")
    rate(org, "IT", "SALES", {"quality": 2, "timeliness": 3, "communication": 4}, comment="Outages at month end")
    auth.login("hr@test.local")
    html = " ".join(client.get("/rotations/suggestions").get_data(as_text=True).split())
    assert "a person of IT visits HR to learn how to ask for the service" in html
    assert "a person of IT spends a day in SALES to see how the product is used" in html
    assert "communication 1.0 of 5" in html and "Nobody answers" not in html and "Outages" not in html
    db.session.add(Setting(key="hr_sees_comments", value="yes"))
    db.session.commit()
    html = " ".join(client.get("/rotations/suggestions").get_data(as_text=True).split())
    assert "“Nobody answers our requests for payroll data”" in html and "“Outages at month end”" in html


def test_pairs_with_a_rotation_in_recent_periods_are_skipped_and_counted(client, auth, org):
    from tests import factories
    q2 = factories.period("2026-Q2", date(2026, 4, 1), date(2026, 6, 30), status="closed")
    db.session.add(RatingRow(contract_id=org.contracts["WH", "LOG"].id, period_id=org.period.id,
                             respondent_key="a", health=45.0))
    db.session.add(Rotation(from_department_id=org.departments["LOG"].id, to_department_id=org.departments["WH"].id,
                            person="Old one", on_date=date(2026, 5, 5), status="done", period_id=q2.id))
    db.session.commit()
    auth.login("coo@test.local")
    html = " ".join(client.get("/rotations/suggestions").get_data(as_text=True).split())
    assert "1 pair skipped: it had a rotation in this period or the 2 periods before it. WH ↔ LOG (2026-Q2)" in html
    db.session.add(Setting(key="rotation_skip_periods", value="0"))
    db.session.commit()
    html = " ".join(client.get("/rotations/suggestions").get_data(as_text=True).split())
    assert "skipped" not in html and "WH → LOG</strong>" in html


def test_plan_page_and_cli_propose_without_saving(client, auth, org, runner, future):
    # Ratings in the future period itself: the plan is for the period whose weak links it covers.
    for (sup, cus), health in {("WH", "LOG"): 45.0, ("IT", "SALES"): 55.0, ("HR", "IT"): 60.0,
                               ("IT", "WH"): 70.0}.items():
        db.session.add(RatingRow(contract_id=org.contracts[sup, cus].id, period_id=future.id, respondent_key="a",
                                 health=health))
    db.session.add(Setting(key="rotation_sends_per_week:IT", value="1"))
    db.session.commit()
    auth.login("hr@test.local")
    html = " ".join(client.get("/rotations/plan?period=NEXT").get_data(as_text=True).split())
    assert "covers risk 630 of 630" in html and "Accept" in html
    result = runner.invoke(args=["rotations", "plan", "--period", "NEXT", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    visits = [(v["visitor"], v["host"], v["date"]) for v in data["visits"]]
    # IT sends one a week: IT→SALES (risk 120) takes the first week, IT→WH (10) the next.
    tuesday = (future.start_date + timedelta(days=1)).isoformat()
    assert ("WH", "LOG", tuesday) in visits and ("IT", "SALES", tuesday) in visits
    assert ("IT", "WH", (future.start_date + timedelta(days=8)).isoformat()) in visits
    assert data["covered_risk"] == data["total_risk"] == 630.0
    assert db.session.scalar(select(func.count()).select_from(Rotation)) == 0
    result = runner.invoke(args=["rotations", "suggest", "--period", "NEXT", "--json"])
    suggestions = json.loads(result.output)["suggestions"]
    assert [(s["supplier"], s["customer"], s["risk"]) for s in suggestions][:2] == [("WH", "LOG", 450.0),
                                                                                    ("IT", "SALES", 120.0)]
    result = runner.invoke(args=["rotations", "suggest", "--period", "1999-Q1"])
    assert result.exit_code != 0 and "unknown period '1999-Q1'" in result.output


def test_calendar_shows_weeks_by_department_and_heads_see_their_own(client, auth, org, future):
    make(org, "WH", "LOG", day(future, 1), person="Picker")
    make(org, "HR", "FIN", day(future, 8), person="Recruiter")
    auth.login("hr@test.local")
    html = client.get("/rotations/calendar?period=NEXT").get_data(as_text=True)
    assert "→ LOG</a> Picker" in html and "← WH</a> Picker" in html and "→ FIN</a> Recruiter" in html
    auth.logout()
    auth.login("head.log@test.local")
    html = client.get("/rotations/calendar?period=NEXT").get_data(as_text=True)
    assert "Picker" in html and "Recruiter" not in html
    rot = db.session.scalar(select(Rotation).where(Rotation.person == "Recruiter"))
    assert client.get(f"/rotations/{rot.id}").status_code == 404


# --- exports --------------------------------------------------------------------------------------

def test_ics_parses_round_trips_and_keeps_uids_across_exports(client, auth, org, future):
    db.session.add(Setting(key="timezone", value="Asia/Yekaterinburg"))
    db.session.commit()
    first = make(org, "WH", "LOG", day(future, 1), duration="half_day", purpose="See the dock")
    make(org, "HR", "FIN", day(future, 2), person="Anna")
    auth.login("hr@test.local")
    body = client.get("/rotations/plan.ics?period=NEXT")
    assert body.mimetype == "text/calendar"
    cal = Calendar.from_ical(body.data)
    events = cal.walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [f"rotation-{first.id}@tracker", f"rotation-{first.id + 1}@tracker"]
    start, end = events[0].decoded("dtstart"), events[0].decoded("dtend")
    assert (start.date(), start.hour, end.hour, str(start.tzinfo)) == (day(future, 1), 9, 13, "Asia/Yekaterinburg")
    assert str(events[0]["summary"]) == "Sergey Volkov: WH → LOG" and "See the dock" in str(events[0]["description"])
    assert Calendar.from_ical(cal.to_ical()).to_ical() == cal.to_ical()
    service.move_rotation(first, day(future, 7))
    service.set_status(db.session.get(Rotation, first.id + 1), "cancelled", cancel_reason="Budget freeze")
    again = {str(e["uid"]): e for e in Calendar.from_ical(client.get("/rotations/plan.ics?period=NEXT").data)
             .walk("VEVENT")}
    moved, cancelled = again[f"rotation-{first.id}@tracker"], again[f"rotation-{first.id + 1}@tracker"]
    assert len(again) == 2 and moved.decoded("dtstart").date() == day(future, 8)
    assert int(moved["sequence"]) > int(events[0]["sequence"]) and str(cancelled["status"]) == "CANCELLED"


def test_csv_and_xlsx_are_excel_safe(client, auth, org, future):
    make(org, "WH", "LOG", day(future, 1), person="=HYPERLINK(\"x\")", purpose="+plan")
    auth.login("hr@test.local")
    response = client.get("/rotations/plan.csv?period=NEXT")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["id", "date", "duration", "person"]
    assert rows[1][3] == "'=HYPERLINK(\"x\")" and rows[1][6] == "'+plan" and rows[1][4:6] == ["WH", "LOG"]
    book = load_workbook(io.BytesIO(client.get("/rotations/plan.xlsx?period=NEXT").data))
    sheet = book["rotations"]
    # in a workbook the cell is explicit text (never a formula), without the apostrophe
    assert sheet.cell(2, 4).value == "=HYPERLINK(\"x\")" and sheet.cell(2, 4).data_type == "s"
    assert client.get("/rotations/plan.csv?period=1999-Q1").status_code == 404


# --- the effect -------------------------------------------------------------------------------------

def test_linked_agreement_and_company_effect(client, auth, org):
    from tests import factories
    q4 = factories.period("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), status="open")
    org.period.status = "closed"
    db.session.commit()
    wh_log, it_sales, log_wh = org.contracts["WH", "LOG"], org.contracts["IT", "SALES"], None
    for con, per, health in ((wh_log, org.period, 40.0), (wh_log, q4, 60.0), (it_sales, org.period, 50.0),
                             (it_sales, q4, 45.0)):
        db.session.add(RatingRow(contract_id=con.id, period_id=per.id, respondent_key="a", health=health))
    db.session.add(Rotation(from_department_id=org.departments["WH"].id, to_department_id=org.departments["LOG"].id,
                            person="Sergey", on_date=date(2026, 10, 5), status="done", contract_id=wh_log.id,
                            visitor_note="Trucks wait", host_note="Helpful"))
    db.session.commit()
    assert log_wh is None
    auth.login("hr@test.local")
    html = " ".join(client.get("/rotations/").get_data(as_text=True).split())
    assert "WH → LOG «WH service for LOG»: 40.0 (2026-Q3, N = 1) → 60.0 (2026-Q4, N = 1)" in html
    assert ("Weak links of 2026-Q3, rated again in 2026-Q4: with a done rotation between their departments, health "
            "changed by +20.0 on average (N = 1); without one, by -5.0 (N = 1).") in html.replace("−", "-")


# --- settings -----------------------------------------------------------------------------------------

def test_hr_sets_capacities_with_department_overrides(client, auth, org):
    from tracker.models import AuditLog
    auth.login("hr@test.local")
    form = {"sends": "1", "hosts": "2", "skip_periods": "3", "timezone": "Europe/Samara", "overrides": "wh 3 0\n"}
    assert client.post("/rotations/settings", data=form).status_code == 302
    sends, hosts = service.capacities()
    wh, log = org.departments["WH"].id, org.departments["LOG"].id
    assert (sends[wh], hosts[wh], sends[log], hosts[log]) == (3, 0, 1, 2)
    assert service.rotation_settings().overrides == {"WH": (3, 0)}
    row = db.session.scalar(select(AuditLog).where(AuditLog.entity == "setting").order_by(AuditLog.id.desc()))
    assert json.loads(row.changes)["rotation_sends_per_week:WH"] == [None, "3"]

    bad = {**form, "overrides": "WH 3\nNOPE 1 1", "timezone": "Mars/Olympus"}
    html = client.post("/rotations/settings", data=bad).get_data(as_text=True)
    assert "Line 1: write a department code and two whole numbers" in html and 'value="Mars/Olympus"' in html
    html = client.post("/rotations/settings", data={**bad, "overrides": "NOPE 1 1"}).get_data(as_text=True)
    assert "Unknown department code: NOPE." in html and "Unknown time zone" in html
    assert service.rotation_settings().timezone == "Europe/Samara"

    assert client.post("/rotations/settings", data={**form, "overrides": ""}).status_code == 302
    assert service.rotation_settings().overrides == {} and service.capacities()[0][wh] == 1


def test_three_concurrent_posts_of_one_form_make_one_rotation(app, org, future):
    """A triple click sends the same one-time form token three times at once: one row, no 500."""
    from tests.test_concurrency import _run_together

    clients = []
    for _ in range(3):
        client = app.test_client()
        client.post("/login", data={"email": "hr@test.local", "password": "pw"})
        clients.append(client)
    data = {"person": "Boris", "from_department_id": org.departments["HR"].id,
            "to_department_id": org.departments["FIN"].id, "on_date": day(future, 3).isoformat(),
            "duration": "day", "form_token": "tok-concurrent"}

    statuses = _run_together(app, lambda i: clients[i].post("/rotations/new", data=data).status_code, 3)

    assert statuses == [302, 302, 302], statuses
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Rotation).where(Rotation.person == "Boris")) == 1
