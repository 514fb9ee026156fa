"""GraphML and GEXF exports of a period's graph: every attribute, and a faithful round trip."""
from __future__ import annotations

import io

import networkx as nx
import pytest

from tests import factories
from tracker.extensions import db
from tracker.models import Rating
from tracker.services.analysis import period_analysis
from tracker.services.graph_export import EDGE_ATTRIBUTES, NODE_ATTRIBUTES, export_graph, period_graph

from .conftest import bearer

READERS = {
    "graphml": lambda data: nx.read_graphml(io.BytesIO(data), force_multigraph=True),
    "gexf": lambda data: nx.read_gexf(io.BytesIO(data)),
}


def own_attributes(data: dict, names) -> dict:
    # GEXF adds its own ``label`` and ``id``; compare only the attributes the export writes.
    return {k: v for k, v in data.items() if k in names}


def test_period_graph_of_the_worked_example(rated_org):
    G = period_graph(period_analysis("2026-Q3"))
    assert isinstance(G, nx.MultiDiGraph)
    assert set(G) == set(rated_org.departments)
    assert G.number_of_edges() == len(factories.WORKED_EXAMPLE)
    assert G.nodes["FIN"] == {"code": "FIN", "name": "FIN", "kind": "internal", "chain_strength": 60.0,
                              "cut_off": False, "dominates": 0, "relies_on_unrated": True}
    # None is omitted: MKT has no chain strength, an external customer neither.
    assert "chain_strength" not in G.nodes["MKT"] and G.nodes["MKT"]["cut_off"] is True
    assert G.nodes["EXT"]["kind"] == "external" and "chain_strength" not in G.nodes["EXT"]
    assert G.nodes["LOG"]["dominates"] == 2
    wh_log = rated_org.contracts["WH", "LOG"].id
    assert G.edges["WH", "LOG", wh_log] == {
        "contract": wh_log, "supplier": "WH", "customer": "LOG", "service": "WH service for LOG", "health": 45.0,
        "stale": False, "criticality": 3, "reach": 5, "risk": 450.0, "severity": "critical",
        "band": "bad", "colour": "#c62828"}
    fin_hr = G.edges["FIN", "HR", rated_org.contracts["FIN", "HR"].id]
    assert "health" not in fin_hr and "risk" not in fin_hr and "severity" not in fin_hr
    assert fin_hr["reach"] == 2 and fin_hr["band"] == "none"
    assert "severity" not in G.edges["LOG", "EXT", rated_org.contracts["LOG", "EXT"].id]


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_export_round_trip_through_the_api(client, rated_org, token_for, fmt):
    response = client.get(f"/api/v1/analysis/2026-Q3/graph.{fmt}", headers=bearer(token_for("coo@test.local")))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="graph-2026-Q3.{fmt}"'
    expected = period_graph(period_analysis("2026-Q3"))
    H = READERS[fmt](response.data)

    assert set(H.nodes) == set(expected.nodes)
    for node, data in expected.nodes(data=True):
        assert own_attributes(H.nodes[node], NODE_ATTRIBUTES) == data, node
    # GEXF reads back a DiGraph when no two contracts join the same departments; the contract
    # attribute identifies each edge in both formats.
    assert sorted((u, v, d["contract"]) for u, v, d in H.edges(data=True)) == sorted(expected.edges(keys=True))
    for u, v, key, data in expected.edges(keys=True, data=True):
        found = [d for _, _, d in H.edges(data=True) if d["contract"] == key]
        assert len(found) == 1
        assert own_attributes(found[0], EDGE_ATTRIBUTES) == data, (u, v, key)
    if fmt == "graphml":
        assert sorted(H.edges(keys=True)) == sorted(expected.edges(keys=True))


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_parallel_contracts_and_awkward_text_survive(rated_org, fmt):
    deps = rated_org.departments
    deps["IT"].name = 'ИТ <&> "отдел"'
    second = factories.contract(deps["IT"], deps["WH"], "Ремонт & <сеть>", 3)
    db.session.add(Rating(contract=second, period=rated_org.period, respondent_key="x", health=30.0))
    db.session.commit()
    G = period_graph(period_analysis("2026-Q3"))
    H = READERS[fmt](export_graph(G, fmt))
    assert H.nodes["IT"]["name"] == 'ИТ <&> "отдел"'
    it_wh = {d["contract"]: d for _, _, d in H.edges(data=True) if (d["supplier"], d["customer"]) == ("IT", "WH")}
    assert set(it_wh) == {rated_org.contracts["IT", "WH"].id, second.id}
    assert it_wh[second.id]["service"] == "Ремонт & <сеть>"
    assert it_wh[second.id]["health"] == 30.0
    assert it_wh[rated_org.contracts["IT", "WH"].id]["health"] == 70.0


def test_unknown_format_is_refused(rated_org):
    with pytest.raises(ValueError, match="unknown graph format"):
        export_graph(nx.MultiDiGraph(), "dot")


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_severity_only_on_weak_links(rated_org, fmt):
    # IT -> MKT is below the floor (40) but MKT is cut off: reach 0, so not a weak link.
    result = period_analysis("2026-Q3")
    it_mkt = rated_org.contracts["IT", "MKT"].id
    assert result.contracts[it_mkt].reach == 0 and result.contracts[it_mkt].severity == "critical"
    H = READERS[fmt](export_graph(period_graph(result), fmt))
    edge = next(d for _, _, d in H.edges(data=True) if d["contract"] == it_mkt)
    assert edge["health"] == 40.0 and edge["reach"] == 0 and "severity" not in edge
    weak = next(d for _, _, d in H.edges(data=True) if d["contract"] == rated_org.contracts["WH", "LOG"].id)
    assert weak["severity"] == "critical"


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_control_characters_are_dropped_so_the_file_reads_back(rated_org, fmt):
    deps = rated_org.departments
    deps["IT"].name = "IT\x01 and\x1f ops\x0b"
    rated_org.contracts["IT", "WH"].service.name = "Net\x07work\trepair"
    db.session.commit()
    H = READERS[fmt](export_graph(period_graph(period_analysis("2026-Q3")), fmt))
    assert H.nodes["IT"]["name"] == "IT and ops"
    edge = next(d for _, _, d in H.edges(data=True) if d["contract"] == rated_org.contracts["IT", "WH"].id)
    assert edge["service"] == "Network\trepair"
