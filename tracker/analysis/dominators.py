"""Single points of failure on the way to the external customer."""

from __future__ import annotations

import networkx as nx

from tracker.analysis.graph import customers, internal_departments

__all__ = ["dominated_counts", "dominators_tree", "SINK"]


def dominated_counts(G: nx.DiGraph) -> dict[str, int]:
    """Return how many internal departments each internal department dominates.

    Department x dominates d (x != d) when every path from d to every external
    customer passes through x: were x to fail, d would lose the customer.
    Departments with no path to an external customer are dominated by nobody.

    Parameters
    ----------
    G : networkx.DiGraph
        Node attribute ``kind`` marks the external customers.

    Returns
    -------
    dict[str, int]
        Keyed by internal department; 0 for one that dominates nobody.

    Examples
    --------
    >>> G = nx.DiGraph([("PROC", "WH"), ("WH", "LOG"), ("IT", "WH"), ("IT", "LOG"), ("LOG", "EXT")])
    >>> G.nodes["EXT"]["kind"] = "external"
    >>> dominated_counts(G)
    {'PROC': 0, 'WH': 1, 'LOG': 3, 'IT': 0}

    Notes
    -----
    Dominators are found on the reversed graph rooted at a virtual sink that
    every external customer feeds [2]_; the count of x is the number of
    internal departments below x in the dominator tree.

    References
    ----------
    .. [1] Product brief, "Analytics - exact definitions", 9. Single points
       of failure.
    .. [2] K. D. Cooper, T. J. Harvey, K. Kennedy, "A Simple, Fast Dominance
       Algorithm", Software Practice & Experience 4 (2001) 1-10.
    """
    internal = internal_departments(G)
    counts = dict.fromkeys(internal, 0)
    children = dominators_tree(G)
    if not children:
        return counts
    is_internal = set(internal)

    # Post-order over the tree so every child's count is known before its parent's.
    order = []
    stack = [_SINK]
    while stack:
        x = stack.pop()
        order.append(x)
        stack.extend(children.get(x, ()))
    below = {}
    for x in reversed(order):
        below[x] = sum(below[c] + (c in is_internal) for c in children.get(x, ()))
        if x in counts:
            counts[x] = below[x]
    return counts


def dominators_tree(G: nx.DiGraph) -> dict:
    """Return the dominator tree towards the external customers as child lists.

    Parameters
    ----------
    G : networkx.DiGraph

    Returns
    -------
    dict
        Node -> list of the nodes it immediately dominates. The root is the
        virtual sink `tracker.analysis.dominators.SINK`, whose children
        include the external customers. Empty when `G` has no external
        customer.

    Examples
    --------
    >>> G = nx.DiGraph([("WH", "LOG"), ("LOG", "EXT")])
    >>> G.nodes["EXT"]["kind"] = "external"
    >>> tree = dominators_tree(G)
    >>> tree[SINK], tree["EXT"], tree["LOG"]
    (['EXT'], ['LOG'], ['WH'])
    """
    targets = customers(G)
    if not targets:
        return {}
    R = nx.DiGraph()
    R.add_node(_SINK)
    R.add_edges_from((v, u) for u, v in G.edges)
    R.add_edges_from((_SINK, t) for t in targets)
    idom = nx.immediate_dominators(R, _SINK)
    children = {}
    for node, parent in idom.items():
        # networkx before 3.5 maps the root to itself.
        if node is not _SINK:
            children.setdefault(parent, []).append(node)
    return children


class _VirtualSink:
    """The node every external customer feeds; unequal to any department code."""

    __slots__ = ()

    def __repr__(self):
        return "SINK"


_SINK = SINK = _VirtualSink()
