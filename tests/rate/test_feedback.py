"""What our internal customers say: the supplier head's view of NPS, CSAT, health and comments."""
from __future__ import annotations

from datetime import date

from tests import factories
from tracker.extensions import db
from tracker.models import Rating

# The worked example's 0–10 answers and healths of IT's contracts, each from the customer's head.
IT_ANSWERS = {"WH": (7, 70.0), "LOG": (9, 85.0), "SALES": (5, 55.0), "MKT": (2, 40.0)}


def seed_it_ratings(org, period=None, comments=None) -> None:
    period = period or org.period
    for customer, (recommend, health) in IT_ANSWERS.items():
        db.session.add(Rating(
            contract_id=org.contracts["IT", customer].id, period_id=period.id,
            respondent_key=f"head.{customer.lower()}@test.local", respondent_id=org.heads[customer].id,
            recommend=recommend, health=health, comment=(comments or {}).get(customer),
        ))
    db.session.commit()


def test_feedback_shows_worked_example_nps_and_csat(client, auth, org):
    seed_it_ratings(org, comments={"MKT": "Nobody answers the phone"})
    auth.login("head.it@test.local")
    response = client.get("/rate/feedback")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "What our internal customers say" in html
    assert '<p class="fs-3 mb-0 rate-nps">\u221225</p>' in html
    assert "N = 4" in html and "small sample" in html
    assert "25.0%" in html
    # Per agreement: health with its band word, and one NPS answer each.
    assert "40.0 · critical" in html and "85.0 · good" in html and "55.0 · warning" in html
    assert "\u2212100 <span class=\"small\">(N = 1, small sample)" in html
    # Comments are anonymous: the customer department, never the respondent.
    assert "Nobody answers the phone" in html and "a colleague of MKT" in html
    assert "head.mkt" not in html


def test_feedback_of_a_chosen_period_and_trend(client, auth, org):
    earlier = factories.period("2026-Q2", date(2026, 4, 1), date(2026, 6, 30), status="closed")
    db.session.add(Rating(contract_id=org.contracts["IT", "LOG"].id, period_id=earlier.id,
                          respondent_key="head.log@test.local", health=95.0, recommend=10))
    db.session.commit()
    seed_it_ratings(org)
    auth.login("head.it@test.local")
    html = client.get("/rate/feedback?period=2026-Q2").get_data(as_text=True)
    assert "period 2026-Q2" in html and '<p class="fs-3 mb-0 rate-nps">+100</p>' in html and "N = 1" in html
    html = client.get("/rate/feedback").get_data(as_text=True)
    # IT→LOG fell from 95 to 85; the history table has both periods.
    assert "-10.0" in html and "95.0" in html
    assert ">2026-Q2</th>" in html and ">2026-Q3</th>" in html
    assert client.get("/rate/feedback?period=1999-Q1").status_code == 404


def test_feedback_without_answers(client, auth, org):
    auth.login("head.proc@test.local")
    html = client.get("/rate/feedback").get_data(as_text=True)
    assert "no answers" in html and "No comments in this period." in html


def test_feedback_is_for_heads_only(client, auth, org):
    auth.login("coo@test.local")
    assert client.get("/rate/feedback").status_code == 403


def test_feedback_links_to_the_department_chart(client, auth, org):
    auth.login("head.it@test.local")
    html = client.get("/rate/feedback").get_data(as_text=True)
    assert 'href="/dashboard/departments/IT?period=2026-Q3"' in html


def test_feedback_notes_an_agreements_own_target(client, auth, org):
    org.contracts["IT", "LOG"].target = 90.0
    seed_it_ratings(org)
    auth.login("head.it@test.local")
    html = client.get("/rate/feedback").get_data(as_text=True)
    # 85 is good against the default 75 but a warning against LOG's own 90: the page says why.
    assert "85.0 · warning\n        <span class=\"small text-body-secondary\">(target 90)</span>" in html
    assert html.count("(target 90)") == 2  # the current table and the history table
    assert "(target 75)" not in html and "(floor" not in html
