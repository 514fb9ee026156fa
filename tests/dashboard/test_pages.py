"""Department and agreement pages, their history charts and who sees comments."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from tracker.extensions import db
from tracker.models import FollowUp, Rating, Setting

from .. import factories
from .test_dashboard import text_of


def test_departments_list_for_a_head(client, auth, rated):
    auth.login("head.wh@test.local")
    response = client.get("/dashboard/departments")
    assert response.status_code == 200
    text = text_of(response)
    assert "IT 85 IT → LOG 2 \u221225 (N = 4, small sample) 25.0%" in text.replace("✓ ", "")
    assert "MKT" in text and "cut off" in text
    assert "FIN" in text and "relies on unrated" in text


def test_department_page_figures_and_contracts(client, auth, rated):
    auth.login("coo@test.local")
    response = client.get("/dashboard/departments/IT?period=2026-Q3")
    assert response.status_code == 200
    text = text_of(response)
    assert "Chain strength ✓ 85" in text
    assert "Bottleneck IT → LOG (IT service for LOG)" in text
    assert "Dominates 2 departments" in text
    assert "Internal NPS \u221225 N = 4, small sample" in text
    assert "CSAT 25.0%" in text
    upstream = text[text.index("Upstream"):text.index("Downstream")]
    assert "HR → IT" in upstream and "IT → WH" not in upstream
    downstream = text[text.index("Downstream"):]
    for link in ("IT → WH", "IT → LOG", "IT → SALES", "IT → MKT"):
        assert link in downstream
    assert "IT → SALES #2" in downstream
    assert 'data="/dashboard/departments/IT/history.svg?period=2026-Q3"' in response.get_data(as_text=True)


def test_unknown_department_or_contract_is_404(client, auth, rated):
    auth.login("coo@test.local")
    assert client.get("/dashboard/departments/NOPE").status_code == 404
    assert client.get("/dashboard/contracts/9999").status_code == 404


def test_history_charts_cover_earlier_periods(client, auth, rated):
    earlier = factories.period("2026-Q2", date(2026, 4, 1), date(2026, 6, 30), status="closed")
    con = rated.contracts[("WH", "LOG")]
    db.session.add(Rating(contract_id=con.id, period_id=earlier.id, respondent_key="head.log", health=70.0))
    db.session.commit()
    auth.login("coo@test.local")
    for path in (f"/dashboard/contracts/{con.id}/history.svg?period=2026-Q3",
                 "/dashboard/departments/WH/history.svg?period=2026-Q3"):
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert ET.fromstring(response.data).tag == "{http://www.w3.org/2000/svg}svg"
    # the contract page shows the fall since the previous period
    text = text_of(client.get(f"/dashboard/contracts/{con.id}"))
    assert "↓ -25" in text
    headline = text_of(client.get("/dashboard/"))
    assert "it fell 25 points since 2026-Q2" in headline


def test_contract_page(client, auth, rated):
    con = rated.contracts[("WH", "LOG")]
    con.standard = "Deliveries within 24 h, <b>no</b> damage"
    db.session.add(FollowUp(contract_id=con.id, period_id=rated.period.id, title="Fix the loading dock",
                            status="acknowledged", ack_due=date(2026, 10, 1), due_date=date(2026, 10, 15),
                            owner_id=rated.heads["WH"].id if hasattr(rated, "heads") else None))
    db.session.commit()
    auth.login("coo@test.local")
    response = client.get(f"/dashboard/contracts/{con.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "&lt;b&gt;no&lt;/b&gt;" in html and "<b>no</b>" not in html
    text = text_of(response)
    assert "Health ✗ 45 critical" in text
    assert "Criticality high" in text
    assert "Target / floor 75 / 50" in text
    assert "Reach 5" in text
    assert "Risk 450 weak link #1" in text
    # The follow-up names its state, owner and the due date of what it waits for (resolve), overdue or not.
    assert "Fix the loading dock" in text and "acknowledged" in text and "Oct 15, 2026" in text
    # the COO reads the comment (escaped)
    assert "Secret remark about WH &amp; &lt;b&gt;LOG&lt;/b&gt;" in html


def test_hr_does_not_see_comment_text_by_default(client, auth, rated):
    con = rated.contracts[("WH", "LOG")]
    auth.login("hr@test.local")
    html = client.get(f"/dashboard/contracts/{con.id}").get_data(as_text=True)
    assert "Secret remark" not in html
    assert "comment hidden" in html


def test_hr_sees_comment_text_when_the_setting_allows(client, auth, rated):
    db.session.add(Setting(key="hr_sees_comments", value="yes"))
    db.session.commit()
    con = rated.contracts[("WH", "LOG")]
    auth.login("hr@test.local")
    assert "Secret remark about WH" in client.get(f"/dashboard/contracts/{con.id}").get_data(as_text=True)


@pytest.mark.parametrize(("email", "sees"), [("head.wh@test.local", True), ("head.log@test.local", True),
                                            ("head.it@test.local", False)])
def test_heads_see_comments_on_their_own_agreements_only(client, auth, rated, email, sees):
    con = rated.contracts[("WH", "LOG")]
    # The rating is the LOG head's own: before rating, a respondent sees no open-period figures (test_open_figures).
    db.session.scalars(db.select(Rating).filter_by(contract_id=con.id)).one().respondent_key = "head.log@test.local"
    db.session.commit()
    auth.login(email)
    html = client.get(f"/dashboard/contracts/{con.id}").get_data(as_text=True)
    assert ("Secret remark" in html) is sees


def test_departments_list_sorts_and_filters(client, auth, rated):
    auth.login("coo@test.local")
    html = client.get("/dashboard/departments?sort=-dominates").get_data(as_text=True)
    body = html[html.index("<tbody>"):]
    order = [code for code in ("IT", "LOG", "WH", "HR", "FIN") if f">{code}</a>" in body]
    positions = {code: body.index(f">{code}</a>") for code in order}
    assert positions["IT"] < positions["WH"] < positions["FIN"]
    assert positions["LOG"] < positions["HR"]
    text = text_of(client.get("/dashboard/departments?q=ex&all=1"))  # external customers only with all
    assert "EXT" in text and "PROC" not in text
    text = text_of(client.get("/dashboard/departments?sort=chain_strength"))
    body = text[text.index("Response rate"):]
    assert body.index("PROC") < body.index("LOG")  # 45 before 90
    assert client.get("/dashboard/departments?sort=bogus").status_code == 200


def test_contract_page_names_criteria_in_the_readers_language(client, auth, rated):
    from tracker.models import Criterion, RatingScore
    con = rated.contracts[("WH", "LOG")]
    quality = Criterion(key="quality_x", name="Quality", name_ru="Качество", weight=1.0, position=0)
    plain = Criterion(key="speed_x", name="Speed", name_ru=None, weight=1.0, position=1)
    db.session.add_all([quality, plain])
    db.session.flush()
    rating = db.session.scalars(db.select(Rating).where(Rating.contract_id == con.id)).one()
    db.session.add_all([RatingScore(rating_id=rating.id, criterion_id=quality.id, score=2, weight=1.0),
                        RatingScore(rating_id=rating.id, criterion_id=plain.id, score=3, weight=1.0)])
    db.session.commit()
    auth.login("coo@test.local")
    russian = text_of(client.get(f"/dashboard/contracts/{con.id}", headers={"Accept-Language": "ru"}))
    assert "Качество 2, Speed 3" in russian and "Quality 2" not in russian
    english = text_of(client.get(f"/dashboard/contracts/{con.id}", headers={"Accept-Language": "en"}))
    assert "Quality 2, Speed 3" in english


def test_health_of_an_agreement_with_its_own_bounds_says_so(client, auth, rated):
    con = rated.contracts[("IT", "LOG")]
    con.target, con.floor = 90.0, 60.0
    db.session.commit()
    auth.login("coo@test.local")
    text = text_of(client.get(f"/dashboard/contracts/{con.id}"))
    assert "Health ! 85 warning (target 90, floor 60)" in text
    department = text_of(client.get("/dashboard/departments/IT"))
    assert "85 warning (target 90, floor 60)" in department
    assert "70 warning (target" not in department  # IT → WH follows the default bounds


def test_own_bounds_note_wording(app):
    from tracker.formatting import own_bounds_note
    with app.test_request_context():
        assert own_bounds_note(None, None) == ""
        assert own_bounds_note(80.0, None) == "(target 80)"
        assert own_bounds_note(None, 62.5) == "(floor 62.5)"


def test_contract_page_words_validity_and_transfer_price(client, auth, rated):
    from decimal import Decimal
    con = rated.contracts[("WH", "LOG")]
    auth.login("coo@test.local")
    text = text_of(client.get(f"/dashboard/contracts/{con.id}"))
    assert "Valid" not in text and "…" not in text and "Transfer price" not in text
    con.start_date, con.transfer_price = date(2026, 1, 1), Decimal("1250.50")
    db.session.commit()
    text = text_of(client.get(f"/dashboard/contracts/{con.id}"))
    assert "Valid from Jan 1, 2026, no end date set · Transfer price (internal units): 1,250.5" in text
    con.end_date = date(2026, 12, 31)
    db.session.commit()
    assert "Valid Jan 1, 2026 – Dec 31, 2026" in text_of(client.get(f"/dashboard/contracts/{con.id}"))


def test_departments_list_counts_what_the_dashboard_counts(client, auth, rated):
    # A division without agreements: not counted by default, listed when asked for all.
    factories.department("OPS", name="Operations division")
    db.session.commit()
    auth.login("coo@test.local")
    text = text_of(client.get("/dashboard/departments"))
    assert "Internal departments with agreements — 2026-Q3" in text
    assert "8 internal departments with agreements" in text
    assert "OPS" not in text and "Retail clients" not in text
    assert "8 departments, 11 agreements" in text_of(client.get("/dashboard/"))
    everything = text_of(client.get("/dashboard/departments?all=1"))
    assert "All departments and customers" in everything and "10 departments and customers, all of them" in everything
    assert "OPS" in everything and "Retail clients" in everything
    assert "all=1" in client.get("/dashboard/departments?all=1").get_data(as_text=True).split("<tbody>")[0]
