"""Internal NPS, CSAT, standard met, response rate and rounding (definition 4)."""

import math

import pytest

from tracker.analysis import Rating, csat, nps, response_rate, round_half_away, standard_met_rate


def test_nps_brief_example():
    assert nps([7, 9, 5, 2]) == (-25.0, 4)


def test_nps_passives_count_in_n():
    assert nps([9, 7, 8, 8]) == (25.0, 4)


@pytest.mark.parametrize("answer, score", [(0, -100.0), (6, -100.0), (7, 0.0), (8, 0.0), (9, 100.0), (10, 100.0)])
def test_nps_bands(answer, score):
    assert nps([answer]) == (score, 1)


def test_nps_none_when_no_answers():
    assert nps([]) == (None, 0)
    assert nps([None, None]) == (None, 0)


def test_nps_is_unrounded():
    value, n = nps([9, 7, 7])
    assert n == 3 and value == pytest.approx(100 / 3)


@pytest.mark.parametrize("bad", [-1, 11, 7.5, True])
def test_nps_rejects_answers_out_of_range(bad):
    with pytest.raises(ValueError):
        nps([9, bad])


def test_csat_brief_example():
    assert csat([70.0, 85.0, 55.0, 40.0]) == 25.0


def test_csat_threshold_is_75_inclusive_and_fixed():
    assert csat([75.0, 74.99]) == 50.0


def test_csat_leaves_out_ratings_without_health():
    assert csat([80.0, None, None, 50.0]) == 50.0
    assert csat([None]) is None


def test_standard_met_rate():
    assert standard_met_rate(["met", "met", "partly", "missed", None]) == pytest.approx(2.5 / 4)
    assert standard_met_rate([None]) is None
    with pytest.raises(ValueError, match="sometimes"):
        standard_met_rate(["sometimes"])


def test_response_rate_counts_any_rating_record():
    ratings = [Rating(1, "Q1", None, no_interaction=True), Rating(2, "Q1", 80.0), Rating(2, "Q1", 60.0),
               Rating(9, "Q1", 70.0)]
    assert response_rate([1, 2, 3, 4], ratings) == 0.5
    assert response_rate([], ratings) is None


@pytest.mark.parametrize(
    "x, ndigits, expected",
    [(12.5, 0, 13.0), (-12.5, 0, -13.0), (0.5, 0, 1.0), (-0.5, 0, -1.0), (2.5, 0, 3.0),
     (12.4, 0, 12.0), (-12.6, 0, -13.0), (-33.25, 1, -33.3), (0.15, 1, 0.2), (2.675, 2, 2.68),
     (100 / 3, 1, 33.3), (-200 / 3, 1, -66.7), (1234.5, -1, 1230.0)],
)
def test_round_half_away(x, ndigits, expected):
    assert round_half_away(x, ndigits) == expected


def test_round_half_away_differs_from_builtin_round():
    # The builtin rounds halves to even: round(12.5) == 12.
    assert round(12.5) == 12 and round_half_away(12.5) == 13.0


def test_round_half_away_passes_non_finite_through():
    assert math.isnan(round_half_away(float("nan")))
    assert round_half_away(float("inf")) == float("inf")
