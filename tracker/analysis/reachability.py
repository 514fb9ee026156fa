"""Reach of contracts and departments cut off from the external customer."""

from __future__ import annotations

import networkx as nx

from tracker.analysis.graph import internal_departments, reaching_customers
from tracker.analysis.records import EXTERNAL

__all__ = ["reach", "cut_off"]


def reach(G: nx.DiGraph) -> dict[tuple[str, str], int]:
    """Return the reach of every link of `G`.

    The reach of a link u -> v is 0 when v is neither an external customer
    nor has a path to one; otherwise it is the number of internal departments
    that have a path to u, u itself counted. A contract's reach is its link's.

    Parameters
    ----------
    G : networkx.DiGraph
        Node attribute ``kind`` marks the external customers.

    Returns
    -------
    dict[tuple, int]
        Keyed by edge ``(u, v)``.

    Examples
    --------
    >>> G = nx.DiGraph([("FIN", "HR"), ("HR", "FIN"), ("HR", "IT"), ("IT", "EXT"), ("IT", "MKT")])
    >>> G.nodes["EXT"]["kind"] = "external"
    >>> r = reach(G)
    >>> r["HR", "IT"], r["IT", "EXT"], r["IT", "MKT"]
    (2, 3, 0)

    Notes
    -----
    Ancestors are counted on the condensation (one node per strongly connected
    component), in topological order, with each component's set of internal
    ancestors held as a Python integer used as a bitset; a set union is then
    one ``|`` of two integers. Time O(n + m) unions of n-bit integers.

    References
    ----------
    .. [1] Product brief, "Analytics - exact definitions", 7. Reach.
    """
    if G.number_of_edges() == 0:
        return {}
    reaching = reaching_customers(G)
    ancestors = _internal_ancestor_counts(G)
    return {(u, v): (ancestors[u] if v in reaching else 0) for u, v in G.edges}


def cut_off(G: nx.DiGraph) -> list[str]:
    """Return the internal departments cut off from the external customer.

    A department is cut off when it has at least one contract, as supplier or
    customer, and no path to an external customer.

    Parameters
    ----------
    G : networkx.DiGraph

    Returns
    -------
    list
        Department codes, sorted.

    Examples
    --------
    >>> G = nx.DiGraph([("IT", "EXT"), ("IT", "MKT")])
    >>> G.add_node("LEGAL")
    >>> G.nodes["EXT"]["kind"] = "external"
    >>> cut_off(G)
    ['MKT']

    References
    ----------
    .. [1] Product brief, "Analytics - exact definitions", 6. Cut off.
    """
    reaching = reaching_customers(G)
    return sorted(d for d in internal_departments(G) if d not in reaching and G.degree(d) > 0)


def _internal_ancestor_counts(G):
    """Return ``{node: number of internal nodes with a path to it, itself included}``."""
    C = nx.condensation(G)
    mapping = C.graph["mapping"]
    bit = 0
    own = {}
    for c, members in C.nodes(data="members"):
        mask = 0
        for n in members:
            if G.nodes[n].get("kind") != EXTERNAL:
                mask |= 1 << bit
                bit += 1
        own[c] = mask

    # A component's bitset is dropped once all its successors have read it,
    # which keeps memory near the width of the graph rather than its size.
    waiting = {c: C.out_degree(c) for c in C}
    ancestors = {}
    size = {}
    for c in nx.topological_sort(C):
        mask = own[c]
        for p in C.pred[c]:
            mask |= ancestors[p]
            waiting[p] -= 1
            if not waiting[p]:
                del ancestors[p]
        size[c] = mask.bit_count()
        if waiting[c]:
            ancestors[c] = mask
    return {n: size[mapping[n]] for n in G}
