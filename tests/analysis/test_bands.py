"""The one band rule and the graph as plain data (analysis/bands.py, analysis/view.py)."""
from __future__ import annotations

import pytest

from tracker.analysis import (
    Contract,
    Department,
    Rating,
    analyze,
    band,
    figure_band,
    graph_view,
    link_state,
    worst,
)


@pytest.mark.parametrize(("value", "target", "floor", "expected"), [
    (None, 75, 50, "none"), (75.0, 75, 50, "good"), (74.99, 75, 50, "warn"), (50.0, 75, 50, "warn"),
    (49.99, 75, 50, "bad"), (83.3, 85, 50, "warn"), (83.3, 75, 50, "good"), (60.0, 80, 65, "bad"),
])
def test_band_uses_the_target_and_floor_given(value, target, floor, expected):
    assert band(value, target, floor) == expected


def test_worst_band_ignores_unrated_unless_nothing_else():
    assert worst(["good", "none", "warn"]) == "warn"
    assert worst(["good", "bad"]) == "bad"
    assert worst(["none"]) == "none"
    assert worst([]) == "none"


def _org(ratings, periods=("Q1", "Q2", "Q3", "Q4")):
    deps = [Department("QA", "QA", "internal"), Department("PROD", "Production", "internal"),
            Department("IT", "IT", "internal"), Department("EXT", "Clients", "external")]
    cons = [Contract(1, "QA", "PROD", "testing", 3, target=85.0), Contract(2, "PROD", "EXT", "goods", 3),
            Contract(3, "IT", "PROD", "support", 3)]
    return deps, cons, ratings, list(periods)


def test_own_target_decides_band_and_severity_alike():
    deps, cons, ratings, periods = _org([Rating(1, "Q1", 83.3), Rating(2, "Q1", 90.0), Rating(3, "Q1", 80.0)])
    pa = analyze(deps, cons, ratings, "Q1", periods)
    assert figure_band(pa.contracts[1]) == "warn" and pa.contracts[1].severity == "warning"
    assert figure_band(pa.contracts[3]) == "good" and pa.contracts[3].severity is None
    view = graph_view(pa)
    edges = {e["contract"]: e for e in view["edges"]}
    assert edges[1]["band"] == "warn" and edges[1]["health_target"] == 85.0 and edges[1]["rank"] == 1
    nodes = {n["id"]: n for n in view["nodes"]}
    # QA's own link is a warning; PROD's own link is good and its chain is good
    assert nodes["QA"]["own_band"] == "warn" and nodes["PROD"]["own_band"] == "good"
    assert nodes["EXT"]["kind"] == "external"
    assert view["overlays"] == [] and set(view["bands"]) == {"good", "warn", "bad", "none"}


def test_a_link_that_went_silent_keeps_its_last_known_health_and_leads_the_blind_spots():
    # IT -> PROD rated 31.25 in Q1 only: stale in Q2 and Q3, silent (a blind spot) in Q4
    deps, cons, ratings, periods = _org([Rating(3, "Q1", 31.25), Rating(2, "Q1", 90.0), Rating(2, "Q4", 90.0)])
    q3 = analyze(deps, cons, ratings, "Q3", periods)
    assert q3.contracts[3].stale and q3.contracts[3].health == 31.25 and link_state(q3.contracts[3]) == "stale"
    q4 = analyze(deps, cons, ratings, "Q4", periods)
    cf = q4.contracts[3]
    assert cf.health is None and not cf.stale  # the brief's rule: no longer health
    assert (cf.last_health, cf.last_period) == (31.25, "Q1")
    assert link_state(cf) == "silent" and link_state(q4.contracts[1]) == "unrated"
    # never rated QA -> PROD has the larger reach, but the silent critical link comes first
    assert [b.contract.id for b in q4.blind_spots] == [3, 1]
    assert q4.blind_spots[0].last_risk == (75 - 31.25) * 3 * 1
    data = q4.to_json()["blind_spots"]
    assert data[0]["last_health"] == 31.25 and data[0]["last_period"] == "Q1"
    assert "last_health" not in data[1]
    edge = next(e for e in graph_view(q4)["edges"] if e["contract"] == 3)
    assert edge["state"] == "silent" and edge["last_band"] == "bad" and edge["band"] == "none" and edge["blind"]
