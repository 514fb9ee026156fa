"""Plain input records for the analysis.

The service layer loads rows from the database and hands them over as these
frozen dataclasses, so the analysis never sees a model, a session or a request.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Department", "Contract", "Rating", "INTERNAL", "EXTERNAL"]

INTERNAL = "internal"
EXTERNAL = "external"


@dataclass(frozen=True, slots=True)
class Department:
    """A department (graph node).

    Parameters
    ----------
    code : str
        Unique short code, the node key in the graph.
    name : str
        Display name.
    kind : str
        ``"internal"`` for a department of the company, ``"external"`` for a
        segment of real customers (a sink of the graph).

    Examples
    --------
    >>> Department("IT", "Information technology", "internal").kind
    'internal'
    """

    code: str
    name: str
    kind: str


@dataclass(frozen=True, slots=True)
class Contract:
    """An agreement: `supplier` delivers `service` to `customer` (graph edge).

    Parameters
    ----------
    id : int
        Unique contract id.
    supplier, customer : str
        Department codes; the supplier is internal, the customer internal or
        external, and the two differ.
    service : str
        Name of the internal product delivered.
    criticality : int
        1 low, 2 medium, 3 high.
    target, floor : float or None, optional
        The contract's own target and quality floor (points 0-100); None means
        the organization's setting applies.

    Examples
    --------
    >>> Contract(1, "IT", "HR", "IT support", 2).target is None
    True
    """

    id: int
    supplier: str
    customer: str
    service: str
    criticality: int
    target: float | None = None
    floor: float | None = None


@dataclass(frozen=True, slots=True)
class Rating:
    """One respondent's rating of one contract for one period.

    Parameters
    ----------
    contract_id : int
        The contract rated.
    period : str
        Period label.
    health : float or None
        Health of the rating, points 0-100 (see `rating_health`); None when no
        criterion was answered or there was no interaction.
    recommend : int or None, optional
        Answer 0-10 to "how likely are you to recommend this service".
    standard_met : str or None, optional
        ``"met"``, ``"partly"``, ``"missed"`` or None (N/A).
    no_interaction : bool, optional
        The respondent had no interaction with the supplier this period; the
        rating counts as a response but carries no health.

    Examples
    --------
    >>> Rating(1, "2026-Q3", 75.0, recommend=9).standard_met is None
    True
    """

    contract_id: int
    period: str
    health: float | None
    recommend: int | None = None
    standard_met: str | None = None
    no_interaction: bool = False
