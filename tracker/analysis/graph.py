"""The dependency graph: departments as nodes, supplier -> customer links as edges."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping

import networkx as nx

from tracker.analysis.records import EXTERNAL, INTERNAL, Contract, Department

__all__ = ["build_graph", "customers", "reaching_customers", "internal_departments"]


def build_graph(
    departments: Iterable[Department], contracts: Iterable[Contract], health: Mapping[int, float | None]
) -> nx.DiGraph:
    """Return the dependency graph of an organization.

    Parameters
    ----------
    departments : Iterable[Department]
        Every department, internal and external.
    contracts : Iterable[Contract]
        The contracts to draw (usually those active in one period).
    health : Mapping[int, float or None]
        Contract id -> contract health, points 0-100, None (or absent) when
        unrated.

    Returns
    -------
    networkx.DiGraph
        Nodes are department codes with attributes ``kind`` and ``name``. One
        edge per (supplier, customer) pair that has contracts, with attributes

        - ``contracts``: the pair's contract ids, ascending;
        - ``health``: the link health, the lowest health among the rated
          contracts (every agreed service is needed), None when none is rated;
        - ``bottleneck_contract``: id of the contract setting the link
          health (the lowest id among ties), None when none is rated.

    Raises
    ------
    ValueError
        If a department code or contract id repeats, a kind is neither
        internal nor external, or a contract names an unknown department, links
        a department to itself, has an external supplier or a criticality
        other than 1, 2 or 3.

    Examples
    --------
    >>> deps = [Department("IT", "IT", "internal"), Department("EXT", "Clients", "external")]
    >>> cons = [Contract(1, "IT", "EXT", "portal", 3), Contract(2, "IT", "EXT", "support", 2)]
    >>> G = build_graph(deps, cons, {1: 80.0, 2: 60.0})
    >>> G.edges["IT", "EXT"]
    {'contracts': [1, 2], 'health': 60.0, 'bottleneck_contract': 2}

    References
    ----------
    .. [1] Product brief, "Analytics - exact definitions", 3. Link health.
    """
    G = nx.DiGraph()
    # Canonical order, so that ties (between best chains, say) are broken the
    # same way whatever order the database returned the rows in.
    for dep in sorted(departments, key=lambda d: d.code):
        if dep.code in G:
            raise ValueError(f"department {dep.code!r} appears twice")
        if dep.kind not in (INTERNAL, EXTERNAL):
            raise ValueError(f"department {dep.code!r} has kind {dep.kind!r}, must be internal or external")
        G.add_node(dep.code, kind=dep.kind, name=dep.name)

    seen = set()
    for con in sorted(contracts, key=lambda c: c.id):
        if con.id in seen:
            raise ValueError(f"contract {con.id!r} appears twice")
        seen.add(con.id)
        for role, code in (("supplier", con.supplier), ("customer", con.customer)):
            if code not in G:
                raise ValueError(f"contract {con.id!r}: unknown {role} {code!r}")
        if con.supplier == con.customer:
            raise ValueError(f"contract {con.id!r} links {con.supplier!r} to itself")
        if G.nodes[con.supplier]["kind"] == EXTERNAL:
            raise ValueError(f"contract {con.id!r}: supplier {con.supplier!r} is external")
        if isinstance(con.criticality, bool) or con.criticality not in (1, 2, 3):
            raise ValueError(f"contract {con.id!r} has criticality {con.criticality!r}, must be 1, 2 or 3")
        if G.has_edge(con.supplier, con.customer):
            G.edges[con.supplier, con.customer]["contracts"].append(con.id)
        else:
            G.add_edge(con.supplier, con.customer, contracts=[con.id])

    for _, _, data in G.edges(data=True):
        rated = [(health[cid], cid) for cid in data["contracts"] if health.get(cid) is not None]
        lowest = min(rated, default=(None, None))
        data["health"], data["bottleneck_contract"] = lowest
    return G


def customers(G: nx.DiGraph) -> list:
    """Return the external customers of `G`, the nodes of kind ``"external"``.

    Parameters
    ----------
    G : networkx.DiGraph

    Returns
    -------
    list
        External nodes, in node order.

    Examples
    --------
    >>> G = nx.DiGraph([("IT", "EXT")])
    >>> G.nodes["EXT"]["kind"] = "external"
    >>> customers(G)
    ['EXT']
    """
    return [n for n, kind in G.nodes(data="kind") if kind == EXTERNAL]


def internal_departments(G: nx.DiGraph) -> list:
    """Return the internal departments of `G`: every node not of kind ``"external"``.

    Examples
    --------
    >>> G = nx.DiGraph([("IT", "EXT")])
    >>> G.nodes["EXT"]["kind"] = "external"
    >>> internal_departments(G)
    ['IT']
    """
    return [n for n, kind in G.nodes(data="kind") if kind != EXTERNAL]


def reaching_customers(G: nx.DiGraph) -> set:
    """Return the nodes of `G` that have a path to an external customer.

    External customers themselves are included.

    Parameters
    ----------
    G : networkx.DiGraph

    Returns
    -------
    set

    Examples
    --------
    >>> G = nx.DiGraph([("HR", "IT"), ("IT", "EXT"), ("IT", "MKT")])
    >>> G.nodes["EXT"]["kind"] = "external"
    >>> sorted(reaching_customers(G))
    ['EXT', 'HR', 'IT']
    """
    seen = set(customers(G))
    queue = deque(seen)
    pred = G.pred
    while queue:
        for u in pred[queue.popleft()]:
            if u not in seen:
                seen.add(u)
                queue.append(u)
    return seen
