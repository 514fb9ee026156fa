"""The dependency graph as plain data: what the interactive graph, the static drawing and the
tests read, built from one period's analysis so that the graph never contradicts the tables.

Every colour is a band from :func:`tracker.analysis.band` with the agreement's own target and
floor; the weak-link ranks, reach and risk are those of :func:`tracker.analysis.analyze`.
"""
from __future__ import annotations

from collections import defaultdict

from tracker.analysis.bands import BAND_COLOURS, NONE, band, figure_band, worst
from tracker.analysis.period import PeriodAnalysis
from tracker.analysis.records import EXTERNAL

__all__ = ["compare_graph_view", "FRESH", "STALE", "SILENT", "UNRATED", "link_state", "graph_view"]

#: How a link's figure is known: rated in the period; carried over from one of the two
#: periods before (stale); unrated now but rated before (silent, last known health shown);
#: never rated.
FRESH, STALE, SILENT, UNRATED = "fresh", "stale", "silent", "unrated"


def link_state(cf) -> str:
    """``fresh``, ``stale``, ``silent`` or ``unrated`` for a contract's figures (``ContractFigures``)."""
    if cf.health is not None:
        return STALE if cf.stale else FRESH
    return SILENT if cf.last_health is not None else UNRATED


def graph_view(pa: PeriodAnalysis, divisions: dict[str, tuple[str, str]] | None = None) -> dict:
    """The graph of ``pa`` as JSON-ready data.

    Parameters
    ----------
    pa : PeriodAnalysis
    divisions : dict, optional
        ``{department code: (division code, division name)}``, the parent of each department
        in the organization; departments not in it belong to no division.

    Returns
    -------
    dict
        ``{"period", "target", "floor", "nodes", "edges", "divisions", "overlays"}``.
        ``nodes``: the internal departments that are a party to an agreement and every
        external customer, by code: ``id`` (the code), ``name``, ``kind``, ``division``,
        ``strength`` (chain strength, points, or None) and ``strength_band``, ``own_band``
        (the worst band of the agreements it supplies: its own links), ``bottleneck``
        (contract id or None), ``relies_on_unrated``, ``cut_off``, ``dominates``.
        ``edges``: one per agreement: ``id`` (``"c<contract id>"``), ``contract``, ``source``
        (supplier), ``target`` (customer), ``service``, ``criticality`` 1–3, ``health``
        (points or None), ``state`` (see :func:`link_state`), ``period`` (where the health
        comes from), ``band``, ``health_target``, ``health_floor``, ``reach``, ``risk``,
        ``severity``, ``rank`` (weak-link rank or None), ``blind`` (a blind spot),
        ``last_health``, ``last_period``, ``last_band``, ``last_risk``.
        ``divisions``: ``[{"id", "name"}]`` of the divisions named. ``bands``: ``{band:
        {"line", "fill"}}`` CSS colours, so that a browser draws what the tables say. ``overlays``: extra edge
        sets drawn over the agreements, each ``{"name", "class", "edges": [...]}`` (edges as
        above, at least ``id``, ``source``, ``target``); empty here, for other layers to add.
    """
    divisions = divisions or {}
    rank_of = {w.contract.id: w.rank for w in pa.weak_links}
    linked = {code for cf in pa.contracts.values() for code in (cf.contract.supplier, cf.contract.customer)}
    own: dict[str, list[str]] = defaultdict(list)
    edges = []
    for cid, cf in sorted(pa.contracts.items()):
        con = cf.contract
        own[con.supplier].append(figure_band(cf))
        edges.append({
            "id": f"c{cid}", "contract": cid, "source": con.supplier, "target": con.customer,
            "service": con.service, "criticality": con.criticality,
            "health": cf.health, "state": link_state(cf), "period": cf.source_period, "band": figure_band(cf),
            "health_target": cf.target, "health_floor": cf.floor, "reach": cf.reach, "risk": cf.risk,
            "severity": cf.severity, "rank": rank_of.get(cid), "blind": cf.blind_spot,
            "last_health": cf.last_health, "last_period": cf.last_period,
            "last_band": band(cf.last_health, cf.target, cf.floor), "last_risk": cf.last_risk,
        })
    nodes = []
    named = {}
    for code, d in sorted(pa.departments.items()):
        if code not in linked and d.kind != EXTERNAL:
            continue
        division = divisions.get(code)
        if division is not None:
            named[division[0]] = division[1]
        nodes.append({
            "id": code, "name": d.name, "kind": d.kind, "division": division[0] if division else None,
            "strength": d.chain_strength, "strength_band": band(d.chain_strength, pa.target, pa.floor)
            if d.kind != EXTERNAL else NONE,
            "own_band": worst(own.get(code, ())), "bottleneck": d.bottleneck,
            "relies_on_unrated": d.relies_on_unrated, "cut_off": d.cut_off, "dominates": d.dominates,
        })
    return {
        "period": pa.period, "target": pa.target, "floor": pa.floor, "nodes": nodes, "edges": edges,
        "divisions": [{"id": code, "name": name} for code, name in sorted(named.items())],
        "bands": {name: {"line": line, "fill": fill} for name, (line, fill) in BAND_COLOURS.items()},
        "overlays": [],
    }


def compare_graph_view(a: PeriodAnalysis, b: PeriodAnalysis, comparison,
                       divisions: dict[str, tuple[str, str]] | None = None) -> dict:
    """The graph of the later period ``b`` (:func:`graph_view`) with each link's change since ``a``.

    ``comparison`` is :func:`tracker.analysis.compare.compare_periods` of ``a`` and ``b`` (all rows),
    so the graph and the compare tables tell the same story. Every edge gains ``change_kind``
    (see :func:`tracker.analysis.compare.link_change_kinds`), ``change`` (points or None),
    ``change_band`` (the band it is drawn in) and ``before`` (health in ``a``); every node
    ``strength_before``, ``strength_change`` and ``moved`` (among the
    :data:`~tracker.analysis.compare.MOVERS_MARKED` biggest chain-strength changes, zero excluded).
    ``compare`` holds ``{"before", "after", "counts": {kind: links}}``.
    """
    from tracker.analysis.compare import CHANGE_BAND, CHANGE_KINDS, MOVERS_MARKED, link_change_kinds

    view = graph_view(b, divisions)
    kinds = link_change_kinds(comparison, [e["contract"] for e in view["edges"]])
    counts = dict.fromkeys(CHANGE_KINDS, 0)
    for e in view["edges"]:
        kind, change = kinds[e["contract"]]
        old = a.contracts.get(e["contract"])
        e.update(change_kind=kind, change=change, change_band=CHANGE_BAND[kind],
                 before=None if old is None else old.health)
        counts[kind] += 1
    by_code = {d.code: d for d in comparison.departments}
    moved = {d.code for d in comparison.departments if d.change}
    moved = {d.code for d in comparison.departments[:MOVERS_MARKED] if d.code in moved}
    for n in view["nodes"]:
        d = by_code.get(n["id"])
        n.update(strength_before=None if d is None else d.before, strength_change=None if d is None else d.change,
                 moved=n["id"] in moved)
    view["compare"] = {"before": a.period, "after": b.period, "counts": counts}
    return view
