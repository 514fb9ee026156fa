"""The informal network's pure rules on tiny graphs: roll-up, shadow services, dormant agreements, reliance."""
from __future__ import annotations

import pytest

from tracker.analysis.network import (
    dormant_agreements,
    informal_reliance,
    natural_key,
    roll_up,
    shadow_services,
)

PEOPLE = {"a1": "A", "a2": "A", "b1": "B", "c1": "C"}


def test_roll_up_counts_each_pair_once_and_ignores_self_pairs():
    r = roll_up([("a1", "b1"), ("a1", "b1"), ("a2", "b1"), ("b1", "b1"), ("a1", "a2"), ("c1", "a1")], PEOPLE)
    assert (r.people, r.ties) == (4, 4)
    assert r.volumes == {("A", "C"): 1, ("B", "A"): 2}
    assert r.within == {"A": 1, "B": 0, "C": 0}
    assert r.in_degree == {"a1": 1, "a2": 1, "b1": 2, "c1": 0}
    assert r.departments == {"A": 2, "B": 1, "C": 1}
    assert r.to_json()["volumes"] == [{"supplier": "A", "customer": "C", "volume": 1},
                                      {"supplier": "B", "customer": "A", "volume": 2}]


def test_roll_up_refuses_a_tie_to_an_unknown_person():
    with pytest.raises(KeyError):
        roll_up([("a1", "zz")], PEOPLE)


def test_shadow_services_need_the_threshold_and_no_agreement_in_that_direction():
    volumes = {("B", "A"): 5, ("A", "B"): 3, ("C", "A"): 2, ("C", "B"): 3}
    found = shadow_services(volumes, agreements=[("A", "B")], threshold=3)
    assert [(s.supplier, s.customer, s.volume) for s in found] == [("B", "A", 5), ("C", "B", 3)]
    assert shadow_services(volumes, [], threshold=6) == []
    assert len(shadow_services(volumes, [], threshold=0)) == 4  # below 1 counts as 1


def test_dormant_agreements_only_between_surveyed_departments_with_no_tie_either_way():
    contracts = [(1, "A", "B"), (2, "B", "C"), (3, "C", "A"), (4, "A", "X")]
    volumes = {("A", "B"): 1, ("A", "C"): 2}
    found = dormant_agreements(contracts, volumes, surveyed={"A", "B", "C"})
    # 1 has a tie its way, 3 one the other way; 4's customer was not surveyed
    assert [(d.contract_id, d.supplier, d.customer) for d in found] == [(2, "B", "C")]


def test_informal_reliance_is_incoming_volume_from_other_departments():
    assert informal_reliance({("A", "B"): 2, ("A", "C"): 3, ("B", "A"): 4, ("C", "C"): 9}) == {"A": 5, "B": 4}


def test_natural_order_of_codes():
    assert sorted(["10", "2", "L10", "L2", "1-2", "1-1"], key=natural_key) == ["1-1", "1-2", "2", "10", "L2", "L10"]
