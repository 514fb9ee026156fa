"""Layout edges seen in a real browser (issue 17): rotation suggestions sit left, next to their
number; the "stale" badge on the agreement page stays inside the Health column."""
from __future__ import annotations

from datetime import date

import pytest

from tests import factories
from tracker.extensions import db
from tracker.models import Rating

from .conftest import login, shot

pytestmark = pytest.mark.browser


def test_rotation_suggestions_start_next_to_their_number(page, live_server, org):
    for (sup, cus), health in {("WH", "LOG"): 45.0, ("IT", "SALES"): 55.0}.items():
        db.session.add(Rating(contract_id=org.contracts[sup, cus].id, period_id=org.period.id, respondent_key="a",
                              health=health))
    db.session.commit()
    login(page, live_server.url, "hr@test.local")
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(live_server.url + "/rotations/suggestions")
    item = page.locator("ol.list-group > li").first
    explain = item.locator(".rot-explain")
    gap = explain.bounding_box()["x"] - item.bounding_box()["x"]
    shot(page, "rotation_suggestions_1400")
    assert gap < 60, f"the explanation starts {gap:.0f} px into its row"


@pytest.mark.parametrize("width", [1280, 1400])
def test_stale_badge_stays_in_the_health_column(page, live_server, org, width):
    earlier = factories.period("2026-Q2", date(2026, 4, 1), date(2026, 6, 30), status="closed")
    con = org.contracts["WH", "LOG"]
    db.session.add(Rating(contract_id=con.id, period_id=earlier.id, respondent_key="a", health=45.0))
    db.session.commit()
    login(page, live_server.url, "coo@test.local")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + f"/dashboard/contracts/{con.id}?period=2026-Q3")
    figures = page.locator("dl.dash-figures > div")
    health, delta = figures.nth(0), figures.nth(1)
    badge = health.locator(".badge", has_text="stale")
    shot(page, f"agreement_stale_{width}")
    badge_box, delta_box = badge.bounding_box(), delta.locator("dd").bounding_box()
    assert badge_box["x"] + badge_box["width"] <= health.bounding_box()["x"] + health.bounding_box()["width"] + 1
    assert badge_box["x"] + badge_box["width"] <= delta_box["x"] or badge_box["y"] >= delta_box["y"] + delta_box["height"]
