"""The COO explores the interactive graph of the demo: search, focus, weak links only, the top
weak link's reach. Assertions read Cytoscape's own state (classes of elements) through
``window.trackerGraph``; a screenshot of each step lands in test-output/screenshots/."""
from __future__ import annotations

import networkx as nx
import pytest
from playwright.sync_api import expect

from tracker.demo.builder import build_demo
from tracker.extensions import db
from tracker.services.analysis import current_period, period_analysis

from .conftest import login, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app):
    build_demo("en")
    db.session.commit()
    return app


def _ready(page) -> None:
    page.wait_for_function("() => document.getElementById('graph-explorer').dataset.ready === '1'"
                           " && window.trackerGraph")


def test_coo_searches_focuses_filters_and_sees_the_top_weak_links_reach(page, live_server, demo):
    pa = period_analysis(current_period())
    top = pa.weak_links[0]
    page.set_viewport_size({"width": 1400, "height": 900})
    login(page, live_server.url, "coo@demo.local", "demo")
    page.goto(live_server.url + "/dashboard/")
    with page.expect_navigation():
        page.get_by_role("link", name="Explore the graph").click()
    _ready(page)
    state = page.evaluate("() => ({nodes: trackerGraph.cy.nodes().length, edges: trackerGraph.cy.edges().length,"
                          " grouped: trackerGraph.state.grouped})")
    # the demo is small: every department and agreement is drawn, ungrouped
    linked = {code for cf in pa.contracts.values() for code in (cf.contract.supplier, cf.contract.customer)}
    drawn = [d for d in pa.departments.values() if d.kind == "external" or d.code in linked]
    assert state == {"nodes": len(drawn), "edges": len(pa.contracts), "grouped": False}
    # the weak links carry their rank and health, and are drawn on top of the healthy ones
    label = page.evaluate(f"() => trackerGraph.cy.getElementById('c{top.contract.id}').data('label')")
    assert label.startswith("#1 · ")
    shot(page, "graph_1_opened")

    # 1. search a department by name and focus it
    supplier = top.contract.supplier
    name = pa.departments[supplier].name
    page.get_by_label("Find a department").fill(name)
    page.get_by_role("button", name="Find", exact=True).click()
    page.wait_for_function(f"() => trackerGraph.cy.getElementById('{supplier}').hasClass('picked')")
    focus = page.evaluate(f"""() => {{
        const cy = trackerGraph.cy, n = cy.getElementById('{supplier}');
        return {{faded: cy.nodes('.faded').map(x => x.id()), kept: cy.nodes('.chain').map(x => x.id()),
                 up: n.incomers().nodes().map(x => x.id()), down: n.outgoers().nodes().map(x => x.id())}};
    }}""")
    for code in focus["up"] + focus["down"]:
        assert code in focus["kept"], code
    assert focus["faded"], "the rest of the graph is faded"
    expect(page.locator("#graph-details-body")).to_contain_text(name)
    shot(page, "graph_2_focused")

    # 2. weak links only: healthy links and the departments left without any disappear
    page.get_by_label("Weak links only").check()
    _ready(page)
    shown = page.evaluate("() => trackerGraph.cy.edges().map(e => e.id())")
    assert sorted(shown) == sorted(f"c{w.contract.id}" for w in pa.weak_links)
    isolated = page.evaluate("() => trackerGraph.cy.nodes().filter(n => n.degree() === 0).length")
    assert isolated == 0
    shot(page, "graph_3_weak_only")

    # 3. select the top weak link: its reach and its path to the customer light up
    edge = f"c{top.contract.id}"
    box = page.locator("#graph-canvas").bounding_box()
    pos = page.evaluate(f"() => trackerGraph.cy.getElementById('{edge}').renderedMidpoint()")
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
    page.wait_for_function(f"() => trackerGraph.cy.getElementById('{edge}').hasClass('picked')")
    lit = page.evaluate("""() => ({reach: trackerGraph.cy.nodes('.reach').map(n => n.id()),
                                    path: trackerGraph.cy.nodes('.path').map(n => n.id()),
                                    faded: trackerGraph.cy.elements('.faded').length})""")
    expected_reach = nx.ancestors(pa.graph, supplier) | {supplier}
    shown_nodes = set(page.evaluate("() => trackerGraph.cy.nodes().map(n => n.id())"))
    assert set(lit["reach"]) == expected_reach & shown_nodes
    assert any(pa.departments[c].kind == "external" for c in lit["path"]), lit["path"]
    expect(page.locator("#graph-details-body")).to_contain_text("Reach")
    # the hover tooltip names health, target, criticality, reach and risk
    page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"] + 1)
    tip = page.locator("#graph-tooltip")
    expect(tip).to_be_visible()
    for word in ("health", "target", "criticality", "reach", "risk"):
        expect(tip).to_contain_text(word)
    shot(page, "graph_4_top_weak_link")


def test_graph_groups_by_division_on_request_and_a_division_opens_on_click(page, live_server, demo):
    login(page, live_server.url, "coo@demo.local", "demo")
    page.goto(live_server.url + "/dashboard/graph")
    _ready(page)
    page.get_by_label("Group by division").check()
    _ready(page)
    closed = page.evaluate("() => trackerGraph.cy.nodes('.division.closed').map(n => n.id())")
    assert closed, "the demo's departments have divisions"
    aggregated = page.evaluate("() => trackerGraph.cy.edges('.aggregate').map(e => e.data())")
    assert aggregated and all(e["count"] >= 1 and e["band"] in ("good", "warn", "bad", "none") for e in aggregated)
    # a division opens on click
    box = page.locator("#graph-canvas").bounding_box()
    pos = page.evaluate(f"() => trackerGraph.cy.getElementById('{closed[0]}').renderedPosition()")
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
    page.wait_for_function(f"() => trackerGraph.cy.getElementById('{closed[0]}').hasClass('open')")
    shot(page, "graph_5_grouped")
