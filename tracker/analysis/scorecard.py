"""The customer-orientation scorecard: each department's KPIs against its targets.

Pure functions; nothing here imports Flask or the database. The loader is
:mod:`tracker.services.scorecard`.

Units: every KPI is "higher is better" and given in the unit it is read in —
internal NPS (-100..100), CSAT, standard met, response rate and follow-ups
acknowledged on time in percent (0-100), mean health in points (0-100).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tracker.analysis.period import PeriodAnalysis
from tracker.analysis.records import INTERNAL

__all__ = [
    "METRICS",
    "MET",
    "MISSED",
    "SMALL_SAMPLE_VERDICT",
    "NO_DATA",
    "KpiValue",
    "KpiLine",
    "DepartmentScorecard",
    "kpi_values",
    "verdict",
    "effective_targets",
    "department_scorecard",
    "company_scorecard",
    "sort_scorecards",
]

#: The six KPIs, in the order every table shows them.
METRICS = ("nps", "csat", "standard_met", "response_rate", "followups_on_time", "mean_health")

#: Verdicts of one KPI line.
MET = "met"
MISSED = "missed"
SMALL_SAMPLE_VERDICT = "small_sample"
NO_DATA = "no_data"


@dataclass(frozen=True, slots=True)
class KpiValue:
    """One KPI of one department in one period: ``value`` (None when there is nothing to count) over ``n``."""

    value: float | None
    n: int


@dataclass(frozen=True, slots=True)
class KpiLine:
    """One line of a scorecard.

    Attributes
    ----------
    metric : str
        One of `METRICS`.
    value : float or None
        The KPI in its unit (see the module docstring).
    target : float
        The target that applies: the department's own, else the organization's.
    verdict : str
        `MET`, `MISSED`, `SMALL_SAMPLE_VERDICT` (fewer than the threshold to
        judge on) or `NO_DATA`.
    change : float or None
        ``value`` minus the previous period's value; None when either is None.
    n : int
        How many ratings, answers, agreements or follow-ups the value rests on.
    """

    metric: str
    value: float | None
    target: float
    verdict: str
    change: float | None
    n: int


@dataclass(frozen=True, slots=True)
class DepartmentScorecard:
    """A department's scorecard: ``lines`` by metric, in `METRICS` order."""

    code: str
    name: str
    lines: dict

    @property
    def met(self) -> int:
        """How many KPIs are met."""
        return sum(1 for line in self.lines.values() if line.verdict == MET)

    @property
    def missed(self) -> int:
        """How many KPIs are missed."""
        return sum(1 for line in self.lines.values() if line.verdict == MISSED)


def kpi_values(pa: PeriodAnalysis, on_time: Mapping[str, tuple[float | None, int]] | None = None
               ) -> dict[str, dict[str, KpiValue]]:
    """Every KPI of every internal department that is a party to an agreement of ``pa``.

    Parameters
    ----------
    pa : PeriodAnalysis
        The period's analysis (NPS, CSAT, standard met, response rate come from
        its raw ratings; mean health from its contract health, stale included).
    on_time : mapping, optional
        ``{code: (fraction 0-1 or None, n)}`` of follow-ups acknowledged on time.

    Returns
    -------
    dict
        ``{code: {metric: KpiValue}}``, percentages 0-100.

    Examples
    --------
    >>> from tracker.analysis import Contract, Department, Rating, analyze
    >>> deps = [Department("IT", "IT", "internal"), Department("EXT", "Clients", "external")]
    >>> pa = analyze(deps, [Contract(1, "IT", "EXT", "s", 2)], [Rating(1, "Q1", 80.0, recommend=10)], "Q1", ["Q1"])
    >>> v = kpi_values(pa)["IT"]
    >>> v["nps"], v["mean_health"], v["followups_on_time"]
    (KpiValue(value=100.0, n=1), KpiValue(value=80.0, n=1), KpiValue(value=None, n=0))
    """
    on_time = on_time or {}
    healths: dict[str, list[float]] = {}
    linked: set[str] = set()
    for cf in pa.contracts.values():
        linked.update((cf.contract.supplier, cf.contract.customer))
        if cf.health is not None:
            healths.setdefault(cf.contract.supplier, []).append(cf.health)
    result = {}
    for code, d in pa.departments.items():
        if d.kind != INTERNAL or code not in linked:
            continue
        rate, n_fu = on_time.get(code, (None, 0))
        given = healths.get(code, [])
        result[code] = {
            "nps": KpiValue(d.nps, d.nps_responses),
            "csat": KpiValue(d.csat, d.csat_responses),
            "standard_met": KpiValue(_percent(d.standard_met), d.standard_met_responses),
            "response_rate": KpiValue(_percent(d.response_rate), d.contracts_to_rate),
            "followups_on_time": KpiValue(_percent(rate), n_fu),
            "mean_health": KpiValue(sum(given) / len(given) if given else None, len(given)),
        }
    return result


def verdict(value: float | None, n: int, target: float, small_sample: int) -> str:
    """`MET` when ``value >= target``, `MISSED` below it; `NO_DATA` without a value, and
    `SMALL_SAMPLE_VERDICT` when the value rests on fewer than ``small_sample`` items.

    >>> verdict(80.0, 12, 75.0, 5), verdict(70.0, 12, 75.0, 5), verdict(80.0, 3, 75.0, 5), verdict(None, 0, 75.0, 5)
    ('met', 'missed', 'small_sample', 'no_data')
    """
    if value is None:
        return NO_DATA
    if n < small_sample:
        return SMALL_SAMPLE_VERDICT
    return MET if value >= target else MISSED


def effective_targets(defaults: Mapping[str, float], overrides: Mapping[str, Mapping[str, float]],
                      code: str) -> dict[str, float]:
    """The targets of department ``code``: its own where it has one, else the organization default.

    >>> effective_targets({"nps": 20.0, "csat": 70.0}, {"IT": {"nps": 0.0}}, "IT")
    {'nps': 0.0, 'csat': 70.0}
    """
    own = overrides.get(code, {})
    return {metric: float(own.get(metric, target)) for metric, target in defaults.items()}


def department_scorecard(code: str, name: str, values: Mapping[str, KpiValue],
                         previous: Mapping[str, KpiValue] | None, targets: Mapping[str, float],
                         small_sample: int) -> DepartmentScorecard:
    """One department's scorecard: value, target, verdict, change since ``previous`` and N per KPI.

    ``values`` and ``previous`` are one department's entry of `kpi_values` (``previous`` None
    for the first period); ``targets`` maps every metric of `METRICS` to its target.
    """
    lines = {}
    for metric in METRICS:
        now = values.get(metric, KpiValue(None, 0))
        before = (previous or {}).get(metric)
        change = None if now.value is None or before is None or before.value is None else now.value - before.value
        target = float(targets[metric])
        lines[metric] = KpiLine(metric, now.value, target, verdict(now.value, now.n, target, small_sample),
                                change, now.n)
    return DepartmentScorecard(code, name, lines)


def company_scorecard(names: Mapping[str, str], values: Mapping[str, Mapping[str, KpiValue]],
                      previous: Mapping[str, Mapping[str, KpiValue]] | None, defaults: Mapping[str, float],
                      overrides: Mapping[str, Mapping[str, float]], small_sample: int) -> list[DepartmentScorecard]:
    """Every department of ``values`` × every KPI, by department code.

    ``names`` maps a code to the department's name; ``previous`` is `kpi_values` of the previous
    period (None when there is none); ``defaults`` and ``overrides`` as for `effective_targets`.
    """
    previous = previous or {}
    return [
        department_scorecard(code, names.get(code, code), values[code], previous.get(code),
                             effective_targets(defaults, overrides, code), small_sample)
        for code in sorted(values)
    ]


def sort_scorecards(cards: list[DepartmentScorecard], sort: str) -> list[DepartmentScorecard]:
    """``cards`` sorted by ``sort``: ``code``, ``name``, ``met``, ``missed`` or a metric (its value);
    a ``-`` prefix sorts descending. Cards without the value go last either way; ties by code.

    Raises
    ------
    ValueError
        ``sort`` names no column.
    """
    key = sort.lstrip("-")
    descending = sort.startswith("-")
    if key not in ("code", "name", "met", "missed", *METRICS):
        raise ValueError(f"unknown scorecard column {key!r}")
    rows = sorted(cards, key=lambda c: c.code)
    if key in ("code", "name"):
        return sorted(rows, key=lambda c: getattr(c, key).casefold(), reverse=descending)
    if key in ("met", "missed"):
        return sorted(rows, key=lambda c: getattr(c, key), reverse=descending)
    present = [c for c in rows if c.lines[key].value is not None]
    absent = [c for c in rows if c.lines[key].value is None]
    return sorted(present, key=lambda c: c.lines[key].value, reverse=descending) + absent


def _percent(fraction: float | None) -> float | None:
    return None if fraction is None else fraction * 100.0
