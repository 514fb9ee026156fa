"""Health of ratings and contracts, staleness and trend (definitions 1, 2, 10)."""

import pytest

from tracker.analysis import ContractHealth, Rating, Trend, contract_health, contract_trend, rating_health

CRITERIA = ("quality", "timeliness", "communication", "value")
EQUAL = dict.fromkeys(CRITERIA, 1.0)
EXAMPLE = {"quality": 5, "timeliness": 3, "communication": 4, "value": None}
PERIODS = ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]


def test_rating_health_brief_example_equal_weights():
    assert rating_health(EXAMPLE, EQUAL) == 75.0


def test_rating_health_brief_example_quality_weighted_twice():
    assert rating_health(EXAMPLE, {**EQUAL, "quality": 2.0}) == 81.25


@pytest.mark.parametrize("score, health", [(1, 0.0), (2, 25.0), (3, 50.0), (4, 75.0), (5, 100.0)])
def test_rating_health_scale(score, health):
    assert rating_health(dict.fromkeys(CRITERIA, score), EQUAL) == health


def test_rating_health_na_is_left_out_not_zero():
    # With N/A counted as a score of 1 the health would be 50.0.
    assert rating_health({"quality": 5, "value": None}, EQUAL) == 100.0


def test_rating_health_all_na_is_none():
    assert rating_health(dict.fromkeys(CRITERIA), EQUAL) is None
    assert rating_health({}, EQUAL) is None


def test_rating_health_mean_score_four_is_exactly_75_with_decimal_weights():
    # Unrounded binary arithmetic gives 74.99999999999999 here, which would
    # drop an "all 4" rating out of CSAT and make it a weak link.
    weights = {"quality": 0.1, "timeliness": 0.7, "communication": 0.15}
    assert rating_health(dict.fromkeys(weights, 4), weights) == 75.0
    assert rating_health({"quality": 2, "timeliness": 5, "communication": 4},
                         {"quality": 0.1, "timeliness": 0.2, "communication": 0.7}) == 75.0


@pytest.mark.parametrize("bad", [0, 6, -1, 2.5, True, "4"])
def test_rating_health_score_out_of_range_names_criterion(bad):
    with pytest.raises(ValueError, match="timeliness"):
        rating_health({"quality": 4, "timeliness": bad}, EQUAL)


def test_rating_health_missing_weight_names_criterion():
    with pytest.raises(ValueError, match="speed"):
        rating_health({"quality": 4, "speed": 3}, EQUAL)


@pytest.mark.parametrize("weight", [0, -1.0])
def test_rating_health_weight_must_be_positive(weight):
    with pytest.raises(ValueError, match="quality"):
        rating_health({"quality": 4}, {"quality": weight})


def test_contract_health_mean_of_several_respondents():
    ratings = [Rating(1, "2026-Q3", 50.0), Rating(1, "2026-Q3", 75.0), Rating(1, "2026-Q3", 100.0),
               Rating(1, "2026-Q2", 0.0)]
    assert contract_health(ratings, [1], "2026-Q3", PERIODS)[1] == ContractHealth(75.0, False, "2026-Q3")


def test_contract_health_ignores_ratings_without_health():
    ratings = [Rating(1, "2026-Q3", 60.0), Rating(1, "2026-Q3", None),
               Rating(1, "2026-Q3", None, no_interaction=True)]
    assert contract_health(ratings, [1], "2026-Q3", PERIODS)[1].health == 60.0


def test_no_interaction_carries_no_health_even_if_given_one():
    ratings = [Rating(1, "2026-Q3", 60.0), Rating(1, "2026-Q3", 0.0, no_interaction=True)]
    assert contract_health(ratings, [1], "2026-Q3", PERIODS)[1].health == 60.0


@pytest.mark.parametrize(
    "rated_in, expected",
    [
        ("2026-Q3", ContractHealth(70.0, True, "2026-Q3")),   # one period back
        ("2026-Q2", ContractHealth(70.0, True, "2026-Q2")),   # two periods back
        ("2026-Q1", ContractHealth(None, False, None)),      # three back: unrated
    ],
)
def test_contract_health_stale_lookback(rated_in, expected):
    ratings = [Rating(1, rated_in, 70.0)]
    assert contract_health(ratings, [1], "2026-Q4", PERIODS)[1] == expected


def test_contract_health_stale_takes_the_latest_earlier_period():
    ratings = [Rating(1, "2026-Q2", 40.0), Rating(1, "2026-Q3", 90.0)]
    assert contract_health(ratings, [1], "2026-Q4", PERIODS)[1] == ContractHealth(90.0, True, "2026-Q3")


def test_contract_health_ignores_later_periods_and_other_contracts():
    ratings = [Rating(1, "2026-Q4", 90.0), Rating(2, "2026-Q3", 10.0)]
    health = contract_health(ratings, [1], "2026-Q3", PERIODS)
    assert health == {1: ContractHealth(None)}


def test_contract_health_unknown_period_raises():
    with pytest.raises(ValueError, match="2027-Q1"):
        contract_health([], [1], "2027-Q1", PERIODS)


def test_contract_health_first_period_has_nothing_to_borrow():
    assert contract_health([], [1], "2026-Q1", PERIODS)[1] == ContractHealth(None)


def _trend(healths):
    ratings = [Rating(1, p, h) for p, h in zip(PERIODS, healths) if h is not None]
    return contract_trend(ratings, [1], PERIODS[len(healths) - 1], PERIODS)[1]


@pytest.mark.parametrize(
    "healths, expected",
    [
        ([90.0, 85.0, 80.0], Trend(-5.0, True)),         # fell in each of the last two
        ([80.0, 85.0, 80.0], Trend(-5.0, False)),        # fell once, by 5
        ([85.0, 85.0, 80.0], Trend(-5.0, False)),        # flat, then fell
        ([90.0, 80.0, 85.0], Trend(5.0, False)),         # rose last
        ([70.0, 80.0, 69.0], Trend(-11.0, True)),        # fell by more than 10 at once
        ([70.0, 80.0, 70.0], Trend(-10.0, False)),       # exactly 10 is not more than 10
        ([80.0, 69.0], Trend(-11.0, True)),              # a big fall needs only two periods
        ([80.0, 75.0], Trend(-5.0, False)),              # two small falls need three periods
        ([80.0], Trend(None, False)),                    # no previous period
        ([None, None, 80.0], Trend(None, False)),        # nothing to compare with
    ],
)
def test_trend(healths, expected):
    assert _trend(healths) == expected


def test_trend_uses_stale_health_of_previous_period():
    # Q2 has no rating and borrows Q1's 90; Q3's 70 is then a fall of 20.
    assert _trend([90.0, None, 70.0]) == Trend(-20.0, True)
