"""Health of ratings and contracts, and the contract trend.

Definitions 1, 2 and 10 of the product brief ("Analytics - exact definitions").
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from tracker.analysis.records import Rating

__all__ = [
    "ContractHealth",
    "Trend",
    "rating_health",
    "contract_health",
    "contract_trend",
    "periods_read",
    "DECLINE_AT_ONCE",
    # building blocks of tracker.analysis.period.analyze (one pass over the ratings for health and trend)
    "mean_health_by_period",
    "contract_health_from_means",
    "trend_from_means",
    "period_index",
]

#: A fall of more than this many points in one period marks a contract declining.
DECLINE_AT_ONCE = 10.0

# Periods back that a contract without a rating borrows its health from.
_LOOKBACK = 2

# Digits kept in a rating's health: enough for any real weighting, few enough
# that a weighted mean score of exactly 4.0 lands on 75.0 and not on
# 74.99999999999999 (which would flip CSAT and weak-link membership).
_HEALTH_DIGITS = 9


@dataclass(frozen=True, slots=True)
class ContractHealth:
    """Health of a contract in a period.

    Attributes
    ----------
    health : float or None
        Points 0-100; None when the contract is unrated.
    stale : bool
        True when `health` was borrowed from an earlier period.
    source_period : str or None
        Label of the period the health comes from; None when unrated.
    """

    health: float | None
    stale: bool = False
    source_period: str | None = None

    @property
    def rated(self):
        """True when the contract has a health, fresh or stale."""
        return self.health is not None


@dataclass(frozen=True, slots=True)
class Trend:
    """Change of a contract's health against the previous period.

    Attributes
    ----------
    delta : float or None
        Health in the period minus health in the previous period (points);
        None when either is missing.
    declining : bool
        Health fell in each of the last two periods, or by more than
        `DECLINE_AT_ONCE` points in the last one.
    """

    delta: float | None
    declining: bool


def rating_health(scores: Mapping[str, int | None], weights: Mapping[str, float]) -> float | None:
    """Return the health of one rating, points 0-100.

    The health is ``100 * sum(w_i * (s_i - 1) / 4) / sum(w_i)`` over the
    answered criteria; criteria answered N/A are left out of both sums.

    Parameters
    ----------
    scores : Mapping[str, int or None]
        Criterion key -> score 1-5, or None for N/A.
    weights : Mapping[str, float]
        Criterion key -> weight > 0; every criterion in `scores` needs one.

    Returns
    -------
    float or None
        The health, or None when no criterion was answered.

    Raises
    ------
    ValueError
        If a score is not an integer 1-5, or a criterion of `scores` has no
        weight or a weight that is not positive; the message names the
        criterion.

    Examples
    --------
    >>> scores = {"quality": 5, "timeliness": 3, "communication": 4, "value": None}
    >>> rating_health(scores, dict.fromkeys(scores, 1.0))
    75.0
    >>> rating_health(scores, {"quality": 2, "timeliness": 1, "communication": 1, "value": 1})
    81.25
    >>> rating_health({"quality": None}, {"quality": 1}) is None
    True

    References
    ----------
    .. [1] Product brief, "Analytics - exact definitions", 1. Health.
    """
    numerator = []
    denominator = []
    for criterion, score in scores.items():
        weight = weights.get(criterion)
        if weight is None:
            raise ValueError(f"criterion {criterion!r} has no weight")
        if not weight > 0:
            raise ValueError(f"criterion {criterion!r} has weight {weight!r}, must be > 0")
        if score is None:
            continue
        if isinstance(score, bool) or score not in (1, 2, 3, 4, 5):
            raise ValueError(f"criterion {criterion!r} has score {score!r}, must be 1-5 or N/A")
        numerator.append(weight * (score - 1))
        denominator.append(weight)
    if not denominator:
        return None
    return round(100 * math.fsum(numerator) / (4 * math.fsum(denominator)), _HEALTH_DIGITS)


def contract_health(
    ratings: Iterable[Rating], contract_ids: Iterable[int], period: str, periods: Sequence[str]
) -> dict[int, ContractHealth]:
    """Return the health of each contract in `period`.

    A contract's health is the mean health of its ratings in `period`. A
    contract without one borrows it from the latest of the two periods before
    `period` that has one, and is marked stale; otherwise it is unrated.

    Parameters
    ----------
    ratings : Iterable[Rating]
        Ratings of the contracts in `period` and earlier; ratings of other
        contracts or of periods not in `periods` are ignored, and so is the
        health of a "no interaction" rating.
    contract_ids : Iterable[int]
        Contracts to report.
    period : str
        Period label.
    periods : Sequence[str]
        All period labels, oldest first; must contain `period`.

    Returns
    -------
    dict[int, ContractHealth]
        Keyed by contract id, one entry for each of `contract_ids`.

    Raises
    ------
    ValueError
        If `period` is not in `periods`.

    Examples
    --------
    >>> ratings = [Rating(1, "Q1", 80.0), Rating(1, "Q2", 60.0), Rating(1, "Q2", 70.0),
    ...            Rating(2, "Q1", 50.0)]
    >>> health = contract_health(ratings, [1, 2, 3], "Q2", ["Q1", "Q2"])
    >>> health[1]
    ContractHealth(health=65.0, stale=False, source_period='Q2')
    >>> health[2]
    ContractHealth(health=50.0, stale=True, source_period='Q1')
    >>> health[3].rated
    False

    References
    ----------
    .. [1] Product brief, "Analytics - exact definitions", 2. Contract health.
    """
    periods = list(periods)
    contract_ids = list(contract_ids)
    period_index(period, periods)
    means = mean_health_by_period(ratings, contract_ids)
    return contract_health_from_means(means, contract_ids, period, periods)


def contract_trend(
    ratings: Iterable[Rating], contract_ids: Iterable[int], period: str, periods: Sequence[str]
) -> dict[int, Trend]:
    """Return the trend of each contract's health up to `period`.

    The health compared is the contract health of definition 2 (stale values
    included) in `period` and in the two periods before it.

    Parameters
    ----------
    ratings, contract_ids, period, periods
        As for `contract_health`.

    Returns
    -------
    dict[int, Trend]
        Keyed by contract id.

    Raises
    ------
    ValueError
        If `period` is not in `periods`.

    Examples
    --------
    >>> ratings = [Rating(1, "Q1", 90.0), Rating(1, "Q2", 85.0), Rating(1, "Q3", 80.0)]
    >>> contract_trend(ratings, [1], "Q3", ["Q1", "Q2", "Q3"])[1]
    Trend(delta=-5.0, declining=True)

    References
    ----------
    .. [1] Product brief, "Analytics - exact definitions", 10. Trend.
    """
    periods = list(periods)
    contract_ids = list(contract_ids)
    index = period_index(period, periods)
    means = mean_health_by_period(ratings, contract_ids)
    return trend_from_means(means, contract_ids, index, periods)


def periods_read(period: str, periods: Sequence[str]) -> list[str]:
    """Return the labels whose ratings the health and trend of `period` depend on, oldest first.

    The trend compares the contract health of `period` with the two periods before it, and
    each of those may borrow a stale value from up to two periods before itself, so no rating
    older than four periods before `period` can change a figure. A loader reads only these.
    Raises ValueError when `period` is not in `periods`.

    Examples
    --------
    >>> periods_read("Q6", ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7"])
    ['Q2', 'Q3', 'Q4', 'Q5', 'Q6']
    >>> periods_read("Q2", ["Q1", "Q2"])
    ['Q1', 'Q2']
    """
    periods = list(periods)
    index = period_index(period, periods)
    return periods[max(0, index - 2 - _LOOKBACK):index + 1]


def period_index(period, periods):
    """Return the position of `period` in `periods`; raise ValueError naming it when absent."""
    try:
        return periods.index(period)
    except ValueError:
        raise ValueError(f"period {period!r} is not among the periods given") from None


def mean_health_by_period(ratings, contract_ids):
    """Return ``{(contract id, period): mean health}`` over rated ratings."""
    wanted = set(contract_ids)
    healths = defaultdict(list)
    for rating in ratings:
        if rating.contract_id in wanted and rating.health is not None and not rating.no_interaction:
            healths[rating.contract_id, rating.period].append(rating.health)
    return {key: math.fsum(values) / len(values) for key, values in healths.items()}


def contract_health_from_means(means, contract_ids, period, periods):
    """Return ``{contract id: ContractHealth}`` in `period` from :func:`mean_health_by_period`'s means (stale allowed)."""
    index = periods.index(period)
    earlier = periods[max(0, index - _LOOKBACK):index][::-1]
    result = {}
    for cid in contract_ids:
        value = means.get((cid, period))
        if value is not None:
            result[cid] = ContractHealth(value, False, period)
            continue
        for label in earlier:
            value = means.get((cid, label))
            if value is not None:
                result[cid] = ContractHealth(value, True, label)
                break
        else:
            result[cid] = ContractHealth(None)
    return result


def trend_from_means(means, contract_ids, index, periods, current=None):
    """Return ``{contract id: Trend}``; `current` is the period's health if already known."""
    # Newest first: health in the period, one period back, two periods back.
    history = [
        current if i == index and current is not None
        else contract_health_from_means(means, contract_ids, periods[i], periods) if i >= 0
        else {}
        for i in (index, index - 1, index - 2)
    ]
    result = {}
    for cid in contract_ids:
        h0, h1, h2 = (h[cid].health if cid in h else None for h in history)
        delta = h0 - h1 if h0 is not None and h1 is not None else None
        fell_twice = delta is not None and h2 is not None and h0 < h1 < h2
        fell_at_once = delta is not None and -delta > DECLINE_AT_ONCE
        result[cid] = Trend(delta, fell_twice or fell_at_once)
    return result
