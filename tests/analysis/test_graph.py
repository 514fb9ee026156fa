"""Graph algorithms on tiny canonical graphs (definitions 3, 5, 6, 7, 9)."""

import networkx as nx
import pytest

from tracker.analysis import (
    ChainStrength,
    Contract,
    Department,
    build_graph,
    chain_strength,
    cut_off,
    dominated_counts,
    reach,
)


def org(links, externals=("EXT",), isolated=()):
    """Build a graph from ``(supplier, customer, health)`` triples, one contract each."""
    codes = {code for s, c, _ in links for code in (s, c)} | set(externals) | set(isolated)
    departments = [
        Department(code, code, "external" if code in externals else "internal") for code in sorted(codes)
    ]
    contracts = [Contract(i, s, c, f"{s}-{c}", 1) for i, (s, c, _) in enumerate(links, start=1)]
    health = {i: h for i, (_, _, h) in enumerate(links, start=1)}
    return build_graph(departments, contracts, health)


# build_graph ---------------------------------------------------------------


def test_two_contracts_between_the_same_departments_link_is_the_minimum():
    deps = [Department("IT", "IT", "internal"), Department("HR", "HR", "internal")]
    cons = [Contract(7, "IT", "HR", "laptops", 2), Contract(3, "IT", "HR", "accounts", 1),
            Contract(5, "IT", "HR", "printing", 1)]
    G = build_graph(deps, cons, {7: 80.0, 3: 65.0, 5: None})
    assert G.number_of_edges() == 1
    assert G.edges["IT", "HR"] == {"contracts": [3, 5, 7], "health": 65.0, "bottleneck_contract": 3}


def test_link_with_no_rated_contract_is_unrated():
    G = org([("IT", "EXT", None)])
    assert G.edges["IT", "EXT"]["health"] is None
    assert G.edges["IT", "EXT"]["bottleneck_contract"] is None


def test_link_health_tie_picks_lowest_contract_id():
    deps = [Department("IT", "IT", "internal"), Department("HR", "HR", "internal")]
    cons = [Contract(9, "IT", "HR", "a", 1), Contract(4, "IT", "HR", "b", 1)]
    assert build_graph(deps, cons, {9: 50.0, 4: 50.0}).edges["IT", "HR"]["bottleneck_contract"] == 4


def test_nodes_carry_kind_and_name():
    G = build_graph([Department("EXT", "Retail clients", "external")], [], {})
    assert dict(G.nodes(data=True)) == {"EXT": {"kind": "external", "name": "Retail clients"}}


@pytest.mark.parametrize(
    "departments, contracts, message",
    [
        ([Department("A", "A", "internal")] * 2, [], "A"),
        ([Department("A", "A", "partner")], [], "partner"),
        ([Department("A", "A", "internal")], [Contract(1, "A", "B", "s", 1)], "unknown customer 'B'"),
        ([Department("A", "A", "internal")], [Contract(1, "A", "A", "s", 1)], "itself"),
        ([Department("A", "A", "internal"), Department("E", "E", "external")],
         [Contract(1, "E", "A", "s", 1)], "external"),
        ([Department("A", "A", "internal"), Department("B", "B", "internal")],
         [Contract(1, "A", "B", "s", 1), Contract(1, "B", "A", "t", 1)], "contract 1"),
        ([Department("A", "A", "internal"), Department("B", "B", "internal")],
         [Contract(1, "A", "B", "s", 4)], "criticality"),
    ],
)
def test_build_graph_rejects_broken_invariants(departments, contracts, message):
    with pytest.raises(ValueError, match=message):
        build_graph(departments, contracts, {})


# chain strength ------------------------------------------------------------


def test_chain_strength_is_widest_path_not_shortest():
    # The long chain A>B>C>EXT (min 70) beats the direct link A>EXT (40).
    G = org([("A", "EXT", 40.0), ("A", "B", 90.0), ("B", "C", 70.0), ("C", "EXT", 80.0)])
    cs = chain_strength(G)
    assert cs["A"] == ChainStrength(70.0, 3, False)  # bottleneck B>C, the 3rd contract


def test_bottleneck_is_the_first_link_at_the_minimum():
    # Two links at 60 on the best chain: the one nearer to A is the bottleneck.
    G = org([("A", "B", 60.0), ("B", "C", 60.0), ("C", "EXT", 90.0)])
    cs = chain_strength(G)
    assert cs["A"].bottleneck == 1
    assert cs["B"].bottleneck == 2
    assert cs["C"].bottleneck == 3


def test_unrated_links_are_neutral_in_the_minimum():
    G = org([("A", "B", None), ("B", "C", 70.0), ("C", "EXT", None)])
    cs = chain_strength(G)
    assert cs["A"] == ChainStrength(70.0, 2, True)
    assert cs["B"] == ChainStrength(70.0, 2, True)
    assert cs["C"] == ChainStrength(None, None, True)


def test_chain_of_only_unrated_links_has_no_value_and_does_not_win():
    # A>EXT unrated would be +inf if "neutral" meant "infinitely healthy".
    G = org([("A", "EXT", None), ("A", "B", 40.0), ("B", "EXT", 90.0)])
    assert chain_strength(G)["A"] == ChainStrength(40.0, 2, False)


def test_relies_on_unrated_when_rated_only_chains_are_weaker():
    # Best chain A>B>EXT passes the unrated B>EXT: 80; with it left out A>EXT gives 50.
    G = org([("A", "B", 80.0), ("B", "EXT", None), ("A", "EXT", 50.0)])
    cs = chain_strength(G)
    assert cs["A"] == ChainStrength(80.0, 1, True)
    assert cs["B"] == ChainStrength(None, None, True)


def test_not_relying_when_rated_chain_is_as_strong():
    G = org([("A", "B", 80.0), ("B", "EXT", None), ("A", "C", 80.0), ("C", "EXT", 95.0)])
    cs = chain_strength(G)
    assert cs["A"].strength == 80.0 and not cs["A"].relies_on_unrated


def test_cycle_of_mutual_services():
    # A and B serve each other; only B reaches the customer.
    G = org([("A", "B", 70.0), ("B", "A", 30.0), ("B", "EXT", 90.0)])
    cs = chain_strength(G)
    assert cs["A"] == ChainStrength(70.0, 1, False)
    assert cs["B"] == ChainStrength(90.0, 3, False)


def test_cycle_without_way_out_is_cut_off():
    G = org([("A", "B", 70.0), ("B", "A", 30.0), ("C", "EXT", 90.0)])
    cs = chain_strength(G)
    assert cs["A"] == cs["B"] == ChainStrength(None, None, False)
    assert cut_off(G) == ["A", "B"]


def test_rated_link_only_on_a_cycle_detour_counts():
    # Documented choice (chains are walks): the only rated link, B>A, lies on
    # the detour A>B>A before the unrated A>EXT.
    G = org([("A", "B", None), ("B", "A", 70.0), ("A", "EXT", None)])
    cs = chain_strength(G)
    assert cs["B"] == ChainStrength(70.0, 2, True)
    assert cs["A"] == ChainStrength(70.0, 2, True)


def test_several_external_customers():
    G = org([("A", "E1", 40.0), ("A", "E2", 60.0)], externals=("E1", "E2"))
    assert chain_strength(G)["A"] == ChainStrength(60.0, 2, False)


def test_chain_strength_keys_are_internal_departments_only():
    G = org([("A", "EXT", 50.0)], isolated=("LEGAL",))
    assert set(chain_strength(G)) == {"A", "LEGAL"}
    assert chain_strength(G)["LEGAL"] == ChainStrength(None, None, False)


def test_no_external_customer():
    G = org([("A", "B", 50.0), ("B", "A", 60.0)], externals=())
    assert chain_strength(G) == {"A": ChainStrength(None, None, False), "B": ChainStrength(None, None, False)}
    assert reach(G) == {("A", "B"): 0, ("B", "A"): 0}
    assert dominated_counts(G) == {"A": 0, "B": 0}
    assert cut_off(G) == ["A", "B"]


def test_empty_organization():
    G = build_graph([], [], {})
    assert chain_strength(G) == {}
    assert reach(G) == {}
    assert dominated_counts(G) == {}
    assert cut_off(G) == []


# reach ---------------------------------------------------------------------


def test_reach_counts_internal_ancestors_including_supplier():
    G = org([("A", "C", 50.0), ("B", "C", 50.0), ("C", "D", 50.0), ("D", "EXT", 50.0)])
    assert reach(G) == {("A", "C"): 1, ("B", "C"): 1, ("C", "D"): 3, ("D", "EXT"): 4}


def test_reach_counts_a_diamond_ancestor_once():
    # A reaches D by two routes; a sum over predecessors would count it twice.
    G = org([("A", "B", 1.0), ("A", "C", 1.0), ("B", "D", 1.0), ("C", "D", 1.0), ("D", "EXT", 1.0)])
    assert reach(G)["D", "EXT"] == 4


def test_reach_is_zero_when_customer_side_leads_nowhere():
    G = org([("A", "B", 50.0), ("B", "EXT", 50.0), ("B", "MKT", 50.0), ("MKT", "X", 50.0)])
    r = reach(G)
    assert r["B", "MKT"] == 0 and r["MKT", "X"] == 0
    assert r["A", "B"] == 1 and r["B", "EXT"] == 2


def test_reach_in_a_cycle_counts_every_member():
    G = org([("A", "B", 1.0), ("B", "C", 1.0), ("C", "A", 1.0), ("C", "EXT", 1.0)])
    assert reach(G) == {("A", "B"): 3, ("B", "C"): 3, ("C", "A"): 3, ("C", "EXT"): 3}


# cut off -------------------------------------------------------------------


def test_department_with_no_contracts_is_not_cut_off():
    G = org([("A", "EXT", 50.0), ("A", "MKT", 50.0)], isolated=("LEGAL",))
    assert cut_off(G) == ["MKT"]


def test_supplier_with_no_way_to_customer_is_cut_off():
    G = org([("A", "EXT", 50.0), ("Z", "Y", 50.0)])
    assert cut_off(G) == ["Y", "Z"]


# dominators ----------------------------------------------------------------


def test_dominators_chain():
    G = org([("A", "B", 1.0), ("B", "C", 1.0), ("C", "EXT", 1.0)])
    assert dominated_counts(G) == {"A": 0, "B": 1, "C": 2}


def test_two_routes_mean_no_dominator():
    G = org([("A", "B", 1.0), ("A", "C", 1.0), ("B", "EXT", 1.0), ("C", "EXT", 1.0)])
    assert dominated_counts(G) == {"A": 0, "B": 0, "C": 0}


def test_two_external_customers_do_not_dominate_and_are_not_counted():
    G = org([("A", "B", 1.0), ("B", "E1", 1.0), ("B", "E2", 1.0)], externals=("E1", "E2"))
    assert dominated_counts(G) == {"A": 0, "B": 1}


def test_departments_that_cannot_reach_the_customer_are_dominated_by_nobody():
    G = org([("A", "B", 1.0), ("B", "EXT", 1.0), ("X", "A", 1.0), ("B", "Y", 1.0)])
    # X reaches the customer through A and B; Y does not reach it at all.
    assert dominated_counts(G) == {"A": 1, "B": 2, "X": 0, "Y": 0}


def test_dominators_in_a_cycle():
    G = org([("A", "B", 1.0), ("B", "A", 1.0), ("B", "EXT", 1.0)])
    assert dominated_counts(G) == {"A": 0, "B": 1}


def test_graph_algorithms_accept_a_plain_networkx_graph():
    G = nx.DiGraph()
    G.add_edge("A", "B", health=60.0, bottleneck_contract=11)
    G.add_edge("B", "EXT", health=None, bottleneck_contract=None)
    G.nodes["EXT"]["kind"] = "external"
    assert chain_strength(G)["A"] == ChainStrength(60.0, 11, True)
    assert reach(G) == {("A", "B"): 1, ("B", "EXT"): 2}
