"""Where a short staff rotation would help: friction between two internal departments.

Pure functions over a `PeriodAnalysis`; nothing here imports Flask or the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

__all__ = [
    "ContractAnswers", "PlannedVisit", "RotationSuggestion", "Skipped", "Suggestions", "effect_summary", "excerpt",
    "friction", "greedy_plan", "mentions_requests", "plan_risk", "propose_plan", "suggest", "suggest_rotations",
]

INTERNAL = "internal"


@dataclass(frozen=True, slots=True)
class RotationSuggestion:
    """One suggested rotation: a person of `supplier` spends time in `customer`.

    Attributes
    ----------
    supplier, customer : str
        Department codes; the rotation goes from the supplier to the customer, so
        the supplier's people see how their product is used.
    health : float
        Link health, points 0-100: the lowest health among the pair's rated
        contracts (stale ones included).
    severity : str
        ``"critical"`` when any contract of the pair is below its floor, else
        ``"warning"``.
    criticality : int
        The highest criticality (1-3) among the pair's contracts below target.
    reach : int
        The highest reach among those contracts.
    risk : float
        The sum of their risks, ``max(0, T - h) * c * reach`` (points).
    score : float
        The friction the suggestions are ranked by, see `friction`.
    contracts : tuple[int, ...]
        Ids of the contracts below target, by id.
    """

    supplier: str
    customer: str
    health: float
    severity: str
    criticality: int
    reach: int
    risk: float
    score: float
    contracts: tuple
    visits: tuple = ()
    kind: str = "supplier_visits"
    service: str = ""
    communication: float | None = None
    excerpt: str = ""
    reverse_health: float | None = None

    @property
    def legs(self) -> tuple:
        """The visits as ``((visitor, host), ...)``: one, or two for mutual friction."""
        return self.visits or ((self.supplier, self.customer),)


@dataclass(frozen=True, slots=True)
class ContractAnswers:
    """What a contract's customers said in the period, beyond health.

    Attributes
    ----------
    communication : float or None
        Mean "communication" criterion score, 1-5, over the period's ratings that answered it.
    comments : tuple of str
        The period's comments, as the reader may see them (empty when the reader may not).
    mentions_requests : bool
        Some comment (seen or not) talks about requests, tickets or forms.
    """

    communication: float | None = None
    comments: tuple = ()
    mentions_requests: bool = False


@dataclass(frozen=True, slots=True)
class Skipped:
    """A pair left out of the suggestions because it had a rotation recently (``period``: that rotation's)."""

    supplier: str
    customer: str
    period: str
    score: float


@dataclass(frozen=True, slots=True)
class Suggestions:
    """The ranked suggestions and the pairs skipped for a recent rotation."""

    rows: list
    skipped: list


#: A mean "communication" score at or below this (1-5 scale) suggests the customer misreads the service.
LOW_COMMUNICATION = 2.5
#: Words in a comment that point at how the customer asks for the service (en and ru stems).
REQUEST_WORDS = ("request", "ticket", "form", "order", "заявк", "запрос", "форм", "тикет")
EXCERPT_CHARS = 80


def mentions_requests(text: str) -> bool:
    """Does a comment talk about requests (how the customer asks for the service)?

    >>> mentions_requests("Our requests sit in the queue"), mentions_requests("Fine")
    (True, False)
    """
    low = (text or "").lower()
    return any(word in low for word in REQUEST_WORDS)


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The first ``limit`` characters of a comment on one line, with an ellipsis when cut.

    >>> excerpt("Trucks  wait   at the dock", 12)
    'Trucks wait…'
    """
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[:limit - 1].rstrip() + "…"


def friction(health: float, target: float, criticality: int, reach: int) -> float:
    """Friction of one contract: ``max(0, target - health) * criticality * max(reach, 1)``.

    It is the contract's risk (PRODUCT.md definition 8) except that a link with reach 0
    still counts once: two departments that work badly together need a rotation even
    when their link does not lead to an external customer, only less urgently.

    Examples
    --------
    >>> friction(45.0, 75.0, 3, 5)
    450.0
    >>> friction(40.0, 75.0, 1, 0)
    35.0
    >>> friction(80.0, 75.0, 3, 5)
    0.0
    """
    return max(0.0, float(target) - float(health)) * int(criticality) * max(int(reach), 1)


def suggest_rotations(pa, planned: Iterable[tuple[str, str]] = (), *, limit: int | None = None
                      ) -> list[RotationSuggestion]:
    """The ranked rows of :func:`suggest`, leaving out the ``planned`` pairs (either direction).

    Examples
    --------
    >>> from tracker.analysis import Contract, Department, Rating, analyze
    >>> deps = [Department("WH", "WH", "internal"), Department("LOG", "LOG", "internal"),
    ...         Department("EXT", "Clients", "external")]
    >>> cons = [Contract(1, "WH", "LOG", "picking", 3), Contract(2, "LOG", "EXT", "delivery", 3)]
    >>> pa = analyze(deps, cons, [Rating(1, "Q1", 45.0), Rating(2, "Q1", 90.0)], "Q1", ["Q1"])
    >>> [(s.supplier, s.customer, s.health, s.risk) for s in suggest_rotations(pa)]
    [('WH', 'LOG', 45.0, 90.0)]
    """
    return suggest(pa, recent={(a, b): "" for a, b in planned}, limit=limit).rows


def suggest(pa, *, answers: Mapping[int, ContractAnswers] | None = None,
            recent: Mapping[tuple[str, str], str] | None = None, limit: int | None = None) -> Suggestions:
    """Pairs of internal departments where a rotation would help most, and who should visit whom.

    Parameters
    ----------
    pa : PeriodAnalysis
        The period's analysis (`tracker.analysis.analyze`).
    answers : mapping of contract id to ContractAnswers, optional
        The customers' "communication" scores and comments, for the direction and the reason.
    recent : mapping of (str, str) to str, optional
        Department-code pairs that had a rotation recently (either direction), with the
        label of that rotation's period; such pairs are skipped and listed in ``skipped``.
    limit : int, optional
        Return at most this many rows (``skipped`` is never cut).

    Returns
    -------
    Suggestions
        ``rows``: one per unordered pair of internal departments with at least one rated
        contract (stale allowed) below its target. Direction: a person of the supplier
        visits the customer (``kind="supplier_visits"``) to see how the service is used;
        the customer visits the supplier (``"customer_visits"``) when its answers suggest
        it misunderstands the service - a mean "communication" score at or below
        `LOW_COMMUNICATION` or a comment about requests; both ways (``"mutual"``, two
        ``visits``) when each rates the other below target. The score is the sum of
        `friction` over the contracts below target (both directions for mutual ones);
        sorted by score descending, then health ascending, then supplier and customer code.
        ``skipped``: the pairs left out for ``recent``, by score descending.

    Examples
    --------
    >>> from tracker.analysis import Contract, Department, Rating, analyze
    >>> deps = [Department(c, c, "internal") for c in ("A", "B")]
    >>> cons = [Contract(1, "A", "B", "x", 2), Contract(2, "B", "A", "y", 1)]
    >>> pa = analyze(deps, cons, [Rating(1, "Q1", 40.0), Rating(2, "Q1", 60.0)], "Q1", ["Q1"])
    >>> [(s.kind, s.visits, s.score) for s in suggest(pa).rows]
    [('mutual', (('A', 'B'), ('B', 'A')), 85.0)]
    >>> suggest(pa, recent={("B", "A"): "Q0"}).skipped
    [Skipped(supplier='A', customer='B', period='Q0', score=85.0)]
    """
    answers = answers or {}
    recent_pairs: dict[frozenset, str] = {}
    for (a, b), label in (recent or {}).items():
        recent_pairs[frozenset((a, b))] = label
    kinds = {code: dep.kind for code, dep in pa.departments.items()}

    directed: dict[tuple[str, str], list] = {}
    for figures in pa.contracts.values():
        con = figures.contract
        if figures.health is None:
            continue
        if kinds.get(con.supplier) != INTERNAL or kinds.get(con.customer) != INTERNAL:
            continue
        directed.setdefault((con.supplier, con.customer), []).append(figures)
    below = {pair: sorted((f for f in rows if f.health < f.target), key=lambda f: (f.health, f.contract.id))
             for pair, rows in directed.items()}
    below = {pair: rows for pair, rows in below.items() if rows}

    rows, skipped, seen = [], [], set()
    for pair in sorted(below, key=lambda p: (-_score(below[p]), p)):
        key = frozenset(pair)
        if key in seen:
            continue
        seen.add(key)
        reverse = pair[::-1]
        legs = [pair] + ([reverse] if reverse in below else [])
        worst = below[pair][0]
        own = [answers.get(f.contract.id, ContractAnswers()) for f in below[pair]]
        comm = [a.communication for a in own if a.communication is not None]
        communication = sum(comm) / len(comm) if comm else None
        if len(legs) == 2:
            kind, visits = "mutual", (pair, reverse)
        elif (communication is not None and communication <= LOW_COMMUNICATION) or any(
                a.mentions_requests for a in own):
            kind, visits = "customer_visits", (reverse,)
        else:
            kind, visits = "supplier_visits", (pair,)
        contracts = [f for leg in legs for f in below[leg]]
        every = [f for leg in legs for f in directed[leg]]
        comment = next((c for a in own for c in a.comments if c and c.strip()), "")
        suggestion = RotationSuggestion(
            supplier=pair[0],
            customer=pair[1],
            health=min(f.health for f in directed[pair]),
            severity="critical" if any(f.health < f.floor for f in every) else "warning",
            criticality=max(f.contract.criticality for f in contracts),
            reach=max(f.reach for f in contracts),
            risk=sum(max(0.0, f.target - f.health) * f.contract.criticality * f.reach for f in contracts),
            score=sum(_score(below[leg]) for leg in legs),
            contracts=tuple(sorted(f.contract.id for f in contracts)),
            visits=visits,
            kind=kind,
            service=worst.contract.service,
            communication=communication,
            excerpt=excerpt(comment) if comment else "",
            reverse_health=min(f.health for f in directed[reverse]) if reverse in directed else None,
        )
        if key in recent_pairs:
            skipped.append(Skipped(pair[0], pair[1], recent_pairs[key], suggestion.score))
            continue
        rows.append(suggestion)
    rows.sort(key=lambda s: (-s.score, s.health, s.supplier, s.customer))
    skipped.sort(key=lambda s: (-s.score, s.supplier, s.customer))
    return Suggestions(rows if limit is None else rows[:limit], skipped)


def _score(figures) -> float:
    return sum(friction(f.health, f.target, f.contract.criticality, f.reach) for f in figures)


# --- the plan ------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PlannedVisit:
    """One visit of a plan: a person of ``visitor`` spends time in ``host`` in week ``week`` (an index).

    ``leg`` is the index of the visit in the list given to :func:`propose_plan`; ``weight``
    the risk it covers (points).
    """

    leg: int
    visitor: str
    host: str
    week: int
    weight: float


def _remaining(capacity: Mapping[str, int], used: Mapping[tuple[int, str], int], week: int, code: str) -> int:
    return int(capacity.get(code, 0)) - int(used.get((week, code), 0))


def greedy_plan(legs: Sequence[tuple[str, str, float]], weeks: int, sends: Mapping[str, int],
                hosts: Mapping[str, int], *, sent: Mapping | None = None, hosted: Mapping | None = None
                ) -> list[PlannedVisit]:
    """The obvious plan: visits by weight descending, each in the first week both sides have room.

    Parameters and result as :func:`propose_plan`; the baseline that plan must beat or equal.
    """
    sent_now, hosted_now = defaultdict(int, sent or {}), defaultdict(int, hosted or {})
    plan = []
    for i in sorted(range(len(legs)), key=lambda i: (-legs[i][2], i)):
        visitor, host, weight = legs[i]
        if weight <= 0 or visitor == host:
            continue
        for week in range(weeks):
            if (_remaining(sends, sent_now, week, visitor) > 0
                    and _remaining(hosts, hosted_now, week, host) > 0):
                sent_now[week, visitor] += 1
                hosted_now[week, host] += 1
                plan.append(PlannedVisit(i, visitor, host, week, float(weight)))
                break
    return sorted(plan, key=lambda v: (v.week, -v.weight, v.leg))


def propose_plan(legs: Sequence[tuple[str, str, float]], weeks: int, sends: Mapping[str, int],
                 hosts: Mapping[str, int], *, sent: Mapping | None = None, hosted: Mapping | None = None
                 ) -> list[PlannedVisit]:
    """Fill ``weeks`` weeks with visits, within every capacity, covering as much risk as possible.

    Each week is a *weighted b-matching*: a department ``d`` may send ``sends[d]`` people
    and host ``hosts[d]`` people that week (less what ``sent``/``hosted`` already book),
    and each visit (leg) is planned at most once in the period. Sending and hosting are
    two sides of a bipartite graph (a department appears once on each side), so the
    b-matching is a transportation problem and is solved exactly as a minimum-cost flow
    with NetworkX's ``network_simplex``: source → sender ``a`` (capacity: room to send),
    sender ``a`` → leg ``i`` (capacity 1, cost ``-w``) → host ``b`` (capacity 1), host ``b``
    → sink (capacity: room to host), plus a free source → sink bypass so that the flow
    takes only the visits that pay. The constraint matrix is totally unimodular, so the
    optimum is integral (Ahuja, Magnanti & Orlin, *Network Flows*, 1993, ch. 9 and
    §12.2; Schrijver, *Combinatorial Optimization*, 2003, §21.6 on bipartite b-matching).
    Weights are scaled to integers (1/1000 of a point) for an exact simplex. Legs used
    in one week leave the pool for the next.

    A sequence of per-week optima is not always a global optimum, so the greedy plan
    (:func:`greedy_plan`) is computed too and the one covering more risk is returned; the
    result therefore never covers less than the greedy plan.

    Parameters
    ----------
    legs : sequence of (visitor code, host code, weight)
        Candidate visits; weight is the risk a visit covers (points, > 0 to be planned).
    weeks : int
        Number of weeks, indexed 0 … weeks-1.
    sends, hosts : mapping of code to int
        People a department may send / host per week (a missing code: 0).
    sent, hosted : mapping of (week, code) to int, optional
        Visits already booked, which use capacity.

    Returns
    -------
    list of PlannedVisit
        By week, then weight descending, then leg index.

    Examples
    --------
    >>> legs = [("A", "B", 10), ("C", "D", 10), ("A", "D", 15)]
    >>> one = {"A": 1, "B": 1, "C": 1, "D": 1}
    >>> [(v.visitor, v.host) for v in propose_plan(legs, 1, one, one)]
    [('A', 'B'), ('C', 'D')]
    >>> [(v.visitor, v.host) for v in greedy_plan(legs, 1, one, one)]
    [('A', 'D')]
    """
    sent_now, hosted_now = defaultdict(int, sent or {}), defaultdict(int, hosted or {})
    left = {i for i, (a, b, w) in enumerate(legs) if w > 0 and a != b}
    plan = []
    for week in range(weeks):
        chosen = _week_b_matching(legs, left, week, sends, hosts, sent_now, hosted_now)
        for i in chosen:
            visitor, host, weight = legs[i]
            sent_now[week, visitor] += 1
            hosted_now[week, host] += 1
            plan.append(PlannedVisit(i, visitor, host, week, float(weight)))
        left -= set(chosen)
    plan.sort(key=lambda v: (v.week, -v.weight, v.leg))
    greedy = greedy_plan(legs, weeks, sends, hosts, sent=sent, hosted=hosted)
    return greedy if plan_risk(greedy) > plan_risk(plan) else plan


def _week_b_matching(legs, left, week, sends, hosts, sent_now, hosted_now) -> list[int]:
    """The legs of one week's maximum-weight b-matching (see :func:`propose_plan`), by index."""
    graph = nx.DiGraph()
    supply = 0
    for i in sorted(left):
        visitor, host, weight = legs[i]
        room_send = _remaining(sends, sent_now, week, visitor)
        room_host = _remaining(hosts, hosted_now, week, host)
        if room_send <= 0 or room_host <= 0:
            continue
        if not graph.has_edge("source", ("send", visitor)):
            graph.add_edge("source", ("send", visitor), capacity=room_send, weight=0)
            supply += room_send
        if not graph.has_edge(("host", host), "sink"):
            graph.add_edge(("host", host), "sink", capacity=room_host, weight=0)
        graph.add_edge(("send", visitor), ("leg", i), capacity=1, weight=-max(1, round(float(weight) * 1000)))
        graph.add_edge(("leg", i), ("host", host), capacity=1, weight=0)
    if supply == 0:
        return []
    graph.add_edge("source", "sink", capacity=supply, weight=0)
    graph.nodes["source"]["demand"] = -supply
    graph.nodes["sink"]["demand"] = supply
    _cost, flow = nx.network_simplex(graph)
    return [node[1] for node in graph if isinstance(node, tuple) and node[0] == "leg"
            and flow[node][("host", legs[node[1]][1])] == 1]


def plan_risk(plan: Iterable[PlannedVisit]) -> float:
    """The risk a plan covers: the sum of its visits' weights (points)."""
    return float(sum(v.weight for v in plan))


# --- the effect ----------------------------------------------------------------------------------

def effect_summary(changes: Iterable[tuple[float, bool]]) -> dict:
    """Mean health change of weak links with a rotation against those without, with counts.

    Parameters
    ----------
    changes : iterable of (delta, had_rotation)
        One per weak link of a period that is rated in the next one: the change of its
        health (points) and whether its two departments had a done rotation in between.

    Returns
    -------
    dict
        ``{"with": mean or None, "with_n": int, "without": mean or None, "without_n": int}``.
        An observation, not a proof: the groups are small and not chosen at random.

    Examples
    --------
    >>> effect_summary([(10.0, True), (4.0, True), (-2.0, False)])
    {'with': 7.0, 'with_n': 2, 'without': -2.0, 'without_n': 1}
    """
    groups: dict[bool, list[float]] = {True: [], False: []}
    for delta, rotated in changes:
        groups[bool(rotated)].append(float(delta))

    def mean(values):
        return sum(values) / len(values) if values else None

    return {"with": mean(groups[True]), "with_n": len(groups[True]),
            "without": mean(groups[False]), "without_n": len(groups[False])}
