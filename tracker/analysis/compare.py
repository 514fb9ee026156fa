"""Trends over periods, two periods compared, and an order of departments that shows clusters.

Pure functions over :class:`~tracker.analysis.period.PeriodAnalysis` results; nothing here
imports Flask or the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from tracker.analysis.bands import BAD, GOOD, NONE, WARN
from tracker.analysis.period import CRITICAL, PeriodAnalysis
from tracker.analysis.records import INTERNAL, Contract

__all__ = ["CompanyPoint", "company_point", "LinkChange", "DepartmentChange", "PeriodComparison",
           "compare_periods", "cluster_order", "department_point", "DepartmentPoint", "CHANGE_KINDS",
           "link_change_kinds", "MOVERS_MARKED", "CHANGE_BAND"]

#: How a link changed between two periods, worst first: a weak link that appeared, health down,
#: health up, a weak link that was fixed, no change (or not rated in both).
CHANGE_KINDS = ("new_weak", "worse", "better", "fixed", "unchanged")

#: The band each change is drawn in (its colour comes from the band rule, ``bands.BAND_COLOURS``).
CHANGE_BAND = {"new_weak": BAD, "worse": WARN, "better": GOOD, "fixed": GOOD, "unchanged": NONE}

#: How many departments the compare graph marks as the biggest chain-strength movers.
MOVERS_MARKED = 5


@dataclass(frozen=True, slots=True)
class CompanyPoint:
    """The company in one period.

    Attributes
    ----------
    period : str
    critical, weak : int
        Weak links below their floor, and all weak links.
    mean_health : float or None
        Mean contract health (points) over the rated contracts, stale ones included.
    nps : float or None
        Company internal NPS over every 0-10 answer of the period; ``nps_responses`` is N.
    response_rate : float or None
        Fraction 0-1 of active agreements with at least one response in the period.
    """

    period: str
    critical: int
    weak: int
    mean_health: float | None
    nps: float | None
    nps_responses: int
    response_rate: float | None


def company_point(pa: PeriodAnalysis) -> CompanyPoint:
    """The company figures of one period's analysis.

    NPS and response rate are pooled over the raw answers (never an average of the
    departments' figures): the NPS from each supplier's promoters and detractors, the
    response rate from each customer's responded and active agreements.

    >>> from tracker.analysis import Contract, Department, Rating, analyze
    >>> deps = [Department("A", "A", "internal"), Department("X", "X", "external")]
    >>> pa = analyze(deps, [Contract(1, "A", "X", "s", 3)], [Rating(1, "Q1", 40.0, recommend=10)], "Q1", ["Q1"])
    >>> p = company_point(pa)
    >>> (p.critical, p.weak, p.mean_health, p.nps, p.nps_responses, p.response_rate)
    (1, 1, 40.0, 100.0, 1, 1.0)
    """
    healths = [cf.health for cf in pa.contracts.values() if cf.health is not None]
    net = n = answered = active = 0
    for d in pa.departments.values():
        if d.nps is not None and d.nps_responses:
            # a supplier's nps = 100 (P - D) / N, so its P - D comes back exactly from the figure
            n += d.nps_responses
            net += round(d.nps * d.nps_responses / 100.0)
        if d.response_rate is not None:
            active += d.contracts_to_rate
            answered += round(d.response_rate * d.contracts_to_rate)
    return CompanyPoint(
        period=pa.period,
        critical=sum(1 for w in pa.weak_links if w.severity == CRITICAL),
        weak=len(pa.weak_links),
        mean_health=sum(healths) / len(healths) if healths else None,
        nps=None if n == 0 else 100.0 * net / n,
        nps_responses=n,
        response_rate=None if active == 0 else answered / active,
    )


@dataclass(frozen=True, slots=True)
class DepartmentPoint:
    """One department in one period: what it gives (as supplier) and what it gets (as customer).

    ``given``/``received`` are mean contract health (points) of its agreements as supplier /
    as customer; ``nps`` (with ``nps_responses``) its internal NPS as a supplier;
    ``response_rate`` a fraction 0-1 as a customer; ``chain_strength`` S(d), points.
    """

    period: str
    chain_strength: float | None
    given: float | None
    received: float | None
    nps: float | None
    nps_responses: int
    response_rate: float | None


def department_point(pa: PeriodAnalysis, code: str) -> DepartmentPoint:
    """Department ``code`` in one period's analysis (all None when it is not in it)."""
    given = [cf.health for cf in pa.contracts.values() if cf.contract.supplier == code and cf.health is not None]
    got = [cf.health for cf in pa.contracts.values() if cf.contract.customer == code and cf.health is not None]
    d = pa.departments.get(code)
    return DepartmentPoint(pa.period, None if d is None else d.chain_strength, sum(given) / len(given) if given else None,
                           sum(got) / len(got) if got else None,
                           None if d is None else d.nps, 0 if d is None else d.nps_responses,
                           None if d is None else d.response_rate)


class _Change:
    """A figure in two periods; `change` is after − before (points), None when either is missing."""

    __slots__ = ()
    before: float | None
    after: float | None

    @property
    def change(self) -> float | None:
        return None if self.before is None or self.after is None else self.after - self.before


@dataclass(frozen=True, slots=True)
class LinkChange(_Change):
    """One agreement in both periods: health before and after (points) and the change."""

    contract: Contract
    before: float | None
    after: float | None


@dataclass(frozen=True, slots=True)
class DepartmentChange(_Change):
    """Chain strength of one internal department in both periods and the change (points)."""

    code: str
    name: str
    before: float | None
    after: float | None


@dataclass(frozen=True, slots=True)
class PeriodComparison:
    """Two periods compared (see `compare_periods`)."""

    before: str
    after: str
    better: list
    worse: list
    appeared: list
    fixed: list
    departments: list


def compare_periods(a: PeriodAnalysis, b: PeriodAnalysis, *, top: int | None = None) -> PeriodComparison:
    """Compare period ``a`` (before) with ``b`` (after).

    Parameters
    ----------
    a, b : PeriodAnalysis
    top : int, optional
        Keep at most this many rows in each list.

    Returns
    -------
    PeriodComparison
        ``better``/``worse``: agreements rated (or stale) in both, health up/down, biggest
        change first; ``appeared``: weak links of ``b`` that were not weak in ``a`` (new or
        newly below target); ``fixed``: weak links of ``a`` that ``b`` no longer has;
        ``departments``: internal departments with a chain strength in both periods, by the
        size of the change, biggest first (ties by code).

    Examples
    --------
    >>> from tracker.analysis import Contract, Department, Rating, analyze
    >>> deps = [Department("A", "A", "internal"), Department("X", "X", "external")]
    >>> cons = [Contract(1, "A", "X", "s", 3)]
    >>> a = analyze(deps, cons, [Rating(1, "Q1", 40.0)], "Q1", ["Q1", "Q2"])
    >>> b = analyze(deps, cons, [Rating(1, "Q1", 40.0), Rating(1, "Q2", 90.0)], "Q2", ["Q1", "Q2"])
    >>> c = compare_periods(a, b)
    >>> [x.change for x in c.better], [w.contract.id for w in c.fixed], c.departments[0].change
    ([50.0], [1], 50.0)
    """
    changes = []
    for cid, cf in b.contracts.items():
        old = a.contracts.get(cid)
        if old is not None and old.health is not None and cf.health is not None and old.health != cf.health:
            changes.append(LinkChange(cf.contract, old.health, cf.health))
    better = sorted((c for c in changes if c.change > 0), key=lambda c: (-c.change, _key(c.contract)))
    worse = sorted((c for c in changes if c.change < 0), key=lambda c: (c.change, _key(c.contract)))
    weak_a = {w.contract.id for w in a.weak_links}
    weak_b = {w.contract.id for w in b.weak_links}
    appeared = [w for w in b.weak_links if w.contract.id not in weak_a]
    fixed = [w for w in a.weak_links if w.contract.id not in weak_b]
    deps = []
    for code, d in b.departments.items():
        old = a.departments.get(code)
        if d.kind == INTERNAL and old is not None and d.chain_strength is not None \
                and old.chain_strength is not None:
            deps.append(DepartmentChange(code, d.name, old.chain_strength, d.chain_strength))
    deps.sort(key=lambda c: (-abs(c.change), c.code))
    cut = slice(None) if top is None else slice(top)
    return PeriodComparison(a.period, b.period, better[cut], worse[cut], appeared[cut], fixed[cut], deps[cut])


def link_change_kinds(comparison: PeriodComparison, contract_ids: Iterable[int]) -> dict[int, tuple[str, float | None]]:
    """Each agreement's change between the two periods of ``comparison``, for the compare graph.

    Parameters
    ----------
    comparison : PeriodComparison
        The result of :func:`compare_periods` (untruncated: ``top=None``), so that the graph and
        the tables tell the same story.
    contract_ids : iterable of int
        The agreements drawn (those of the later period).

    Returns
    -------
    dict
        ``{contract id: (kind, change)}``: ``kind`` one of :data:`CHANGE_KINDS` — ``new_weak``
        when the link is among ``comparison.appeared``, ``fixed`` among ``comparison.fixed``,
        else ``worse``/``better`` by its health change, else ``unchanged``; ``change`` the
        health change in points (None when not rated in both).

    Examples
    --------
    With ``a`` and ``b`` of :func:`compare_periods`' example (one link, 40 → 90 points):

    >>> from tracker.analysis import Contract, Department, Rating, analyze
    >>> deps = [Department("A", "A", "internal"), Department("X", "X", "external")]
    >>> cons = [Contract(1, "A", "X", "s", 3)]
    >>> a, b = (analyze(deps, cons, [Rating(1, "Q1", 40.0)] + extra, q, ["Q1", "Q2"])
    ...         for extra, q in (([], "Q1"), ([Rating(1, "Q2", 90.0)], "Q2")))
    >>> link_change_kinds(compare_periods(a, b), [1])
    {1: ('fixed', 50.0)}
    """
    amount = {c.contract.id: c.change for c in (*comparison.better, *comparison.worse)}
    appeared = {w.contract.id for w in comparison.appeared}
    fixed = {w.contract.id for w in comparison.fixed}
    kinds = {}
    for cid in contract_ids:
        change = amount.get(cid)
        if cid in appeared:
            kind = "new_weak"
        elif cid in fixed:
            kind = "fixed"
        elif change is not None:
            kind = "worse" if change < 0 else "better"
        else:
            kind = "unchanged"
        kinds[cid] = (kind, change)
    return kinds


def cluster_order(codes: Iterable[str], links: Iterable[tuple[str, str]]) -> list[str]:
    """``codes`` ordered so that departments linked to each other sit next to each other.

    Reverse Cuthill-McKee over the undirected links [1]_ (it numbers each connected group of
    departments together and keeps linked ones close, so a supplier × customer matrix in this
    order shows its clusters near the diagonal); groups by size, largest first; ties by code.

    >>> cluster_order(["A", "B", "C", "D"], [("A", "C"), ("B", "D")])
    ['C', 'A', 'D', 'B']

    References
    ----------
    .. [1] E. Cuthill and J. McKee, "Reducing the bandwidth of sparse symmetric matrices", 1969.
    """
    G = nx.Graph()
    G.add_nodes_from(sorted(codes))
    G.add_edges_from((u, v) for u, v in links if u in G and v in G)
    order: list[str] = []
    groups = sorted(nx.connected_components(G), key=lambda c: (-len(c), min(c)))
    for group in groups:
        sub = G.subgraph(group)
        order.extend(nx.utils.reverse_cuthill_mckee_ordering(sub, heuristic=_smallest_code))
    return order


def _smallest_code(G: nx.Graph) -> str:
    """Start each group at its least connected department (smallest code on a tie): repeatable."""
    return min(G, key=lambda n: (G.degree(n), n))


def _key(con: Contract) -> tuple:
    return con.supplier, con.customer, con.service, con.id
