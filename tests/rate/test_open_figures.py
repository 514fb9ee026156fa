"""A respondent does not see the open period's figures of an agreement before rating it (issue 17).

member.wh saw the head's rating of minutes before ("25.0 critical ↓-31.3") on the rate page:
it leaked the head's answer and anchored the colleague's. The rule lives in
``tracker.auth.access.unrated_open_contract_ids``; earlier periods stay visible.
"""
from __future__ import annotations

from datetime import date

from tests import factories
from tests.rate.test_rate import answers
from tracker.auth import access
from tracker.extensions import db
from tracker.models import ContractRespondent, Rating


def _setup(org):
    """HR → IT: 60.0 in the closed 2026-Q2; the IT head rates 25.0 in the open 2026-Q3; the member is a respondent."""
    earlier = factories.period("2026-Q2", date(2026, 4, 1), date(2026, 6, 30), status="closed")
    con = org.contracts["HR", "IT"]
    db.session.add(Rating(contract_id=con.id, period_id=earlier.id, respondent_key="old@test.local", health=60.0))
    db.session.add(ContractRespondent(contract_id=con.id, user_id=org.users["member"].id))
    db.session.commit()
    return con


def _head_rates(client, auth, con):
    auth.login("head.it@test.local")
    response = client.post(f"/rate/{con.id}", data=answers(scores=(2, 2, 2, 2), recommend="3", comment="Slow"))
    assert response.status_code == 302
    assert "25.0 · critical" in client.get("/rate/").get_data(as_text=True)  # the head has rated: sees it
    auth.logout()


def test_member_sees_the_earlier_period_until_rating_then_the_open_one(client, auth, org):
    con = _setup(org)
    _head_rates(client, auth, con)
    auth.login("member.it@test.local")
    html = client.get("/rate/").get_data(as_text=True)
    assert "25.0" not in html and "-35.0" not in html
    assert "60.0" in html and "from an earlier period" in html and 'id="figures-hidden"' in html
    assert access.unrated_open_contract_ids(org.users["member"], org.period, [con.id]) == {con.id}

    response = client.post(f"/rate/{con.id}", data=answers(scores=(5, 5, 5, 5), recommend="10"))
    assert response.status_code == 302
    html = client.get("/rate/").get_data(as_text=True)
    # Now the open period: the head's 25.0 and the member's 100.0 give 62.5.
    assert "62.5" in html and "from an earlier period" not in html and 'id="figures-hidden"' not in html
    assert access.unrated_open_contract_ids(org.users["member"], org.period, [con.id]) == set()


def test_head_who_has_not_rated_does_not_see_the_members_answer(client, auth, org):
    con = _setup(org)
    auth.login("member.it@test.local")
    assert client.post(f"/rate/{con.id}", data=answers(scores=(5, 5, 5, 5), recommend="10")).status_code == 302
    auth.logout()
    auth.login("head.it@test.local")
    html = client.get("/rate/").get_data(as_text=True)
    assert "100.0" not in html and "60.0" in html
    # The agreement page: no open-period figures, no ratings, a note instead.
    html = client.get(f"/dashboard/contracts/{con.id}?period=2026-Q3").get_data(as_text=True)
    assert 'id="figures-hidden"' in html and "100.0" not in html and "No ratings in this period." in html
    # The department page: the row of that agreement says the figures come after rating.
    html = client.get("/dashboard/departments/IT?period=2026-Q3").get_data(as_text=True)
    row = next(r for r in html.split("<tr>") if "HR service for IT" in r)
    assert "shown once you have rated it" in row and "100" not in row
    # A closed period stays visible.
    html = client.get(f"/dashboard/contracts/{con.id}?period=2026-Q2").get_data(as_text=True)
    assert 'id="figures-hidden"' not in html and "60" in html
    # The API: the open period's ratings of that agreement are left out, the earlier ones stay.
    rows = client.get("/api/v1/ratings?supplier=HR&customer=IT").get_json()
    periods = [r["period"] if isinstance(r["period"], str) else r["period"]["label"] for r in rows["items"]]
    assert periods == ["2026-Q2"]


def test_other_roles_and_the_supplier_head_still_see_the_open_period(client, auth, org):
    con = _setup(org)
    _head_rates(client, auth, con)
    assert access.unrated_open_contract_ids(org.heads["HR"], org.period, [con.id]) == set()  # the supplier
    assert access.unrated_open_contract_ids(org.users["coo"], org.period, [con.id]) == set()
    auth.login("coo@test.local")
    html = client.get(f"/dashboard/contracts/{con.id}?period=2026-Q3").get_data(as_text=True)
    assert 'id="figures-hidden"' not in html and "25" in html
