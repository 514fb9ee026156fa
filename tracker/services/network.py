"""Network surveys: store a checked survey's department volumes, and compare them with the agreements.

:func:`store_survey` is the only write (one transaction, audited), used by the
``flask import-network`` command, the import page and the demo. Reading and checking
live in :mod:`tracker.importer.network`, the roll-up and the comparison rules in
:mod:`tracker.analysis.network`; :func:`comparison` loads the plain rows they need.

Survey department codes meet the organization's departments by code, compared
without regard to case (``wh`` is ``WH``); codes the organization does not have are
listed as unmatched and take no part in the comparison.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..analysis import network as rules
from ..extensions import db
from ..importer.network import NetworkRead
from ..models import Department, NetworkSurvey, NetworkVolume, Setting
from . import analysis as analysis_service
from . import audit
from . import settings as settings_service

__all__ = [
    "Comparison",
    "DEFAULT_THRESHOLD",
    "NetworkError",
    "comparison",
    "latest_survey",
    "match_codes",
    "set_threshold",
    "store_survey",
    "survey_volumes",
    "threshold",
]

THRESHOLD_KEY = "shadow_threshold"
DEFAULT_THRESHOLD = int(settings_service.DEFAULTS[THRESHOLD_KEY])
MAX_THRESHOLD = 100000


class NetworkError(ValueError):
    """A survey or a setting is refused; the message says why."""


def store_survey(read: NetworkRead, *, name: str | None = None, token: str | None = None,
                 actor_id: int | None = None, commit: bool = True) -> NetworkSurvey:
    """Store a survey read without problems: its counts and department volumes, in one transaction.

    ``token`` identifies one upload: storing the same token again returns the survey
    stored the first time and writes nothing (a double submit is one survey). An audit
    row records who imported what. ``commit=False`` leaves the commit to the caller (the
    demo builder writes everything in its own single transaction).

    Raises
    ------
    NetworkError
        ``read`` has problems (nothing is written).
    """
    if read.problems:
        raise NetworkError(f"{len(read.problems)} problem(s): " + "; ".join(str(p) for p in read.problems[:5]))
    token = token or secrets.token_hex(16)
    existing = db.session.scalar(select(NetworkSurvey).where(NetworkSurvey.token == token))
    if existing is not None:
        return existing
    rollup = read.rollup()
    survey = NetworkSurvey(token=token, name=(name or read.source)[:255], relation=read.relation,
                           department_column=read.department_column[:100], people=rollup.people,
                           ties=rollup.ties, self_pairs=read.self_pairs, user_id=actor_id)
    survey.volumes = [NetworkVolume(supplier_code=s, customer_code=c, volume=n)
                      for (s, c), n in rollup.volumes.items()]
    survey.volumes += [NetworkVolume(supplier_code=code, customer_code=code, volume=n)
                       for code, n in rollup.within.items()]
    db.session.add(survey)
    try:
        db.session.flush()
    except IntegrityError:
        # The same upload stored by a concurrent request (a double click on two workers): that one stands.
        db.session.rollback()
        existing = db.session.scalar(select(NetworkSurvey).where(NetworkSurvey.token == token))
        if existing is None:
            raise
        return existing
    audit.record("import", "network_survey", survey.id, {
        "people": [None, rollup.people], "ties": [None, rollup.ties],
        "department_pairs": [None, len(rollup.volumes)],
    }, reason=survey.name, user_id=actor_id)
    if commit:
        db.session.commit()
    return survey


def latest_survey() -> NetworkSurvey | None:
    """The most recently imported survey (the one compared with the agreements), or None."""
    return db.session.scalar(select(NetworkSurvey).order_by(NetworkSurvey.created_at.desc(),
                                                            NetworkSurvey.id.desc()).limit(1))


def survey_volumes(survey: NetworkSurvey) -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    """``(volumes, within)`` of a stored survey, by the survey's own department codes."""
    volumes, within = {}, {}
    for s, c, n in db.session.execute(select(NetworkVolume.supplier_code, NetworkVolume.customer_code,
                                             NetworkVolume.volume).where(NetworkVolume.survey_id == survey.id)):
        if s == c:
            within[s] = n
        else:
            volumes[s, c] = n
    return volumes, within


def threshold() -> int:
    """The organization's shadow-service threshold: the least informal volume (ties) that counts."""
    try:
        return max(1, int(settings_service.get(THRESHOLD_KEY)))
    except ValueError:
        return DEFAULT_THRESHOLD


def set_threshold(value: int, *, actor_id: int | None = None) -> bool:
    """Save the shadow-service threshold (1–100000 ties), audited; True when it changed.

    Raises
    ------
    NetworkError
        ``value`` is not a whole number in range.
    """
    if not isinstance(value, int) or not 1 <= value <= MAX_THRESHOLD:
        raise NetworkError(f"the threshold must be a whole number from 1 to {MAX_THRESHOLD}")
    old = threshold()
    if old == value:
        return False
    row = db.session.get(Setting, THRESHOLD_KEY)
    if row is None:
        db.session.add(Setting(key=THRESHOLD_KEY, value=str(value)))
    else:
        row.value = str(value)
    audit.record("update", "setting", None, {THRESHOLD_KEY: [str(old), str(value)]}, user_id=actor_id)
    db.session.commit()
    return True


@dataclass
class RelianceRow:
    """A department most relied on informally, beside its formal position in the period."""

    code: str
    name: str
    incoming: int
    within: int
    chain_strength: float | None
    dominates: int | None
    agreements_supplied: int


@dataclass
class Comparison:
    """The latest survey against the agreements active in a period.

    ``shadow`` and ``dormant`` follow :mod:`tracker.analysis.network`; ``contracts``
    maps a dormant agreement's id to ``(supplier, customer, service)``; ``unmatched``
    lists survey codes the organization does not have; ``volumes`` are by the
    organization's codes.
    """

    survey: NetworkSurvey | None
    period: object | None
    threshold: int
    shadow: list[rules.ShadowService] = field(default_factory=list)
    dormant: list[rules.DormantAgreement] = field(default_factory=list)
    reliance: list[RelianceRow] = field(default_factory=list)
    contracts: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    volumes: dict[tuple[str, str], int] = field(default_factory=dict)
    unmatched: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)

    def overlay_json(self) -> dict:
        """The graph overlay: shadow edges and dormant agreement ids (the network page's JSON)."""
        return {
            "survey": None if self.survey is None else {
                "id": self.survey.id, "name": self.survey.name, "people": self.survey.people,
                "ties": self.survey.ties, "created_at": self.survey.created_at.isoformat()},
            "period": getattr(self.period, "label", None),
            "threshold": self.threshold,
            "shadow": [{"supplier": s.supplier, "customer": s.customer, "volume": s.volume} for s in self.shadow],
            "dormant": [d.contract_id for d in self.dormant],
            "unmatched": list(self.unmatched),
        }


def comparison(period=None, *, threshold_value: int | None = None) -> Comparison:
    """Compare the latest survey with the agreements active in ``period`` (default: the current one).

    Reads the survey's volumes, the departments, and the period's analysis (for chain
    strength and dominated count, and the active agreements); with no period, the
    agreements not archived. A fixed number of queries.
    """
    limit = threshold() if threshold_value is None else max(1, threshold_value)
    survey = latest_survey()
    period = analysis_service.current_period() if period is None else analysis_service.resolve_period(period)
    result = Comparison(survey=survey, period=period, threshold=limit)
    if survey is None:
        return result
    raw_volumes, raw_within = survey_volumes(survey)
    departments = {code.upper(): (code, name) for code, name in db.session.execute(
        select(Department.code, Department.name).where(Department.archived_at.is_(None)))}
    result.names = {code: name for code, name in departments.values()}

    def org(code: str) -> str | None:
        found = departments.get(code.upper())
        return found[0] if found else None

    codes = set(raw_within) | {c for pair in raw_volumes for c in pair}
    result.unmatched = sorted((c for c in codes if org(c) is None), key=rules.natural_key)
    volumes: dict[tuple[str, str], int] = {}
    for (s, c), n in raw_volumes.items():
        if org(s) and org(c) and org(s) != org(c):
            volumes[org(s), org(c)] = volumes.get((org(s), org(c)), 0) + n
    within = {org(c): n for c, n in raw_within.items() if org(c)}
    surveyed = set(within)
    result.volumes = volumes

    pa = analysis_service.period_analysis(period) if period is not None else None
    if pa is not None:
        contracts = [(cid, f.contract.supplier, f.contract.customer, f.contract.service)
                     for cid, f in pa.contracts.items()]
    else:
        from ..models import Contract, Service
        from sqlalchemy.orm import aliased

        sup, cus = aliased(Department), aliased(Department)
        contracts = list(db.session.execute(
            select(Contract.id, sup.code, cus.code, Service.name)
            .join(sup, Contract.supplier_id == sup.id).join(cus, Contract.customer_id == cus.id)
            .join(Service, Contract.service_id == Service.id).where(Contract.archived_at.is_(None))))
    result.shadow = rules.shadow_services(volumes, [(s, c) for _i, s, c, _n in contracts], limit)
    result.dormant = rules.dormant_agreements([(i, s, c) for i, s, c, _n in contracts], volumes, surveyed)
    result.contracts = {i: (s, c, n) for i, s, c, n in contracts}
    supplied: dict[str, int] = {}
    for _i, s, _c, _n in contracts:
        supplied[s] = supplied.get(s, 0) + 1
    for code, incoming in rules.informal_reliance(volumes).items():
        figures = pa.departments.get(code) if pa is not None else None
        result.reliance.append(RelianceRow(
            code=code, name=result.names.get(code, code), incoming=incoming, within=within.get(code, 0),
            chain_strength=getattr(figures, "chain_strength", None), dominates=getattr(figures, "dominates", None),
            agreements_supplied=supplied.get(code, 0)))
    return result


def match_codes(codes) -> dict[str, str | None]:
    """Each survey department code → the organization's department code it meets (case-insensitive), or None."""
    departments = {code.upper(): code for code in db.session.scalars(
        select(Department.code).where(Department.archived_at.is_(None)))}
    return {code: departments.get(str(code).upper()) for code in codes}
