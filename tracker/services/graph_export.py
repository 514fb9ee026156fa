"""A period's dependency graph as GraphML or GEXF, with every attribute, for Gephi or yEd.

One node per department (by code), one edge per contract (a ``MultiDiGraph`` keyed by
contract id, so two services between the same departments stay two edges). Values
that are None are left out: GraphML and GEXF have no null. NetworkX writes the XML and
escapes the text.
"""
from __future__ import annotations

import io

import networkx as nx

from ..analysis import BAND_COLOURS, PeriodAnalysis, figure_band
from ..text import printable

__all__ = ["FORMATS", "NODE_ATTRIBUTES", "EDGE_ATTRIBUTES", "export_graph", "period_graph"]

NODE_ATTRIBUTES = ("code", "name", "kind", "chain_strength", "cut_off", "dominates", "relies_on_unrated")
EDGE_ATTRIBUTES = ("contract", "supplier", "customer", "service", "health", "stale", "criticality", "reach",
                   "risk", "severity", "band", "colour", "last_health", "last_period")

#: format name -> (media type, file extension)
FORMATS = {
    "graphml": ("application/graphml+xml", "graphml"),
    "gexf": ("application/gexf+xml", "gexf"),
}


def period_graph(result: PeriodAnalysis) -> nx.MultiDiGraph:
    """Return the graph of an analysed period with its figures as attributes.

    Parameters
    ----------
    result : PeriodAnalysis
        What :func:`tracker.analysis.analyze` returned.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes: department codes with ``code, name, kind, chain_strength`` (points
        0–100), ``cut_off, dominates, relies_on_unrated``. Edges supplier → customer keyed
        by contract id, with ``contract, supplier, customer, service, health`` (points
        0–100), ``stale, criticality`` (1–3), ``reach, risk, severity`` (only on a
        weak link: below target with reach > 0), ``band`` and ``colour`` (the one band
        rule, :func:`tracker.analysis.band`, as the tables and the graph draw it; CSS hex),
        ``last_health, last_period`` (a silent link's last known health). None values are omitted; control
        characters XML cannot carry are dropped from text.
    """
    G = nx.MultiDiGraph(period=_text(result.period), target=float(result.target), floor=float(result.floor))
    for code in sorted(result.departments):
        dep = result.departments[code]
        G.add_node(_text(code), **_present({
            "code": _text(dep.code),
            "name": _text(dep.name),
            "kind": dep.kind,
            "chain_strength": _float(dep.chain_strength),
            "cut_off": bool(dep.cut_off),
            "dominates": int(dep.dominates),
            "relies_on_unrated": bool(dep.relies_on_unrated),
        }))
    for cid in sorted(result.contracts):
        figures = result.contracts[cid]
        con = figures.contract
        G.add_edge(_text(con.supplier), _text(con.customer), key=cid, **_present({
            "contract": int(cid),
            "supplier": _text(con.supplier),
            "customer": _text(con.customer),
            "service": _text(con.service),
            "health": _float(figures.health),
            "stale": bool(figures.stale),
            "criticality": int(con.criticality),
            "reach": int(figures.reach),
            "risk": _float(figures.risk),
            # Only a weak link (below target *and* reach > 0) has a severity, as in the analysis JSON.
            "severity": figures.severity if figures.weak else None,
            "band": figure_band(figures),
            "colour": BAND_COLOURS[figure_band(figures)][0],
            "last_health": _float(figures.last_health),
            "last_period": _text(figures.last_period) if figures.last_period else None,
        }))
    return G


def export_graph(G: nx.MultiDiGraph, fmt: str) -> bytes:
    """Serialize ``G`` as ``"graphml"`` or ``"gexf"`` (UTF-8 XML bytes).

    Raises
    ------
    ValueError
        ``fmt`` is neither graphml nor gexf.
    """
    buffer = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(G, buffer, encoding="utf-8")
    elif fmt == "gexf":
        nx.write_gexf(G, buffer, encoding="utf-8")
    else:
        raise ValueError(f"unknown graph format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return buffer.getvalue()


def _float(value) -> float | None:
    # One type per attribute: a health of exactly 80 must not come out as an int in one row.
    return None if value is None else float(value)


def _text(value: str | None) -> str | None:
    # Input refuses control characters; data stored before that rule is cleaned here (tracker.text).
    return None if value is None else printable(value)


def _present(values: dict) -> dict:
    return {k: v for k, v in values.items() if v is not None}
