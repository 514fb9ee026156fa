"""The near-linear algorithms agree with brute force on small random organizations."""

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.analysis import (
    Contract,
    Department,
    Rating,
    analyze,
    build_graph,
    chain_strength,
    cut_off,
    dominated_counts,
    reach,
)

HEALTHS = st.one_of(st.none(), st.sampled_from([10.0, 30.0, 50.0, 70.0, 90.0]))


@st.composite
def organizations(draw, acyclic=False):
    n_internal = draw(st.integers(1, 6))
    n_external = draw(st.integers(0, 2))
    internal = [f"D{i}" for i in range(n_internal)]
    external = [f"E{i}" for i in range(n_external)]
    pairs = [(s, c) for s in internal for c in internal + external if s != c]
    if acyclic:
        order = {code: i for i, code in enumerate(internal + external)}
        pairs = [(s, c) for s, c in pairs if order[s] < order[c]]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=12)) if pairs else []
    departments = [Department(c, c, "internal") for c in internal] + [Department(c, c, "external") for c in external]
    contracts = [Contract(i, s, c, "s", 1) for i, (s, c) in enumerate(chosen, start=1)]
    health = {i: draw(HEALTHS) for i in range(1, len(contracts) + 1)}
    return build_graph(departments, contracts, health)


def _externals(G):
    return {n for n, k in G.nodes(data="kind") if k == "external"}


def _internals(G):
    return [n for n, k in G.nodes(data="kind") if k == "internal"]


def _reaches(G, d, targets):
    return any(t == d or nx.has_path(G, d, t) for t in targets if t in G)


def _simple_path_strength(G, d, rated_only=False):
    """S(d) and the set of acceptable bottleneck contracts, by enumerating simple paths."""
    values = []
    for t in _externals(G):
        for path in nx.all_simple_paths(G, d, t):
            links = list(zip(path, path[1:]))
            if rated_only and any(G.edges[e]["health"] is None for e in links):
                continue
            rated = [G.edges[e]["health"] for e in links if G.edges[e]["health"] is not None]
            if rated:
                value = min(rated)
                first = next(e for e in links if G.edges[e]["health"] == value)
                values.append((value, G.edges[first]["bottleneck_contract"]))
    if not values:
        return None, set()
    best = max(v for v, _ in values)
    return best, {b for v, b in values if v == best}


def _walk_strength(G, d):
    """S(d) over walks: the largest t with a rated link >= t reachable from d on links >= t or unrated."""
    best = None
    for t in sorted({h for _, _, h in G.edges(data="health") if h is not None}):
        H = nx.DiGraph((u, v) for u, v, h in G.edges(data="health") if h is None or h >= t)
        H.add_nodes_from(G)
        if any(
            h is not None and h >= t and (a == d or nx.has_path(H, d, a)) and _reaches(H, b, _externals(G))
            for a, b, h in G.edges(data="health")
        ):
            best = t
    return best


@settings(max_examples=300, deadline=None)
@given(organizations(acyclic=True))
def test_chain_strength_matches_path_enumeration_on_acyclic_graphs(G):
    cs = chain_strength(G)
    targets = _externals(G)
    for d in _internals(G):
        strength, bottlenecks = _simple_path_strength(G, d)
        rated_only, _ = _simple_path_strength(G, d, rated_only=True)
        assert cs[d].strength == strength
        assert cs[d].bottleneck in (bottlenecks or {None})
        relies = _reaches(G, d, targets) and (rated_only is None or rated_only < strength)
        assert cs[d].relies_on_unrated == relies


@settings(max_examples=300, deadline=None)
@given(organizations())
def test_chain_strength_matches_threshold_search_on_any_graph(G):
    cs = chain_strength(G)
    for d in _internals(G):
        assert cs[d].strength == _walk_strength(G, d)
        if cs[d].strength is not None:
            link = next(e for e in G.edges if G.edges[e]["bottleneck_contract"] == cs[d].bottleneck)
            assert G.edges[link]["health"] == cs[d].strength


@settings(max_examples=300, deadline=None)
@given(organizations())
def test_reach_matches_ancestor_sets(G):
    targets = _externals(G)
    expected = {}
    for u, v in G.edges:
        if v in targets or _reaches(G, v, targets):
            expected[u, v] = sum(1 for a in nx.ancestors(G, u) | {u} if a not in targets)
        else:
            expected[u, v] = 0
    assert reach(G) == expected


@settings(max_examples=300, deadline=None)
@given(organizations())
def test_dominators_match_node_removal(G):
    targets = _externals(G)
    internal = _internals(G)
    expected = {}
    for x in internal:
        H = G.copy()
        H.remove_node(x)
        expected[x] = sum(
            1 for d in internal
            if d != x and _reaches(G, d, targets) and not _reaches(H, d, targets)
        )
    assert dominated_counts(G) == expected


@settings(max_examples=200, deadline=None)
@given(organizations())
def test_cut_off_matches_definition(G):
    targets = _externals(G)
    expected = sorted(d for d in _internals(G) if G.degree(d) > 0 and not _reaches(G, d, targets))
    assert cut_off(G) == expected


@settings(max_examples=100, deadline=None)
@given(organizations(), st.randoms(use_true_random=False))
def test_analysis_does_not_depend_on_row_order(G, rng):
    # Rows come from the database in no promised order; ties between best
    # chains or equal weak links must not change the answer.
    departments = [Department(n, n, kind) for n, kind in G.nodes(data="kind")]
    contracts = [
        Contract(cid, u, v, "s", 1 + cid % 3)
        for u, v, ids in G.edges(data="contracts") for cid in ids
    ]
    ratings = [
        Rating(cid, "Q2", h, recommend=cid % 11)
        for u, v, h in G.edges(data="health") if h is not None
        for cid in G.edges[u, v]["contracts"]
    ]
    expected = analyze(departments, contracts, ratings, "Q2", ["Q1", "Q2"]).to_json()
    for items in (departments, contracts, ratings):
        rng.shuffle(items)
    assert analyze(departments, contracts, ratings, "Q2", ["Q1", "Q2"]).to_json() == expected


@given(organizations(), st.data())
@settings(max_examples=60, deadline=None)
def test_ratings_outside_periods_read_change_nothing(G, data):
    """The loader reads only ``periods_read``; older ratings must not change any figure."""
    from tracker.analysis import periods_read

    periods = [f"P{i}" for i in range(8)]
    period = data.draw(st.sampled_from(periods))
    departments = [Department(n, n, k) for n, k in G.nodes(data="kind")]
    contracts = [Contract(c, u, v, "s", 1) for u, v, ids in G.edges(data="contracts") for c in ids]
    ratings = [
        Rating(con.id, label, data.draw(HEALTHS), recommend=data.draw(st.one_of(st.none(), st.integers(0, 10))))
        for con in contracts for label in periods if data.draw(st.booleans())
    ]
    read = set(periods_read(period, periods))
    full = analyze(departments, contracts, ratings, period, periods)
    windowed = analyze(departments, contracts, [r for r in ratings if r.period in read], period, periods)
    assert windowed.to_json() == full.to_json()
    assert {c: (f.health, f.stale, f.delta, f.declining) for c, f in windowed.contracts.items()} == \
        {c: (f.health, f.stale, f.delta, f.declining) for c, f in full.contracts.items()}


def test_trend_reads_a_stale_value_four_periods_back():
    """P2 and P1 unrated: the health two periods before P4 is borrowed from P0, and P4 is declining."""
    from tracker.analysis import periods_read

    periods = ["P0", "P1", "P2", "P3", "P4"]
    departments = [Department("A", "A", "internal"), Department("X", "X", "external")]
    contracts = [Contract(1, "A", "X", "s", 1)]
    ratings = [Rating(1, "P0", 80.0), Rating(1, "P3", 70.0), Rating(1, "P4", 65.0)]
    assert periods_read("P4", periods) == periods
    windowed = [r for r in ratings if r.period in periods_read("P4", periods)]
    figures = analyze(departments, contracts, windowed, "P4", periods).contracts[1]
    assert (figures.delta, figures.declining) == (-5.0, True)
