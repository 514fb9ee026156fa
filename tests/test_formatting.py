"""The display filters round halves away from zero (PRODUCT.md), never to even, in every locale."""
from flask_babel import force_locale

from tracker import formatting
from tracker.charts.graph import _fmt
from tracker.rate.queries import nps_shown, signed


def test_health_rounds_halves_away_from_zero(app):
    with app.test_request_context(), force_locale("en"):
        # Python's round and Babel give 31.2 and 56.2 here but 18.8 for 18.75.
        assert [formatting.health(v) for v in (31.25, 18.75, 56.25, 0.05)] == ["31.3", "18.8", "56.3", "0.1"]
        assert formatting.points(31.25) == "31.3" and formatting.points(-0.04) == "0"
        assert formatting.signed(-33.25) == "-33.3" and formatting.signed(2.5, 0) == "+3"
        assert formatting.num(56.25, 1) == "56.3" and formatting.num(12.5, 0) == "13"
        assert formatting.pct(0.125) == "13%" and formatting.pct(0.3125, 1) == "31.3%"
        assert formatting.pct(62.5, ratio=False) == "63%"
    with app.test_request_context(), force_locale("ru"):
        assert formatting.health(31.25) == "31,3" and formatting.health(56.25) == "56,3"


def test_nps_is_a_signed_integer_halves_away_from_zero():
    assert signed(nps_shown(-12.5)) == "\u221213" and signed(nps_shown(12.5)) == "+13"


def test_graph_labels_round_the_same_way():
    assert _fmt(31.25) == "31.3" and _fmt(56.25, ",") == "56,3" and _fmt(-0.04) == "0"


def test_one_rule_per_kind_of_figure(app):
    with app.test_request_context(), force_locale("en"):
        assert formatting.risk(1012.5) == "1,012.5" and formatting.risk(450.0) == "450" and formatting.risk(None) == "–"
        assert formatting.nps(-12.5) == "\u221213" and formatting.nps(33.3) == "+33" and formatting.nps(0.2) == "0"
        assert formatting.count(1204) == "1,204"
    with app.test_request_context(), force_locale("ru"):
        assert formatting.risk(1012.5) == "1\xa0012,5" and formatting.count(1204) == "1\xa0204"


def test_the_same_risk_reads_the_same_on_every_page(client, auth, org):
    """Risk read "1,013" on the rotation suggestions and "1012.5" on the dashboard (issue 17)."""
    import re

    from tracker.extensions import db
    from tracker.models import Rating

    con = org.contracts["WH", "LOG"]
    db.session.add(Rating(contract_id=con.id, period_id=org.period.id, respondent_key="a", health=44.85))
    db.session.commit()
    auth.login("coo@test.local")
    suggestions = " ".join(client.get("/rotations/suggestions").get_data(as_text=True).split())
    shown = re.search(r"WH → LOG</strong>.*?risk ([\d.,]+)", suggestions).group(1)
    agreement = " ".join(client.get(f"/dashboard/contracts/{con.id}").get_data(as_text=True).split())
    on_agreement = re.search(r"<dt>Risk</dt><dd class=\"fs-4\">([\d.,]+)", agreement).group(1)
    dashboard = " ".join(client.get("/dashboard/").get_data(as_text=True).split())
    assert "." in shown  # a fractional risk: the case that read differently
    assert shown == on_agreement and f"risk <strong>{shown}</strong>" in dashboard
