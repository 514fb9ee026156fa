"""Chain strength: the widest path from a department to the external customer."""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from itertools import count

import networkx as nx

from tracker.analysis.graph import customers, internal_departments, reaching_customers

__all__ = ["ChainStrength", "chain_strength"]


@dataclass(frozen=True, slots=True)
class ChainStrength:
    """Chain strength of one internal department.

    Attributes
    ----------
    strength : float or None
        S(d), points 0-100; None when no chain to an external customer has a
        rated link (or there is no chain at all).
    bottleneck : int or None
        Id of the contract setting the health of the first link, from d, on a
        best chain whose health equals S(d).
    relies_on_unrated : bool
        d reaches an external customer, and leaving the unrated links out
        altogether lowers its strength or leaves it none.
    """

    strength: float | None
    bottleneck: int | None
    relies_on_unrated: bool


def chain_strength(G: nx.DiGraph) -> dict[str, ChainStrength]:
    """Return the chain strength of every internal department of `G`.

    S(d) is, over the chains (directed paths) from d to any external customer,
    the largest value of the chain's lowest link health. Unrated links are
    neutral in the minimum; a chain of unrated links only has no value, and
    S(d) is None when no chain has one.

    Parameters
    ----------
    G : networkx.DiGraph
        A graph as made by `build_graph`: edge attributes ``health`` (None
        when unrated) and ``bottleneck_contract``, node attribute ``kind``.

    Returns
    -------
    dict[str, ChainStrength]
        Keyed by internal department.

    Examples
    --------
    >>> from tracker.analysis import Contract, Department, build_graph
    >>> deps = [Department(c, c, "internal") for c in ("HR", "IT", "LOG")]
    >>> deps.append(Department("EXT", "Clients", "external"))
    >>> cons = [Contract(1, "HR", "IT", "hiring", 1), Contract(2, "IT", "LOG", "support", 2),
    ...         Contract(3, "LOG", "EXT", "delivery", 3), Contract(4, "IT", "EXT", "portal", 3)]
    >>> G = build_graph(deps, cons, {1: 60.0, 2: 85.0, 3: 90.0, 4: None})
    >>> cs = chain_strength(G)
    >>> cs["HR"]
    ChainStrength(strength=60.0, bottleneck=1, relies_on_unrated=False)
    >>> cs["IT"]
    ChainStrength(strength=85.0, bottleneck=2, relies_on_unrated=False)

    Notes
    -----
    A widest-path (maximin) search runs backwards from the external
    customers, as Dijkstra's algorithm with a max-heap, over two copies of
    each node: "a rated link still to come" and "a rated link already passed".
    A chain's value is attained at its first link whose health equals the
    minimum; each node records that link as it is settled, from the node it
    was reached through, so the bottleneck comes with no path enumeration.
    The run takes O((n + m) log n) time for n departments and m links.

    Chains are taken as walks: when a cycle is a detour whose only rated
    links lie on the cycle itself, the detour counts. Asking for simple paths
    instead makes the problem NP-hard [2]_. The two differ only where taking
    the cycles out of every best walk leaves a chain with no rated link.

    References
    ----------
    .. [1] Product brief, "Analytics - exact definitions", 5. Chain strength.
    .. [2] S. Fortune, J. Hopcroft, J. Wyllie, "The directed subgraph
       homeomorphism problem", Theoretical Computer Science 10 (1980) 111-121.
    """
    targets = customers(G)
    strength, first_link = _widest_to_customers(G, targets, skip_unrated=False)
    rated_only, _ = _widest_to_customers(G, targets, skip_unrated=True)
    reaching = reaching_customers(G)

    result = {}
    for d in internal_departments(G):
        s = strength.get(d)
        link = first_link.get(d)
        bottleneck = G.edges[link]["bottleneck_contract"] if link is not None else None
        s_rated = rated_only.get(d)
        relies = d in reaching and (s_rated is None or (s is not None and s_rated < s))
        result[d] = ChainStrength(s, bottleneck, relies)
    return result


def _widest_to_customers(G, targets, skip_unrated):
    """Return ``(strength, first_link)`` dicts for the nodes that have a rated chain.

    States are (node, layer): layer 1 once a rated link has been passed on
    the way to the customer, layer 0 before. The targets start in layer 1 at
    width +inf; only a rated link leads from layer 0 to layer 1, so every
    finite width in layer 0 belongs to a chain with a rated link.
    """
    inf = math.inf
    width = ({}, {})
    first = ({}, {})
    done = (set(), set())
    tie = count()
    heap = []
    for t in targets:
        width[1][t] = inf
        first[1][t] = None
        heap.append((-inf, next(tie), t, 1))
    heapq.heapify(heap)

    def relax(u, layer, w, link):
        if u not in done[layer] and w > width[layer].get(u, -inf):
            width[layer][u] = w
            first[layer][u] = link
            heapq.heappush(heap, (-w, next(tie), u, layer))

    pred = G.pred
    while heap:
        neg_w, _, v, layer = heapq.heappop(heap)
        if v in done[layer]:
            continue
        done[layer].add(v)
        w_v = -neg_w
        for u, data in pred[v].items():
            h = data.get("health")
            if h is None:
                if skip_unrated:
                    continue
                # A neutral link sets the minimum only on a chain that has no
                # rated link yet (width +inf).
                relax(u, layer, w_v, (u, v) if w_v == inf else first[layer][v])
            elif layer == 1:
                # The earlier link wins a tie: the bottleneck is the first
                # link, from the department, at which the minimum is reached.
                link = (u, v) if h <= w_v else first[1][v]
                w = min(h, w_v)
                relax(u, 0, w, link)
                relax(u, 1, w, link)
    return width[0], first[0]
