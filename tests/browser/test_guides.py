"""The screenshots the user guides in docs/ embed, taken from the demo company in a real browser.

Every run writes them to ``test-output/screenshots/guide/``; with ``UPDATE_DOCS_SCREENSHOTS=1``
they are also written to ``docs/img/`` (so CI never dirties the tree). Each step asserts what
the guide says about it, so a guide whose picture no longer matches the page fails here.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tracker.demo.builder import build_demo
from tracker.extensions import db

from .conftest import SCREENSHOTS, login, logout

pytestmark = pytest.mark.browser

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
GUIDE_SHOTS = SCREENSHOTS / "guide"
MAX_BYTES = 300_000  # the README stays light to clone and to open


@pytest.fixture
def demo(app):
    build_demo("en")
    db.session.commit()
    return app


def _save(target, name: str, **options) -> None:
    """Screenshot a page (its viewport) or an element into the guide folder, and into docs/img/ on request."""
    GUIDE_SHOTS.mkdir(parents=True, exist_ok=True)
    path = GUIDE_SHOTS / name
    target.screenshot(path=str(path), **options)
    assert path.stat().st_size < MAX_BYTES, f"{name} is {path.stat().st_size} bytes; the guides keep images under {MAX_BYTES}"
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_IMG / name)


def test_guide_screenshots_of_rating_and_of_the_dashboard(demo, page, live_server):
    page.set_viewport_size({"width": 1280, "height": 800})

    # The department head: the list of suppliers with the progress, then one agreement's form.
    login(page, live_server.url, "head.wh@demo.local", "demo")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Rate your suppliers — 2026-Q4: \d of \d+ done"))
    expect(page.get_by_role("link", name="Rate several in one sitting")).to_be_visible()
    _save(page, "head-rate-list.png")

    with page.expect_navigation():
        page.locator("main table").get_by_role("link", name=re.compile(r"^Rate ")).first.click()
    expect(page).to_have_url(re.compile(r"/rate/\d+$"))
    expect(page.get_by_text("Score each criterion from 1 (poor) to 5 (excellent), or N/A.")).to_be_visible()
    _save(page.locator("main"), "head-rate-form.png")

    # A low score without a comment: the form says why and keeps the answers.
    page.get_by_role("group", name="Quality").get_by_label("2", exact=True).check()
    page.get_by_role("group", name="Timeliness").get_by_label("4", exact=True).check()
    page.get_by_role("group", name="Communication").get_by_label("3", exact=True).check()
    page.get_by_role("group", name="Value for money").get_by_label("N/A", exact=True).check()
    page.get_by_role("group", name="Was the agreed standard met?").get_by_label("partly", exact=True).check()
    page.get_by_role("group", name=re.compile("How likely")).get_by_label("6", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save rating").click()
    error = page.locator("#comment-errors")
    expect(error).to_contain_text("Please add a comment: it is required when a criterion is scored 1 or 2")
    expect(page.get_by_role("group", name="Quality").get_by_label("2", exact=True)).to_be_checked()
    error.scroll_into_view_if_needed()
    _save(page.locator("form.rate-form"), "head-rate-comment-required.png")
    logout(page)

    # The COO: the top of the dashboard, the weak links, the side tables, one agreement.
    login(page, live_server.url, "coo@demo.local", "demo")
    page.goto(live_server.url + "/dashboard/")
    expect(page.locator("#headline")).to_contain_text("Most threatening link")
    _save(page, "coo-dashboard.png")

    weak = page.locator("section[aria-labelledby=weak-heading]")
    expect(weak.locator("tbody tr").first).to_contain_text("critical")
    _save(weak, "coo-weak-links.png")

    side = page.locator("#blind-heading").locator("xpath=ancestor::div[contains(@class,'row')][1]")
    expect(side).to_contain_text("Single points of failure")
    _save(side, "coo-side-tables.png")

    with page.expect_navigation():
        weak.locator("tbody tr").first.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Agreement:")
    _save(page, "coo-agreement.png", full_page=True)
