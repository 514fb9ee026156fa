"""The analysis of one period: every figure of the product brief at once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import networkx as nx

from tracker.analysis.bands import BAD, WARN, band
from tracker.analysis.chains import ChainStrength, chain_strength
from tracker.analysis.dominators import dominated_counts
from tracker.analysis.graph import build_graph
from tracker.analysis.health import (
    contract_health_from_means,
    mean_health_by_period,
    period_index,
    trend_from_means,
    periods_read,
)
from tracker.analysis.reachability import cut_off, reach
from tracker.analysis.records import INTERNAL, Contract, Department, Rating
from tracker.analysis.scores import (
    SMALL_SAMPLE,
    csat,
    nps,
    response_rate,
    round_half_away,
    standard_met_rate,
)

__all__ = [
    "TARGET",
    "FLOOR",
    "CRITICAL",
    "WARNING",
    "ContractFigures",
    "DepartmentFigures",
    "WeakLink",
    "BlindSpot",
    "PeriodAnalysis",
    "analyze",
]

#: Default organization target T and quality floor F, points 0-100.
TARGET = 75.0
FLOOR = 50.0

#: Severity of a contract below its target: below its floor, or only below target.
CRITICAL = "critical"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class ContractFigures:
    """Everything computed about one contract in the period.

    Attributes
    ----------
    contract : Contract
    health : float or None
        Contract health, points 0-100 (None when unrated).
    stale : bool
        The health was borrowed from one of the two periods before.
    source_period : str or None
        Period the health comes from.
    target, floor : float
        The target and floor that apply: the contract's own, or the
        organization's.
    reach : int
        Internal departments whose chain to the customer runs through it.
    risk : float or None
        ``max(0, target - health) * criticality * reach``; None when unrated.
    severity : str or None
        ``"critical"`` below the floor, ``"warning"`` below the target only,
        None when at or above target or unrated.
    delta : float or None
        Health change against the previous period, points.
    declining : bool
        Health fell in each of the last two periods, or by more than 10 points
        in the last one.
    last_health : float or None
        For an unrated contract (no health, not even stale): its mean health in
        the latest earlier period that has one among the four before (those the
        loader reads, see `periods_read`), points 0-100; None otherwise.
        It is not health (the brief's two-period rule stands); it says what the
        link was when it went silent.
    last_period : str or None
        The period `last_health` comes from.
    """

    contract: Contract
    health: float | None
    stale: bool
    source_period: str | None
    target: float
    floor: float
    reach: int
    risk: float | None
    severity: str | None
    delta: float | None
    declining: bool
    last_health: float | None = None
    last_period: str | None = None

    @property
    def last_risk(self):
        """``max(0, target - last_health) * criticality * reach``; None without a last known health."""
        if self.last_health is None:
            return None
        return float(max(0.0, self.target - self.last_health) * self.contract.criticality * self.reach)

    @property
    def weak(self):
        """True when the contract is a weak link: below its target with reach > 0."""
        return self.severity is not None and self.reach > 0

    @property
    def blind_spot(self):
        """True when the contract is unrated with reach > 0."""
        return self.health is None and self.reach > 0


@dataclass(frozen=True, slots=True)
class DepartmentFigures:
    """Everything computed about one department in the period.

    Attributes
    ----------
    code, name, kind : str
    chain_strength : float or None
        S(d), points 0-100; None for an external customer.
    bottleneck : int or None
        Contract id of the department's bottleneck link.
    relies_on_unrated : bool
    cut_off : bool
    dominates : int
        Internal departments that lose the external customer without it.
    nps : float or None
        Internal NPS as a supplier, unrounded.
    nps_responses : int
        Number of 0-10 answers behind `nps`.
    csat : float or None
        Percent of its ratings as a supplier with health >= 75.
    standard_met : float or None
        Fraction 0-1 of "standard met" answers, partly counting half.
    response_rate : float or None
        Fraction 0-1 of its contracts as a customer with a response; None when
        it has nothing to rate.
    csat_responses, standard_met_responses, contracts_to_rate : int
        N behind `csat` (its ratings with a health), behind `standard_met`
        (met/partly/missed answers) and behind `response_rate` (its contracts
        as a customer).
    """

    code: str
    name: str
    kind: str
    chain_strength: float | None
    bottleneck: int | None
    relies_on_unrated: bool
    cut_off: bool
    dominates: int
    nps: float | None
    nps_responses: int
    csat: float | None
    standard_met: float | None
    response_rate: float | None
    csat_responses: int = 0
    standard_met_responses: int = 0
    contracts_to_rate: int = 0

    @property
    def nps_shown(self):
        """NPS as shown on a page: an integer, halves away from zero; None when no answers."""
        return None if self.nps is None else int(round_half_away(self.nps))

    @property
    def small_sample(self):
        """True when the NPS rests on fewer than five answers."""
        return 0 < self.nps_responses < SMALL_SAMPLE


@dataclass(frozen=True, slots=True)
class WeakLink:
    """A contract below its target on the way to the external customer.

    Attributes
    ----------
    rank : int
        Position among the weak links, from 1.
    contract : Contract
    health : float
        Contract health, points 0-100, possibly stale.
    stale : bool
    reach : int
    risk : float
        ``max(0, target - health) * criticality * reach``.
    severity : str
        ``"critical"`` below the contract's floor, else ``"warning"``.
    """

    rank: int
    contract: Contract
    health: float
    stale: bool
    reach: int
    risk: float
    severity: str


@dataclass(frozen=True, slots=True)
class BlindSpot:
    """An unrated contract on the way to the external customer.

    Attributes
    ----------
    contract : Contract
    reach : int
        Internal departments whose chain to the customer runs through it.
    last_health : float or None
        Health in `last_period`, the latest earlier period in which it was
        rated (see `ContractFigures.last_health`); None when never rated.
    last_period : str or None
    last_risk : float or None
        The risk the last known health would carry now; blind spots are
        ordered by it, so a critical link that went silent heads the list.
    """

    contract: Contract
    reach: int
    last_health: float | None = None
    last_period: str | None = None
    last_risk: float | None = None


@dataclass(frozen=True, slots=True)
class PeriodAnalysis:
    """The analysis of one period, as returned by `analyze`.

    Attributes
    ----------
    period : str
    target, floor : float
        The organization's settings.
    departments : dict[str, DepartmentFigures]
        Every department, internal and external, by code.
    contracts : dict[int, ContractFigures]
        Every active contract, by id.
    weak_links : list[WeakLink]
        By risk descending, then health ascending, then supplier code.
    blind_spots : list[BlindSpot]
        By last known risk descending (never rated last), then reach
        descending, then supplier and customer code.
    cut_off : list[str]
        Internal departments cut off from the external customer, sorted.
    chains : dict[str, ChainStrength]
        By internal department.
    dominated : dict[str, int]
        By internal department: how many internal departments it dominates.
    link_health : dict[tuple[str, str], float or None]
        By edge (supplier, customer).
    graph : networkx.DiGraph
        The graph made by `build_graph`.
    """

    period: str
    target: float
    floor: float
    departments: dict
    contracts: dict
    weak_links: list
    blind_spots: list
    cut_off: list
    chains: dict
    dominated: dict
    link_health: dict
    graph: nx.DiGraph = field(repr=False, compare=False)

    def to_json(self) -> dict:
        """Return the analysis as plain JSON data.

        The shape is the product brief's "The analysis as JSON": internal
        departments only, by code; health and risk as computed, NPS and CSAT
        to one decimal (halves away from zero), response rate a fraction.

        Returns
        -------
        dict
        """
        contracts = self.contracts

        def bottleneck(cid):
            if cid is None:
                return None
            con = contracts[cid].contract
            return {"supplier": con.supplier, "customer": con.customer, "service": con.service}

        def one_decimal(x):
            return None if x is None else round_half_away(x, 1)

        departments = [
            {
                "code": d.code,
                "name": d.name,
                "kind": d.kind,
                "chain_strength": d.chain_strength,
                "bottleneck": bottleneck(d.bottleneck),
                "relies_on_unrated": d.relies_on_unrated,
                "cut_off": d.cut_off,
                "dominates": d.dominates,
                "nps": one_decimal(d.nps),
                "nps_responses": d.nps_responses,
                "csat": one_decimal(d.csat),
                "standard_met": d.standard_met,
                "response_rate": d.response_rate,
            }
            for d in self.departments.values()
            if d.kind == INTERNAL
        ]
        weak_links = [
            {
                "rank": w.rank,
                "supplier": w.contract.supplier,
                "customer": w.contract.customer,
                "service": w.contract.service,
                "health": w.health,
                "stale": w.stale,
                "criticality": w.contract.criticality,
                "reach": w.reach,
                "risk": w.risk,
                "severity": w.severity,
            }
            for w in self.weak_links
        ]
        # The brief's shape; a blind spot that was rated before adds where it was last.
        blind_spots = [
            {
                "supplier": b.contract.supplier,
                "customer": b.contract.customer,
                "service": b.contract.service,
                "reach": b.reach,
                **({"last_health": b.last_health, "last_period": b.last_period} if b.last_period else {}),
            }
            for b in self.blind_spots
        ]
        return {
            "period": self.period,
            "target": float(self.target),
            "floor": float(self.floor),
            "departments": departments,
            "weak_links": weak_links,
            "blind_spots": blind_spots,
            "cut_off": list(self.cut_off),
        }


def analyze(
    departments: Iterable[Department],
    contracts: Iterable[Contract],
    ratings: Iterable[Rating],
    period: str,
    periods: Sequence[str],
    *,
    target: float = TARGET,
    floor: float = FLOOR,
) -> PeriodAnalysis:
    """Return the analysis of an organization in one period.

    Parameters
    ----------
    departments : Iterable[Department]
        Every department, internal and external.
    contracts : Iterable[Contract]
        The contracts active in `period` (the caller filters).
    ratings : Iterable[Rating]
        Ratings of those contracts in `period` and earlier periods; the
        earlier ones give stale health and the trend.
    period : str
        Label of the period analysed.
    periods : Sequence[str]
        Period labels, oldest first, containing `period`.
    target, floor : float, optional
        The organization's target T and quality floor F, points 0-100; a
        contract's own target or floor overrides them for that contract.

    Returns
    -------
    PeriodAnalysis

    Raises
    ------
    ValueError
        If `period` is not in `periods`, or the departments and contracts
        break an invariant (see `build_graph`), or a rating holds an answer
        out of range.

    Examples
    --------
    >>> from tracker.analysis import Contract, Department, Rating
    >>> deps = [Department("IT", "IT", "internal"), Department("LOG", "Logistics", "internal"),
    ...         Department("EXT", "Clients", "external")]
    >>> cons = [Contract(1, "IT", "LOG", "support", 2), Contract(2, "LOG", "EXT", "delivery", 3)]
    >>> ratings = [Rating(1, "Q1", 60.0, recommend=9), Rating(2, "Q1", 90.0)]
    >>> a = analyze(deps, cons, ratings, "Q1", ["Q1"])
    >>> a.departments["IT"].chain_strength, a.contracts[1].reach, a.contracts[1].risk
    (60.0, 1, 30.0)
    >>> [(w.contract.id, w.severity) for w in a.weak_links]
    [(1, 'warning')]
    >>> a.to_json()["departments"][0]["nps"]
    100.0

    References
    ----------
    .. [1] Product brief, "Analytics - exact definitions" 1-10.
    """
    departments = list(departments)
    contracts = list(contracts)
    ratings = list(ratings)
    periods = list(periods)
    index = period_index(period, periods)
    by_id = {c.id: c for c in contracts}
    ids = list(by_id)

    means = mean_health_by_period(ratings, ids)
    health = contract_health_from_means(means, ids, period, periods)
    trend = trend_from_means(means, ids, index, periods, current=health)
    last_known = _last_known(means, index, periods)
    G = build_graph(departments, contracts, {cid: h.health for cid, h in health.items()})
    chains = chain_strength(G)
    reaches = reach(G)
    dominated = dominated_counts(G)
    cut = cut_off(G)

    figures = _contract_figures(by_id, health, trend, reaches, target, floor, last_known)
    weak_links, blind_spots = _weak_links(figures), _blind_spots(figures)
    dep_figures = _department_figures(departments, contracts, ratings, period, chains, dominated, set(cut))

    return PeriodAnalysis(
        period=period,
        target=target,
        floor=floor,
        departments=dep_figures,
        contracts=figures,
        weak_links=weak_links,
        blind_spots=blind_spots,
        cut_off=cut,
        chains=chains,
        dominated=dominated,
        link_health={(u, v): h for u, v, h in G.edges(data="health")},
        graph=G,
    )


def _contract_figures(by_id, health, trend, reaches, target, floor, last_known) -> dict[int, ContractFigures]:
    """Figures of each contract: health, its own target/floor, reach, risk, severity, trend, and the last known
    health of an unrated one."""
    figures = {}
    for cid in sorted(by_id):
        con = by_id[cid]
        ch = health[cid]
        t = target if con.target is None else con.target
        f = floor if con.floor is None else con.floor
        r = reaches[con.supplier, con.customer]
        h = ch.health
        risk = None if h is None else float(max(0.0, t - h) * con.criticality * r)
        severity = {WARN: WARNING, BAD: CRITICAL}.get(band(h, t, f))
        last = last_known.get(cid) if h is None else None
        figures[cid] = ContractFigures(
            con, h, ch.stale, ch.source_period, t, f, r, risk, severity,
            trend[cid].delta, trend[cid].declining,
            last[1] if last else None, last[0] if last else None,
        )
    return figures


def _weak_links(figures) -> list[WeakLink]:
    """Weak links ranked by risk (highest first), then health, then the contract's names."""
    weak = sorted(
        (cf for cf in figures.values() if cf.weak),
        key=lambda cf: (-cf.risk, cf.health, cf.contract.supplier, cf.contract.customer,
                        cf.contract.service, cf.contract.id),
    )
    return [
        WeakLink(rank, cf.contract, cf.health, cf.stale, cf.reach, cf.risk, cf.severity)
        for rank, cf in enumerate(weak, start=1)
    ]


def _blind_spots(figures) -> list[BlindSpot]:
    """Unrated contracts on the way to the customer, widest reach first."""
    blind = sorted(
        (cf for cf in figures.values() if cf.blind_spot),
        key=lambda cf: (cf.last_risk is None, -(cf.last_risk or 0.0), -cf.reach, cf.contract.supplier,
                        cf.contract.customer, cf.contract.service, cf.contract.id),
    )
    return [BlindSpot(cf.contract, cf.reach, cf.last_health, cf.last_period, cf.last_risk)
            for cf in blind]


def _department_figures(departments, contracts, ratings, period, chains, dominated,
                        cut_set) -> dict[str, DepartmentFigures]:
    """Figures of each department: chain strength, dominance and this period's survey figures."""
    by_id = {c.id: c for c in contracts}
    # Survey figures come from this period's raw ratings only, never from
    # stale health or per-contract means.
    supplied = defaultdict(list)
    received = defaultdict(list)
    to_rate = defaultdict(list)
    for con in contracts:
        to_rate[con.customer].append(con.id)
    for rating in ratings:
        con = by_id.get(rating.contract_id)
        if rating.period == period and con is not None:
            supplied[con.supplier].append(rating)
            received[con.customer].append(rating)

    dep_figures = {}
    for dep in sorted(departments, key=lambda d: d.code):
        chain = chains.get(dep.code, ChainStrength(None, None, False))
        given = supplied.get(dep.code, [])
        score, n = nps(r.recommend for r in given)
        dep_figures[dep.code] = DepartmentFigures(
            code=dep.code,
            name=dep.name,
            kind=dep.kind,
            chain_strength=chain.strength,
            bottleneck=chain.bottleneck,
            relies_on_unrated=chain.relies_on_unrated,
            cut_off=dep.code in cut_set,
            dominates=dominated.get(dep.code, 0),
            nps=score,
            nps_responses=n,
            csat=csat(None if r.no_interaction else r.health for r in given),
            standard_met=standard_met_rate(r.standard_met for r in given),
            response_rate=response_rate(to_rate.get(dep.code, ()), received.get(dep.code, ())),
            csat_responses=sum(1 for r in given if r.health is not None and not r.no_interaction),
            standard_met_responses=sum(1 for r in given if r.standard_met in ("met", "partly", "missed")),
            contracts_to_rate=len(to_rate.get(dep.code, ())),
        )
    return dep_figures


def _last_known(means, index, periods):
    """``{contract id: (period, mean health)}`` of the latest period before ``periods[index]`` with a health,
    among the periods the loader reads (`periods_read`: the four before), so no older rating counts."""
    position = {label: i for i, label in enumerate(periods)}
    oldest = index - len(periods_read(periods[index], periods)) + 1
    best = {}
    for (cid, label), value in means.items():
        i = position.get(label)
        if i is not None and oldest <= i < index and (cid not in best or i > best[cid][0]):
            best[cid] = (i, value)
    return {cid: (periods[i], value) for cid, (i, value) in best.items()}
