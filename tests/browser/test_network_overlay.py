"""The COO switches the informal network on over the dependency graph of the demo company."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tracker.demo.builder import build_demo

from .conftest import login, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app):
    """The demo company, with its informal-network sample."""
    return build_demo("en")


def test_coo_switches_the_informal_network_overlay_on(demo, page, live_server):
    login(page, live_server.url, "coo@demo.local", "demo")
    page.locator("#nav-more > summary").click()  # under "More": the bar keeps one row
    page.get_by_role("link", name="Informal network").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Informal network — 2026-Q4")
    shadow = page.locator("#shadow-table tbody tr")
    expect(shadow).to_have_count(2)
    expect(shadow.first).to_contain_text("DATA")
    expect(shadow.first).to_contain_text("ECOM")
    expect(page.locator("#dormant-table")).to_contain_text("SEC → ECOM")

    formal, overlay = page.locator("#formal-graph"), page.locator("#overlay-graph")
    expect(formal).to_be_visible()
    expect(overlay).to_be_hidden()
    switch = page.get_by_role("switch", name="Informal network")
    switch.check()
    expect(overlay).to_be_visible()
    expect(formal).to_be_hidden()
    summary = page.locator("#overlay-summary")
    expect(summary).to_contain_text("DATA → ECOM (4), LOG → ECOM (3)")
    expect(summary).to_contain_text("Dormant agreements (faded): 1")
    page.wait_for_function("() => { const o = document.getElementById('overlay-graph');"
                           " return o.contentDocument && o.contentDocument.querySelector('.informal-shadow'); }")
    drawn = page.evaluate("() => { const d = document.getElementById('overlay-graph').contentDocument;"
                          " return [d.querySelectorAll('g.informal-shadow').length,"
                          " d.querySelectorAll('g.informal-dormant').length,"
                          " [...d.querySelectorAll('g.informal-shadow title')].map(t => t.textContent)]; }")
    assert drawn[0] == 4 and drawn[1] == 2  # two shadow arrows and one dormant agreement, each with its head
    assert "Shadow service: DATA → ECOM, 4 informal ties" in drawn[2]
    assert overlay.bounding_box()["height"] > 200  # sized to its picture
    shot(page, "network_overlay_on")

    switch.uncheck()
    expect(formal).to_be_visible()
    expect(overlay).to_be_hidden()
