"""The API tokens page shows the header literally: "<token>" was swallowed as an HTML tag (issue 17)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tracker.extensions import db

from .conftest import login, shot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_tokens_page_shows_the_authorization_header(page, live_server, org, lang):
    org.heads["IT"].locale = lang
    db.session.commit()
    login(page, live_server.url, "head.it@test.local")
    page.goto(live_server.url + "/profile/tokens")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("#token-header")).to_have_text("Authorization: Bearer <token>")
    expect(page.locator("main")).not_to_contain_text("Bearer ”")
    shot(page, f"tokens_page_{lang}")
