"""The informal service graph: a "who do you go to for advice" survey rolled up to departments.

Pure functions, no Flask, no database. A *tie* ``(asker, advisor)`` says that person
*asker* goes to person *advisor* for help or advice, so the advisor's department
informally supplies the asker's: the department-level edge is
``department[advisor] → department[asker]`` (supplier → customer), the direction of an
agreement. Volumes count ties (each asker–advisor pair once); ties inside one department
are kept apart as ``within``.

The comparison with the agreements follows the glossary of PRODUCT.md:

* a **shadow service** is a supplier → customer pair of departments with informal volume
  at or above a threshold and no agreement in that direction;
* a **dormant agreement** is an agreement with no observed tie between its two
  departments (in either direction), where both departments took part in the survey —
  a department nobody surveyed says nothing about its agreements;
* **informal reliance** of a department is its incoming volume from other departments.

Examples
--------
>>> r = roll_up([("a", "b"), ("c", "b"), ("b", "a")], {"a": "X", "b": "Y", "c": "X"})
>>> r.volumes
{('X', 'Y'): 1, ('Y', 'X'): 2}
>>> r.in_degree
{'a': 1, 'b': 2, 'c': 0}
>>> [s.supplier + '>' + s.customer for s in shadow_services(r.volumes, [("X", "Y")], 2)]
['Y>X']
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Mapping

__all__ = [
    "DormantAgreement",
    "NetworkRollup",
    "ShadowService",
    "dormant_agreements",
    "informal_reliance",
    "natural_key",
    "roll_up",
    "shadow_services",
]


@dataclass
class NetworkRollup:
    """A survey rolled up to departments.

    ``volumes`` maps ``(supplier, customer)`` department codes (different) to the number
    of ties; ``within`` maps each department that has people to the ties inside it (0
    when none); ``in_degree`` maps every person to how many others ask them; ``people``
    and ``ties`` are the counts.
    """

    people: int
    ties: int
    in_degree: dict[str, int]
    volumes: dict[tuple[str, str], int]
    within: dict[str, int]
    departments: dict[str, int] = field(default_factory=dict)  # code → number of people

    def to_json(self) -> dict:
        """The shape of ``flask import-network --json``: people, ties, in_degree, volumes, within."""
        return {
            "people": self.people,
            "ties": self.ties,
            "in_degree": dict(self.in_degree),
            "volumes": [{"supplier": s, "customer": c, "volume": n} for (s, c), n in self.volumes.items()],
            "within": dict(self.within),
        }


@dataclass(frozen=True)
class ShadowService:
    """An informal supplier → customer dependency that no agreement covers: ``volume`` ties."""

    supplier: str
    customer: str
    volume: int


@dataclass(frozen=True)
class DormantAgreement:
    """An agreement (``contract_id``) between two surveyed departments with no tie between them."""

    contract_id: int
    supplier: str
    customer: str


def natural_key(text: str) -> tuple:
    """Sort key that orders ``"2"`` before ``"10"`` and ``"L2"`` before ``"L10"``."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.split(r"(\d+)", str(text)) if part != "")


def roll_up(ties: Iterable[tuple[str, str]], department: Mapping[str, str]) -> NetworkRollup:
    """Roll person-level ties up to department volumes.

    Parameters
    ----------
    ties : iterable of (asker, advisor)
        Person ids; a pair given twice counts once, a self-pair not at all.
    department : mapping person → department code
        Every person of the survey (people without a tie count in ``people`` and get
        in-degree 0).

    Returns
    -------
    NetworkRollup
        Volumes ordered by supplier, then customer (natural order of codes); ``in_degree``
        and ``within`` in natural order of ids and codes.

    Raises
    ------
    KeyError
        A tie names a person that ``department`` does not have.
    """
    unique = {(a, b) for a, b in ties if a != b}
    in_degree = Counter({person: 0 for person in department})
    volumes: Counter = Counter()
    within: Counter = Counter({code: 0 for code in department.values()})
    for asker, advisor in unique:
        in_degree[advisor] += 1
        supplier, customer = department[advisor], department[asker]
        if supplier == customer:
            within[supplier] += 1
        else:
            volumes[supplier, customer] += 1
    sizes = Counter(department.values())
    order = {code: natural_key(code) for code in sizes}  # one key per department, not per pair
    return NetworkRollup(
        people=len(department),
        ties=len(unique),
        in_degree={p: in_degree[p] for p in sorted(in_degree, key=natural_key)},
        volumes={k: volumes[k] for k in sorted(volumes, key=lambda k: (order[k[0]], order[k[1]]))},
        within={c: within[c] for c in sorted(within, key=order.__getitem__)},
        departments={c: sizes[c] for c in sorted(sizes, key=order.__getitem__)},
    )


def shadow_services(volumes: Mapping[tuple[str, str], int], agreements: Iterable[tuple[str, str]],
                    threshold: int) -> list[ShadowService]:
    """Supplier → customer pairs with ``volume >= threshold`` and no agreement in that direction.

    ``agreements`` are ``(supplier, customer)`` codes of the agreements in force; an
    agreement the other way round does not cover the pair. Ordered by volume descending,
    then supplier and customer. A threshold below 1 is taken as 1 (no tie is no service).
    """
    covered = set(agreements)
    found = [ShadowService(s, c, n) for (s, c), n in volumes.items()
             if s != c and n >= max(1, threshold) and (s, c) not in covered]
    return sorted(found, key=lambda x: (-x.volume, natural_key(x.supplier), natural_key(x.customer)))


def dormant_agreements(contracts: Iterable[tuple[int, str, str]], volumes: Mapping[tuple[str, str], int],
                       surveyed: Iterable[str]) -> list[DormantAgreement]:
    """Agreements ``(id, supplier, customer)`` with no tie between their departments in either direction.

    Only agreements whose two departments are both in ``surveyed`` (departments with
    people in the survey) are judged. Ordered by supplier, customer, id.
    """
    seen = set(surveyed)
    found = [DormantAgreement(cid, s, c) for cid, s, c in contracts
             if s in seen and c in seen and not volumes.get((s, c)) and not volumes.get((c, s))]
    return sorted(found, key=lambda d: (natural_key(d.supplier), natural_key(d.customer), d.contract_id))


def informal_reliance(volumes: Mapping[tuple[str, str], int]) -> dict[str, int]:
    """Incoming informal volume per supplier department (ties from other departments), largest first."""
    incoming: Counter = Counter()
    for (supplier, customer), n in volumes.items():
        if supplier != customer:
            incoming[supplier] += n
    return dict(sorted(incoming.items(), key=lambda kv: (-kv[1], natural_key(kv[0]))))
