"""A member's rate page hides the open period's figures of an agreement before they rate it (issue 17)."""
from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from tests import factories
from tracker.extensions import db
from tracker.models import ContractRespondent, Rating

from .conftest import login, shot
from .test_rate_journeys import fill_rating

pytestmark = pytest.mark.browser


def test_member_page_hides_the_open_period_until_they_rate(page, live_server, org):
    earlier = factories.period("2026-Q2", date(2026, 4, 1), date(2026, 6, 30), status="closed")
    con = org.contracts["HR", "IT"]
    db.session.add_all([
        Rating(contract_id=con.id, period_id=earlier.id, respondent_key="old@test.local", health=60.0),
        # The head rated minutes ago: 25.0 in the open period.
        Rating(contract_id=con.id, period_id=org.period.id, respondent_key="head.it@test.local",
               respondent_id=org.heads["IT"].id, health=25.0),
        ContractRespondent(contract_id=con.id, user_id=org.users["member"].id),
    ])
    db.session.commit()

    login(page, live_server.url, "member.it@test.local")
    row = page.locator("tbody tr", has_text="HR")
    expect(row).to_contain_text("60.0")
    expect(row).to_contain_text("from an earlier period")
    expect(row).not_to_contain_text("25.0")
    expect(page.locator("#figures-hidden")).to_be_visible()
    shot(page, "member_rate_figures_hidden")

    row.get_by_role("link", name="Rate").click()
    fill_rating(page, (5, 5, 5, 5), 10)
    with page.expect_navigation():
        page.get_by_role("button", name="Save").first.click()
    row = page.locator("tbody tr", has_text="HR")
    expect(row).to_contain_text("62.5")  # the head's 25.0 and the member's 100.0
    expect(row).not_to_contain_text("from an earlier period")
    expect(page.locator("#figures-hidden")).to_have_count(0)
    shot(page, "member_rate_figures_shown")
