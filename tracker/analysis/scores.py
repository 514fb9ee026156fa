"""Survey figures: internal NPS, CSAT, standard met, response rate, rounding.

Definition 4 of the product brief. Every figure is computed from raw ratings,
never as an average of averages.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "CSAT_THRESHOLD",
    "SMALL_SAMPLE",
    "nps",
    "csat",
    "standard_met_rate",
    "response_rate",
    "round_half_away",
]

#: Health at or above which a rating counts as satisfied (mean criterion score >= 4.0).
#: Fixed by definition, independent of the organization's target.
CSAT_THRESHOLD = 75.0

#: An NPS over fewer answers than this is shown as a small sample.
SMALL_SAMPLE = 5

_STANDARD_MET_CREDIT = {"met": 1.0, "partly": 0.5, "missed": 0.0}


def nps(answers: Iterable[int | None]) -> tuple[float | None, int]:
    """Return the internal Net Promoter Score of 0-10 answers.

    NPS = 100 * (P - D) / N with P the promoters (9-10), D the detractors
    (0-6) and N all answers, passives (7-8) included.

    Parameters
    ----------
    answers : Iterable[int]
        Answers 0-10; None entries (no answer) are skipped.

    Returns
    -------
    tuple[float or None, int]
        The score, unrounded, in -100..100 (None when N = 0), and N.

    Raises
    ------
    ValueError
        If an answer is not an integer 0-10.

    Examples
    --------
    >>> nps([7, 9, 5, 2])
    (-25.0, 4)
    >>> nps([])
    (None, 0)

    References
    ----------
    .. [1] F. F. Reichheld, "The One Number You Need to Grow", Harvard Business
       Review, December 2003.
    """
    promoters = detractors = n = 0
    for answer in answers:
        if answer is None:
            continue
        if isinstance(answer, bool) or answer not in range(11):
            raise ValueError(f"recommend answer {answer!r} must be 0-10")
        n += 1
        if answer >= 9:
            promoters += 1
        elif answer <= 6:
            detractors += 1
    if n == 0:
        return None, 0
    return 100 * (promoters - detractors) / n, n


def csat(healths: Iterable[float | None]) -> float | None:
    """Return CSAT, the percent of ratings whose health is at least 75.

    Parameters
    ----------
    healths : Iterable[float or None]
        Healths of ratings (points 0-100); None entries (ratings without a
        health) are left out of the count.

    Returns
    -------
    float or None
        Percent 0-100, or None when no rating has a health.

    Examples
    --------
    >>> csat([70.0, 85.0, 55.0, 40.0])
    25.0
    >>> csat([75.0, None])
    100.0
    >>> csat([]) is None
    True
    """
    satisfied = n = 0
    for health in healths:
        if health is None:
            continue
        n += 1
        if health >= CSAT_THRESHOLD:
            satisfied += 1
    return 100 * satisfied / n if n else None


def standard_met_rate(values: Iterable[str | None]) -> float | None:
    """Return the rate at which the agreed standard was met, a fraction 0-1.

    Computed as ``(met + 0.5 * partly) / (met + partly + missed)``.

    Parameters
    ----------
    values : Iterable[str or None]
        ``"met"``, ``"partly"``, ``"missed"``, or None (N/A, left out).

    Returns
    -------
    float or None
        The rate, or None when nothing was answered.

    Raises
    ------
    ValueError
        If a value is none of the above.

    Examples
    --------
    >>> standard_met_rate(["met", "partly", "missed", None])
    0.5
    """
    credit = []
    for value in values:
        if value is None:
            continue
        try:
            credit.append(_STANDARD_MET_CREDIT[value])
        except KeyError:
            raise ValueError(f"standard_met {value!r} must be met, partly or missed") from None
    return sum(credit) / len(credit) if credit else None


def response_rate(contract_ids: Iterable[int], ratings: Iterable) -> float | None:
    """Return the share of contracts that have at least one response.

    Any rating record is a response, a "no interaction" one included.

    Parameters
    ----------
    contract_ids : Iterable[int]
        The contracts a customer department has to rate in the period.
    ratings : Iterable[Rating]
        Ratings of the period; ratings of other contracts are ignored.

    Returns
    -------
    float or None
        Fraction 0-1, or None when there is nothing to rate.

    Examples
    --------
    >>> from tracker.analysis.records import Rating
    >>> response_rate([1, 2], [Rating(1, "Q1", None, no_interaction=True)])
    0.5
    >>> response_rate([], []) is None
    True
    """
    wanted = set(contract_ids)
    if not wanted:
        return None
    answered = {r.contract_id for r in ratings} & wanted
    return len(answered) / len(wanted)


def round_half_away(x: float, ndigits: int = 0) -> float:
    """Round `x` to `ndigits` decimals, halves away from zero.

    Python's `round` rounds halves to even and works on the binary value;
    this rounds the decimal figure a reader sees, as a spreadsheet does.

    Parameters
    ----------
    x : float
        Number to round; NaN and infinities are returned as they are.
    ndigits : int, optional
        Decimals to keep (default 0).

    Returns
    -------
    float

    Examples
    --------
    >>> round_half_away(12.5), round_half_away(-12.5), round_half_away(2.5)
    (13.0, -13.0, 3.0)
    >>> round_half_away(0.15, 1), round_half_away(-33.25, 1)
    (0.2, -33.3)
    """
    if x != x or x in (float("inf"), float("-inf")):
        return x
    # repr gives the shortest decimal that reads back as x, i.e. the figure
    # the user sees, so 0.15 rounds up although its binary value is below.
    quantum = Decimal(1).scaleb(-ndigits)
    return float(Decimal(repr(float(x))).quantize(quantum, rounding=ROUND_HALF_UP))
