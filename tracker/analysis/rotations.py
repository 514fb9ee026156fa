"""Where a short staff rotation would help: friction between two internal departments.

Pure functions over a `PeriodAnalysis`; nothing here imports Flask or the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["RotationSuggestion", "friction", "suggest_rotations"]

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
    """Pairs (supplier, customer) of internal departments where a rotation would help most.

    Parameters
    ----------
    pa : PeriodAnalysis
        The period's analysis (`tracker.analysis.analyze`).
    planned : iterable of (str, str)
        Department-code pairs that already have a rotation in the period; a pair is
        excluded in both directions (a rotation either way brings the two together).
    limit : int, optional
        Return at most this many suggestions.

    Returns
    -------
    list of RotationSuggestion
        One per pair with at least one rated contract (stale allowed) below its
        target, both departments internal. The pair's score is the sum of `friction`
        over those contracts; sorted by score descending, then health ascending,
        then supplier and customer code.

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
    excluded = set()
    for a, b in planned:
        excluded.add((a, b))
        excluded.add((b, a))
    kinds = {code: dep.kind for code, dep in pa.departments.items()}

    pairs: dict[tuple[str, str], list] = {}
    for figures in pa.contracts.values():
        con = figures.contract
        pair = (con.supplier, con.customer)
        if figures.health is None or pair in excluded:
            continue
        if kinds.get(con.supplier) != INTERNAL or kinds.get(con.customer) != INTERNAL:
            continue
        pairs.setdefault(pair, []).append(figures)

    suggestions = []
    for (supplier, customer), rows in pairs.items():
        below = [f for f in rows if f.health < f.target]
        if not below:
            continue
        suggestions.append(RotationSuggestion(
            supplier=supplier,
            customer=customer,
            health=min(f.health for f in rows),
            severity="critical" if any(f.health < f.floor for f in rows) else "warning",
            criticality=max(f.contract.criticality for f in below),
            reach=max(f.reach for f in below),
            risk=sum(max(0.0, f.target - f.health) * f.contract.criticality * f.reach for f in below),
            score=sum(friction(f.health, f.target, f.contract.criticality, f.reach) for f in below),
            contracts=tuple(sorted(f.contract.id for f in below)),
        ))
    suggestions.sort(key=lambda s: (-s.score, s.health, s.supplier, s.customer))
    return suggestions if limit is None else suggestions[:limit]
