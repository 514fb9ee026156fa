"""The COO's journey: the dashboard graph of the period, then the top weak link's agreement page."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tracker.extensions import db
from tracker.models import Rating

from .. import factories
from .conftest import login, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def rated(org):
    """The worked example with one rating per rated contract carrying the example's health."""
    for sup, cus, health, _crit in factories.WORKED_EXAMPLE:
        if health is not None:
            db.session.add(Rating(contract_id=org.contracts[(sup, cus)].id, period_id=org.period.id,
                                  respondent_key=f"head.{cus.lower()}@test.local", health=float(health)))
    db.session.commit()
    return org


def test_coo_opens_graph_and_follows_top_weak_link(page, live_server, rated):
    wh_log = rated.contracts[("WH", "LOG")].id
    login(page, live_server.url, "coo@test.local")
    expect(page).to_have_url(live_server.url + "/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard — 2026-Q3")

    # The graph is drawn and sized to its picture.
    graph = page.locator("object.dash-graph")
    expect(graph).to_be_visible()
    page.wait_for_function("() => { const o = document.querySelector('object.dash-graph');"
                           " return o.contentDocument && o.contentDocument.querySelector('svg'); }")
    box = graph.bounding_box()
    assert box["width"] > 300 and box["height"] > 150, box
    frame = next(f for f in page.frames if "/dashboard/graph.svg" in f.url)
    # Text is drawn as paths; every department and link carries a <title> tooltip and a link.
    tooltips = " | ".join(frame.locator("title").all_text_contents())
    for code in ("PROC", "WH", "LOG", "IT", "HR", "FIN", "SALES", "MKT"):
        assert code in tooltips, code
    hrefs = frame.evaluate("() => Array.from(document.querySelectorAll('a'), a => a.href.baseVal)")
    assert any(f"/dashboard/contracts/{wh_log}" in h for h in hrefs), hrefs

    # The weak links table, in the order of PRODUCT.md; the first is WH → LOG, critical.
    rows = page.get_by_role("table", name="Weak links by risk, highest first").locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text("WH → LOG")
    expect(rows.nth(0)).to_contain_text("critical")
    expect(rows.nth(0)).to_contain_text("450")
    expect(rows.nth(1)).to_contain_text("IT → SALES")
    shot(page, "coo_dashboard")

    with page.expect_navigation():
        rows.nth(0).get_by_role("link", name="WH → LOG").click()
    expect(page).to_have_url(re.compile(rf"/dashboard/contracts/{wh_log}\?period=2026-Q3$"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("WH")
    expect(heading).to_contain_text("LOG")
    expect(heading).to_contain_text("WH service for LOG")
    expect(page.get_by_text("weak link #1")).to_be_visible()
    shot(page, "coo_contract_wh_log")

    # A link inside the graph opens its page in the whole window, not inside the picture.
    page.go_back()
    page.wait_for_function("() => { const o = document.querySelector('object.dash-graph');"
                           " return o.contentDocument && o.contentDocument.querySelector('svg'); }")
    frame = next(f for f in page.frames if "/dashboard/graph.svg" in f.url)
    # Click the arrowhead of the top weak link (the group whose tooltip says "weak link #1").
    gid = frame.evaluate("""() => Array.from(document.querySelectorAll('g[id^="link-"]')).find(g =>
        /^link-\\d+$/.test(g.id) && (g.querySelector('title')?.textContent || '').includes('weak link #1')).id""")
    arrowhead = frame.locator(f"g#{gid}-head a")
    expect(arrowhead).to_have_count(1)
    with page.expect_navigation():
        arrowhead.click()
    expect(page).to_have_url(re.compile(rf"/dashboard/contracts/{wh_log}\b"))
