"""One band rule: on the demo, in every period, the graph's colour of every link is the table's band.

The static drawing (SVG) colours one arrow per supplier → customer pair, the interactive graph
(``graph.json``) one edge per agreement; both must agree with the weak-links table, the
agreement page and the analysis, which band each agreement by its own target and floor.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from tracker import analysis
from tracker.formatting import rounded
from tracker.dashboard import queries
from tracker.demo.builder import build_demo
from tracker.extensions import db
from tracker.models import Contract, Department
from tracker.services.analysis import known_periods, period_analysis

SVG = "{http://www.w3.org/2000/svg}"
COLOUR_BAND = {line: name for name, (line, _fill) in analysis.BAND_COLOURS.items()}


@pytest.fixture
def demo(app):
    build_demo("en")
    db.session.commit()
    return app


def _svg_link_bands(svg: bytes) -> dict[tuple[str, str], str]:
    """``{(supplier, customer): band}`` read from the stroke colour of each drawn link."""
    root = ET.fromstring(svg)
    result = {}
    for group in root.iter(f"{SVG}g"):
        if not re.fullmatch(r"link-\d+", group.get("id") or ""):
            continue
        title = next(group.iter(f"{SVG}title")).text
        pair = re.match(r"(\S+) → (\S+) ", title).groups()
        stroke = re.search(r"stroke: (#[0-9a-f]{6})", ET.tostring(group, encoding="unicode")).group(1)
        result[pair] = COLOUR_BAND[stroke]
    return result


def test_graph_colour_of_every_link_equals_the_table_band_in_every_period(demo, client, auth):
    auth.login("coo@demo.local", "demo")
    periods = known_periods()
    assert len(periods) >= 3
    checked = 0
    for period in periods:
        pa = period_analysis(period)
        table = {}  # contract id -> band as the tables print it
        for cid in pa.contracts:
            row = queries.link_row(pa, cid)
            table[cid] = row.health.band
            # the band and the analysis' severity are one rule
            assert {"warn": "warning", "bad": "critical"}.get(row.health.band) == (
                row.severity if row.health.value is not None else None), (period.label, cid)
        data = client.get(f"/dashboard/graph.json?period={period.label}").get_json()
        edges = {e["contract"]: e for e in data["edges"]}
        assert set(edges) == set(table)
        for cid, b in table.items():
            assert edges[cid]["band"] == b, (period.label, cid, edges[cid])
        svg = client.get(f"/dashboard/graph.svg?period={period.label}").data
        drawn = _svg_link_bands(svg)
        pairs: dict[tuple[str, str], list[str]] = {}
        for cid, cf in pa.contracts.items():
            pairs.setdefault((cf.contract.supplier, cf.contract.customer), []).append(table[cid])
        assert set(drawn) == set(pairs), period.label
        for pair, bands in pairs.items():
            assert drawn[pair] == analysis.worst(bands), (period.label, pair, bands)
            if len(bands) == 1:
                checked += 1
        # every weak link of the table is drawn amber or red, never green
        for w in pa.weak_links:
            assert edges[w.contract.id]["band"] in ("warn", "bad"), (period.label, w.contract.id)
    assert checked > 40


def test_qa_to_prod_below_its_own_target_is_warning_everywhere(demo, client, auth):
    """QA → PROD at 83.3 against its own target 85 is "warning" in the table, the JSON and the drawing
    (it was drawn green: the drawing banded it by the organization's target 75)."""
    auth.login("coo@demo.local", "demo")
    qa = db.session.scalar(db.select(Department).filter_by(code="QA"))
    prod = db.session.scalar(db.select(Department).filter_by(code="PROD"))
    contract = db.session.scalar(db.select(Contract).filter_by(supplier_id=qa.id, customer_id=prod.id))
    found = 0
    for period in known_periods():
        pa = period_analysis(period)
        cf = pa.contracts.get(contract.id)
        if cf is None or cf.health is None or not (cf.target > cf.health >= 75):
            continue
        found += 1
        assert queries.link_row(pa, contract.id).health.band == "warn"
        edge = next(e for e in client.get(f"/dashboard/graph.json?period={period.label}").get_json()["edges"]
                    if e["contract"] == contract.id)
        assert edge["band"] == "warn"
        assert _svg_link_bands(client.get(f"/dashboard/graph.svg?period={period.label}").data)["QA", "PROD"] == "warn"
        page = client.get(f"/dashboard/contracts/{contract.id}?period={period.label}").get_data(as_text=True)
        assert "health-warn" in page
    assert found >= 1


def test_a_link_that_went_silent_shows_its_last_known_health_everywhere(demo, client, auth):
    """IT → SALES (critical, last rated 31.3 in 2026-Q2) leaves the weak links for the blind spots
    when its customer stops rating: it heads the blind spots with its last known health, on the
    dashboard, the agreement page and the graph data, drawn neither fresh nor stale."""
    auth.login("coo@demo.local", "demo")
    silent = None
    for period in known_periods():
        pa = period_analysis(period)
        for b in pa.blind_spots:
            if (b.contract.supplier, b.contract.customer) == ("IT", "SALES") and b.last_health is not None:
                silent = period, pa, b
    assert silent is not None
    period, pa, spot = silent
    assert spot.last_period < period.label and spot.last_health < pa.contracts[spot.contract.id].floor
    assert pa.blind_spots[0] == spot  # the highest last known risk first
    shown = f"{rounded(spot.last_health, 1):g} in {spot.last_period}"
    page = client.get(f"/dashboard/?period={period.label}").get_data(as_text=True)
    blind_table = page[page.index('id="blind-heading"'):page.index('id="cut-heading"')]
    assert shown in blind_table
    contract_page = client.get(f"/dashboard/contracts/{spot.contract.id}?period={period.label}").get_data(as_text=True)
    assert shown in contract_page
    edge = next(e for e in client.get(f"/dashboard/graph.json?period={period.label}").get_json()["edges"]
                if e["contract"] == spot.contract.id)
    assert edge["state"] == "silent" and edge["last_health"] == spot.last_health and edge["blind"]
    assert edge["last_band"] == "bad" and edge["band"] == "none"
    svg = client.get(f"/dashboard/graph.svg?period={period.label}").get_data(as_text=True)
    assert f"last known {shown.replace(' in ', ', ')}" in svg or shown in svg


def test_same_data_gives_the_same_svg_bytes_and_one_shared_cache_file(demo, client, auth, app):
    auth.login("coo@demo.local", "demo")
    label = known_periods()[-1].label
    first = client.get(f"/dashboard/graph.svg?period={label}").data
    files = list((__import__("pathlib").Path(app.config["CHART_CACHE_DIR"])).glob("graph-*.svg"))
    assert len(files) == 1
    files[0].unlink()  # draw again: the bytes must not depend on the drawing's random ids
    second = client.get(f"/dashboard/graph.svg?period={label}").data
    assert first == second


def test_a_new_rating_makes_the_cached_drawing_stale(org, client, auth, app):
    """The drawing is cached under the data version: a committed rating is drawn at once."""
    from pathlib import Path

    from tests.test_analysis_service import seed_worked_example_ratings
    from tracker.models import Rating

    seed_worked_example_ratings(org)
    db.session.commit()
    auth.login("coo@test.local", "pw")
    before = client.get("/dashboard/graph.svg").data
    assert client.get("/dashboard/graph.svg").data == before
    assert len(list(Path(app.config["CHART_CACHE_DIR"]).glob("graph-*.svg"))) == 1
    rating = db.session.scalar(db.select(Rating).where(Rating.contract_id == org.contracts["WH", "LOG"].id))
    rating.health = 95.0
    db.session.commit()
    after = client.get("/dashboard/graph.svg").data
    assert after != before
    assert _svg_link_bands(after)["WH", "LOG"] == "good" and _svg_link_bands(before)["WH", "LOG"] == "bad"
    assert len(list(Path(app.config["CHART_CACHE_DIR"]).glob("graph-*.svg"))) == 2
