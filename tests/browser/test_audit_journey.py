"""The COO reads the audit log in a real browser: agreements and people by name, rounded figures, filters."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tracker.extensions import db
from tracker.services import ratings

from .conftest import login, shot

pytestmark = pytest.mark.browser


def _rate(org, scores, **kw):
    head = org.heads["WH"]
    ratings.submit_ratings(org.period, [(org.contracts[("IT", "WH")], ratings.RatingInput(scores=scores, **kw))],
                           respondent_key=head.email, respondent_id=head.id, actor_id=head.id)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_coo_reads_a_rating_change_in_words_and_filters_by_who(page, live_server, org, lang):
    org.heads["WH"].name = "Vera Sklad"
    db.session.commit()
    _rate(org, {"quality": 3, "timeliness": 4, "communication": 3}, recommend=8)
    _rate(org, {"quality": 2, "timeliness": 4, "communication": 3}, recommend=8, comment="late twice")
    db.session.commit()
    page.set_viewport_size({"width": 1400, "height": 900})
    login(page, live_server.url, "coo@test.local")
    if lang == "ru":
        with page.expect_navigation():
            page.locator("form[action='/locale/ru'] [type=submit]").click()
    page.goto(live_server.url + "/audit/")

    rows = page.locator("table.audit-log tbody tr")
    rating_row = rows.filter(has_text="IT → WH").first
    expect(rating_row).to_contain_text("Vera Sklad")
    expect(rating_row).to_contain_text(org.period.label)
    expect(rating_row).to_contain_text("58,3" if lang == "ru" else "58.3")
    expect(page.locator("main")).not_to_contain_text("respondent_id")
    expect(page.locator("main")).not_to_contain_text("58.333")

    # who: only the head's entries are left
    page.locator("select#user").select_option(label="Vera Sklad (head.wh@test.local)")
    with page.expect_navigation():
        page.locator("main form[role=search] [type=submit]").click()
    expect(rows).to_have_count(2)
    expect(page.locator("#audit-count")).to_contain_text("2")
    shot(page, f"audit_log_filtered_{lang}")
