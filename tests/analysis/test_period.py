"""`analyze` as a whole: staleness, respondents, targets, trend, edge cases."""

import pytest

from tracker.analysis import Contract, Department, Rating, analyze

Q = ["2026-Q1", "2026-Q2", "2026-Q3"]
NOW = "2026-Q3"


def deps(*internal, external=("EXT",)):
    return [Department(c, c, "internal") for c in internal] + [Department(c, c, "external") for c in external]


def test_empty_organization():
    result = analyze([], [], [], NOW, Q)
    assert result.to_json() == {
        "period": NOW, "target": 75.0, "floor": 50.0,
        "departments": [], "weak_links": [], "blind_spots": [], "cut_off": [],
    }
    assert result.contracts == {} and result.graph.number_of_nodes() == 0


def test_period_must_be_among_periods():
    with pytest.raises(ValueError, match="2027-Q1"):
        analyze([], [], [], "2027-Q1", Q)


def test_department_with_no_contracts():
    result = analyze(deps("A", "LEGAL"), [Contract(1, "A", "EXT", "s", 1)], [], NOW, Q)
    legal = [d for d in result.to_json()["departments"] if d["code"] == "LEGAL"][0]
    assert legal == {
        "code": "LEGAL", "name": "LEGAL", "kind": "internal", "chain_strength": None, "bottleneck": None,
        "relies_on_unrated": False, "cut_off": False, "dominates": 0, "nps": None, "nps_responses": 0,
        "csat": None, "standard_met": None, "response_rate": None,
    }


def test_organization_without_external_customer():
    contracts = [Contract(1, "A", "B", "s", 3), Contract(2, "B", "A", "t", 3)]
    ratings = [Rating(1, NOW, 10.0), Rating(2, NOW, 20.0)]
    result = analyze(deps("A", "B", external=()), contracts, ratings, NOW, Q)
    assert result.cut_off == ["A", "B"]
    # Below floor, but reach 0: no weak links, and risk 0.
    assert result.weak_links == [] and result.blind_spots == []
    assert [c.risk for c in result.contracts.values()] == [0.0, 0.0]
    assert all(d.chain_strength is None for d in result.departments.values())


def test_several_respondents_are_averaged_from_raw_ratings():
    contracts = [Contract(1, "A", "EXT", "s", 1)]
    ratings = [Rating(1, NOW, 40.0, recommend=10), Rating(1, NOW, 80.0, recommend=3),
               Rating(1, NOW, 90.0, recommend=9)]
    result = analyze(deps("A"), contracts, ratings, NOW, Q)
    assert result.contracts[1].health == 70.0
    a = result.departments["A"]
    # CSAT over ratings (2 of 3), not over the contract's mean health (70 < 75).
    assert a.csat == pytest.approx(200 / 3)
    assert result.to_json()["departments"][0]["csat"] == 66.7
    assert (a.nps, a.nps_responses) == (pytest.approx(100 / 3), 3)
    assert result.to_json()["departments"][0]["nps"] == 33.3


def test_csat_across_contracts_is_not_an_average_of_averages():
    contracts = [Contract(1, "A", "EXT", "s", 1), Contract(2, "A", "B", "t", 1)]
    ratings = [Rating(1, NOW, 80.0)] + [Rating(2, NOW, 50.0)] * 3
    result = analyze(deps("A", "B"), contracts, ratings, NOW, Q)
    # Per-contract CSAT would be 100 and 0, averaged 50; over ratings it is 25.
    assert result.departments["A"].csat == 25.0


def test_no_interaction_counts_as_response_not_as_health():
    contracts = [Contract(1, "A", "B", "s", 2), Contract(2, "C", "B", "t", 2), Contract(3, "B", "EXT", "u", 2)]
    ratings = [Rating(1, NOW, None, no_interaction=True), Rating(3, NOW, 90.0)]
    result = analyze(deps("A", "B", "C"), contracts, ratings, NOW, Q)
    assert result.departments["B"].response_rate == 0.5
    assert result.contracts[1].health is None
    assert [(b.contract.id, b.reach) for b in result.blind_spots] == [(1, 1), (2, 1)]
    assert result.departments["A"].csat is None


def test_response_rate_of_external_customer_and_none_without_contracts_to_rate():
    contracts = [Contract(1, "A", "EXT", "s", 1), Contract(2, "A", "EXT", "t", 1)]
    result = analyze(deps("A"), contracts, [Rating(2, NOW, None, recommend=8)], NOW, Q)
    assert result.departments["EXT"].response_rate == 0.5
    assert result.departments["A"].response_rate is None


def test_stale_health_is_used_and_flagged_but_not_in_survey_figures():
    contracts = [Contract(1, "A", "EXT", "s", 2)]
    ratings = [Rating(1, "2026-Q2", 40.0, recommend=0)]
    result = analyze(deps("A"), contracts, ratings, NOW, Q)
    cf = result.contracts[1]
    assert (cf.health, cf.stale, cf.source_period) == (40.0, True, "2026-Q2")
    assert [(w.contract.id, w.stale, w.risk, w.severity) for w in result.weak_links] == [
        (1, True, 70.0, "critical")
    ]
    assert result.to_json()["weak_links"][0]["stale"] is True
    assert result.departments["A"].chain_strength == 40.0
    # NPS, CSAT and response rate speak of this period only.
    a = result.departments["A"]
    assert (a.nps, a.nps_responses, a.csat) == (None, 0, None)
    assert result.departments["EXT"].response_rate == 0.0


def test_rating_three_periods_back_leaves_contract_unrated():
    periods = ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    contracts = [Contract(1, "A", "EXT", "s", 2)]
    result = analyze(deps("A"), contracts, [Rating(1, "2026-Q1", 40.0)], "2026-Q4", periods)
    assert result.contracts[1].health is None
    assert result.weak_links == []
    assert [b.contract.id for b in result.blind_spots] == [1]


def test_contract_target_and_floor_override_the_organization():
    contracts = [
        Contract(1, "A", "EXT", "strict", 1, target=90.0, floor=85.0),
        Contract(2, "B", "EXT", "lenient", 1, target=60.0, floor=30.0),
        Contract(3, "C", "EXT", "default", 1),
    ]
    ratings = [Rating(1, NOW, 80.0), Rating(2, NOW, 40.0), Rating(3, NOW, 70.0)]
    result = analyze(deps("A", "B", "C"), contracts, ratings, NOW, Q, target=75.0, floor=50.0)
    got = [(w.contract.id, w.risk, w.severity) for w in result.weak_links]
    assert got == [(2, 20.0, "warning"), (1, 10.0, "critical"), (3, 5.0, "warning")]


def test_contract_at_or_above_its_target_is_not_weak():
    contracts = [Contract(1, "A", "EXT", "s", 3, target=60.0), Contract(2, "B", "EXT", "t", 3)]
    ratings = [Rating(1, NOW, 60.0), Rating(2, NOW, 75.0)]
    result = analyze(deps("A", "B"), contracts, ratings, NOW, Q)
    assert result.weak_links == []
    assert result.contracts[1].risk == 0.0


def test_organization_target_and_floor_settings():
    contracts = [Contract(1, "A", "EXT", "s", 1)]
    result = analyze(deps("A"), contracts, [Rating(1, NOW, 70.0)], NOW, Q, target=80.0, floor=72.0)
    assert [(w.risk, w.severity) for w in result.weak_links] == [(10.0, "critical")]
    assert result.to_json()["target"] == 80.0 and result.to_json()["floor"] == 72.0


def test_weak_links_tie_on_risk_and_health_ordered_by_supplier_code():
    contracts = [Contract(1, "C", "EXT", "s", 1), Contract(2, "A", "EXT", "s", 1), Contract(3, "B", "EXT", "s", 1)]
    ratings = [Rating(i, NOW, 60.0) for i in (1, 2, 3)]
    result = analyze(deps("A", "B", "C"), contracts, ratings, NOW, Q)
    assert [w.contract.supplier for w in result.weak_links] == ["A", "B", "C"]
    assert [w.rank for w in result.weak_links] == [1, 2, 3]


def test_blind_spots_by_reach_then_supplier():
    contracts = [Contract(1, "B", "EXT", "s", 1), Contract(2, "A", "EXT", "s", 1), Contract(3, "C", "B", "s", 1)]
    result = analyze(deps("A", "B", "C"), contracts, [], NOW, Q)
    assert [(b.contract.supplier, b.reach) for b in result.blind_spots] == [("B", 2), ("A", 1), ("C", 1)]


def test_trend_per_contract():
    contracts = [Contract(1, "A", "EXT", "s", 1), Contract(2, "B", "EXT", "s", 1)]
    ratings = [Rating(1, "2026-Q1", 90.0), Rating(1, "2026-Q2", 85.0), Rating(1, NOW, 82.0),
               Rating(2, "2026-Q2", 70.0), Rating(2, NOW, 75.0)]
    result = analyze(deps("A", "B"), contracts, ratings, NOW, Q)
    assert (result.contracts[1].delta, result.contracts[1].declining) == (-3.0, True)
    assert (result.contracts[2].delta, result.contracts[2].declining) == (5.0, False)


@pytest.mark.parametrize(
    "answers, shown, json_nps",
    [([9] + [7] * 7, 13, 12.5), ([6] + [7] * 7, -13, -12.5), ([9, 9, 7], 67, 66.7), ([9, 6, 6], -33, -33.3)],
)
def test_nps_display_rounds_half_away_from_zero(answers, shown, json_nps):
    contracts = [Contract(1, "A", "EXT", "s", 1)]
    ratings = [Rating(1, NOW, None, recommend=a) for a in answers]
    result = analyze(deps("A"), contracts, ratings, NOW, Q)
    a = result.departments["A"]
    assert a.nps_shown == shown
    assert a.small_sample is (len(answers) < 5)
    assert result.to_json()["departments"][0]["nps"] == json_nps


def test_ratings_of_inactive_contracts_are_ignored():
    contracts = [Contract(1, "A", "EXT", "s", 1)]
    ratings = [Rating(1, NOW, 90.0, recommend=10), Rating(99, NOW, 10.0, recommend=0)]
    result = analyze(deps("A"), contracts, ratings, NOW, Q)
    assert result.departments["A"].nps == 100.0
    assert 99 not in result.contracts


def test_link_health_and_graph_are_exposed():
    contracts = [Contract(1, "A", "EXT", "s", 1), Contract(2, "A", "EXT", "t", 1)]
    result = analyze(deps("A"), contracts, [Rating(1, NOW, 90.0), Rating(2, NOW, 60.0)], NOW, Q)
    assert result.link_health == {("A", "EXT"): 60.0}
    assert result.graph.edges["A", "EXT"]["bottleneck_contract"] == 2
    assert result.departments["A"].bottleneck == 2
