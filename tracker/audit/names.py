"""What an audit entry is about, in words: the agreement, the person, the department, the period.

The services record ids and raw values (``respondent_id: 20``, ``health: 58.333333333``);
:func:`load_names` resolves the ids of ONE page of entries in a fixed number of batch
queries (one per kind of thing, whatever the page holds), and :class:`AuditNames` turns
an entry's subject and each ``[old, new]`` value into text a reader understands, with
figures formatted by :mod:`tracker.formatting`. Read-only.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased

from .. import formatting
from ..extensions import db
from ..services import followups as followups_service
from ..services import periods as periods_service
from ..models import (ApiToken, AuditLog, Contract, Criterion, Department, FollowUp, Period, Rating, Rotation,
                      Service, User)

__all__ = ["AuditNames", "Change", "load_names", "field_label"]

# Fields of the audit diffs that hold the id of another row, and which kind of row.
ID_FIELDS = {
    "respondent_id": "user", "owner_id": "user", "person_user_id": "user", "user_id": "user",
    "submitted_by_id": "user", "from_department_id": "department", "to_department_id": "department",
    "department_id": "department", "supplier_id": "department", "customer_id": "department",
    "contract_id": "contract", "period_id": "period", "rating_id": "rating", "service_id": "service",
}
# Figures in health points (0–100): one decimal, as everywhere else in the app.
HEALTH_FIELDS = {"health", "target", "floor", "mean_health"}

FIELD_LABELS = {
    "recommend": _l("0–10 answer"), "standard_met": _l("standard met"), "no_interaction": _l("no interaction"),
    "comment": _l("comment"), "respondent_id": _l("respondent"), "health": _l("health"),
    "code": _l("code"), "name": _l("name"), "kind": _l("kind"), "parent": _l("parent"),
    "supplier": _l("supplier"), "customer": _l("customer"), "service": _l("internal product"),
    "standard": _l("standard"), "criticality": _l("criticality"), "target": _l("target"), "floor": _l("floor"),
    "transfer_price": _l("transfer price"), "start_date": _l("start"), "end_date": _l("end"),
    "archived_at": _l("archived"), "status": _l("status"), "label": _l("label"),
    "person": _l("person"), "from_department_id": _l("from"), "to_department_id": _l("to"),
    "on_date": _l("date"), "duration": _l("duration"), "notes": _l("notes"), "person_user_id": _l("person"),
    "period_id": _l("period"), "purpose": _l("purpose"), "contract_id": _l("agreement"),
    "owner_id": _l("owner"), "rating_id": _l("rating"), "department_id": _l("department"),
    "email": _l("e-mail"), "role": _l("role"), "password": _l("password"), "locale": _l("language"),
    "key": _l("key"), "revoked_at": _l("revoked"), "retired_at": _l("retired"), "weight": _l("weight"),
    "respondents": _l("respondents"), "title": _l("title"), "description": _l("description"),
    "root_cause": _l("root cause"), "due_date": _l("due date"), "ack_due": _l("acknowledge by"),
    "resolution": _l("resolution"),
}


# Stored codes of a few fields, as the rating form and the period pages say them.
STANDARD_WORDS = {"met": _l("met"), "partly": _l("partly"), "missed": _l("missed")}
SUMMARY_LABELS = {"departments": _l("departments"), "contracts": _l("agreements"), "ratings": _l("ratings"),
                  "users": _l("users")}


def field_label(name: str, criteria: dict[str, Criterion] | None = None) -> str:
    """The reader's word for a field of an audit diff (``respondent_id`` → "respondent", ``score.quality`` → "Quality")."""
    if name.startswith("score."):
        criterion = (criteria or {}).get(name[len("score."):])
        return formatting.criterion_name(criterion) if criterion is not None else name[len("score."):]
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    if name in SUMMARY_LABELS:
        return str(SUMMARY_LABELS[name])
    return name.removesuffix("_id").replace("_", " ")


@dataclass
class Change:
    """One field of an entry: its label, the old and new value as text; ``created`` when there was no old value."""

    label: str
    old: str
    new: str
    created: bool


@dataclass
class AuditNames:
    """The names of everything one page of audit entries mentions, keyed by id (see :func:`load_names`)."""

    users: dict[int, str] = field(default_factory=dict)
    short_users: dict[int, str] = field(default_factory=dict)
    departments: dict[int, str] = field(default_factory=dict)
    periods: dict[int, str] = field(default_factory=dict)
    contracts: dict[int, str] = field(default_factory=dict)
    services: dict[int, str] = field(default_factory=dict)
    ratings: dict[int, tuple[int, int, int | None, str]] = field(default_factory=dict)
    follow_ups: dict[int, tuple[int, int]] = field(default_factory=dict)
    rotations: dict[int, tuple[str, int, int]] = field(default_factory=dict)
    criteria: dict[str, Criterion] = field(default_factory=dict)
    criteria_by_id: dict[int, Criterion] = field(default_factory=dict)
    tokens: dict[int, str] = field(default_factory=dict)

    def name_of(self, kind: str, ident: Any) -> str | None:
        """The text of the row ``ident`` of ``kind`` (user, department, period, contract, service, rating), or None."""
        if not isinstance(ident, int) or isinstance(ident, bool):
            return None
        if kind == "rating":
            return self._rating(ident)
        return getattr(self, _STORES[kind]).get(ident) if kind in _STORES else None

    def _rating(self, ident: int) -> str | None:
        if ident not in self.ratings:
            return None
        contract_id, period_id, respondent_id, respondent_key = self.ratings[ident]
        respondent = self.short_users.get(respondent_id) if respondent_id is not None else None
        parts = [self.contracts.get(contract_id, f"#{contract_id}"), self.periods.get(period_id, "")]
        who = respondent or respondent_key
        if who:
            parts.append(_("by %(who)s", who=who))
        return " · ".join(p for p in parts if p)

    def subject(self, row: AuditLog) -> str:
        """What the entry is about, e.g. ``IT → WH (IT support) · 2026-Q3 · by Anna Ivanova``; ``#id`` unresolved."""
        ident = row.entity_id
        if ident is None:
            return ""
        text: str | None = None
        if row.entity in ("contract", "department", "period", "user", "service", "rating"):
            text = self.name_of(row.entity, ident)
        elif row.entity == "kpi_target":
            text = self.departments.get(ident)
        elif row.entity == "follow_up" and ident in self.follow_ups:
            contract_id, period_id = self.follow_ups[ident]
            text = " · ".join(filter(None, [self.contracts.get(contract_id), self.periods.get(period_id)]))
        elif row.entity == "rotation" and ident in self.rotations:
            person, from_id, to_id = self.rotations[ident]
            text = f"{person}: {self.departments.get(from_id, '?')} → {self.departments.get(to_id, '?')}"
        elif row.entity == "criterion" and ident in self.criteria_by_id:
            text = formatting.criterion_name(self.criteria_by_id[ident])
        elif row.entity == "api_token":
            text = self.tokens.get(ident)
        return text or f"#{ident}"

    def value(self, name: str, value: Any, entity: str = "") -> str:
        """One old or new value as a reader reads it: names for ids, rounded figures, yes/no, dates, ``–`` for none.

        ``entity`` (the entry's kind) picks the words of a ``status``: a period's or a follow-up's.
        """
        if name == "standard_met" and value in STANDARD_WORDS:
            return str(STANDARD_WORDS[value])
        if name == "status" and isinstance(value, str) and entity in ("period", "follow_up"):
            return periods_service.status_word(value) if entity == "period" else followups_service.state_word(value)
        if value is None or value == "":
            return formatting.MISSING
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if name in ID_FIELDS:
            named = self.name_of(ID_FIELDS[name], value)
            if named is not None:
                return named
        if isinstance(value, (int, float)):
            if name in HEALTH_FIELDS:
                return formatting.health(value)
            return formatting.num(value)
        if isinstance(value, str):
            return _text_value(name, value)
        if isinstance(value, list):
            return ", ".join(self.value(name, v) for v in value) or formatting.MISSING
        if isinstance(value, dict):
            return ", ".join(f"{k}: {self.value(k, v)}" for k, v in value.items())
        return str(value)

    def changes(self, row: AuditLog) -> list[Change]:
        """The entry's field changes in the order the service recorded them, as text.

        A creation leaves out what its subject already says (a rating's respondent) and
        the flags it was created without (``no interaction: no``).
        """
        out = []
        for name, old, new in _pairs(row):
            created = old is None and row.action in ("create", "import")
            if created and (new is False or (row.entity == "rating" and name == "respondent_id"
                                             and row.entity_id in self.ratings)):
                continue
            out.append(Change(field_label(name, self.criteria), self.value(name, old, row.entity),
                              self.value(name, new, row.entity), created=created))
        return out


_STORES = {"user": "users", "department": "departments", "period": "periods", "contract": "contracts",
           "service": "services"}


def _text_value(name: str, value: str) -> str:
    """A stored text: ISO dates and moments in the reader's format; anything else as it is."""
    if name.endswith("_date") or name in ("on_date", "ack_due"):
        try:
            return formatting.date_filter(date.fromisoformat(value))
        except ValueError:
            return value
    if name.endswith("_at"):
        try:
            return formatting.datetime_filter(datetime.fromisoformat(value))
        except ValueError:
            return value
    return value


def _pairs(row: AuditLog) -> list[tuple[str, Any, Any]]:
    """``[(field, old, new), …]`` of an entry in recorded order (a non-JSON text is one unnamed new value)."""
    if not row.changes:
        return []
    try:
        data = json.loads(row.changes)
    except ValueError:
        return [("", None, row.changes)]
    if not isinstance(data, dict):
        return [("", None, row.changes)]
    out = []
    for key, pair in data.items():
        pair = list(pair) if isinstance(pair, (list, tuple)) else [None, pair]
        out.append((key, *(pair + [None, None])[:2]))
    return out


def load_names(rows: Iterable[AuditLog]) -> AuditNames:
    """Resolve every id that the entries ``rows`` mention, in at most one query per kind of row.

    The number of queries does not depend on how many entries there are or what they hold
    (a kind with nothing to resolve is not queried at all).
    """
    rows = list(rows)
    names = AuditNames()
    wanted: dict[str, set[int]] = {k: set() for k in
                                   ("user", "department", "period", "contract", "service", "rating")}
    by_entity: dict[str, set[int]] = {}
    score_keys: set[str] = set()
    for row in rows:
        if row.entity_id is not None:
            by_entity.setdefault(row.entity, set()).add(row.entity_id)
        for name, old, new in _pairs(row):
            if name.startswith("score."):
                score_keys.add(name[len("score."):])
            kind = ID_FIELDS.get(name)
            if kind:
                wanted[kind].update(v for v in (old, new) if isinstance(v, int) and not isinstance(v, bool))
    for kind in wanted:
        wanted[kind] |= by_entity.get(kind, set())
    wanted["department"] |= by_entity.get("kpi_target", set())

    if wanted["rating"]:
        for rid, cid, pid, uid, key in db.session.execute(
                select(Rating.id, Rating.contract_id, Rating.period_id, Rating.respondent_id, Rating.respondent_key)
                .where(Rating.id.in_(wanted["rating"]))):
            names.ratings[rid] = (cid, pid, uid, key)
            wanted["contract"].add(cid)
            wanted["period"].add(pid)
            if uid is not None:
                wanted["user"].add(uid)
    if by_entity.get("follow_up"):
        for fid, cid, pid in db.session.execute(select(FollowUp.id, FollowUp.contract_id, FollowUp.period_id)
                                                .where(FollowUp.id.in_(by_entity["follow_up"]))):
            names.follow_ups[fid] = (cid, pid)
            wanted["contract"].add(cid)
            wanted["period"].add(pid)
    if by_entity.get("rotation"):
        for rid, person, from_id, to_id in db.session.execute(
                select(Rotation.id, Rotation.person, Rotation.from_department_id, Rotation.to_department_id)
                .where(Rotation.id.in_(by_entity["rotation"]))):
            names.rotations[rid] = (person, from_id, to_id)
            wanted["department"].update((from_id, to_id))
    if wanted["contract"]:
        supplier, customer = aliased(Department), aliased(Department)
        for cid, sup, cus, service in db.session.execute(
                select(Contract.id, supplier.code, customer.code, Service.name)
                .join(supplier, supplier.id == Contract.supplier_id)
                .join(customer, customer.id == Contract.customer_id)
                .join(Service, Service.id == Contract.service_id)
                .where(Contract.id.in_(wanted["contract"]))):
            names.contracts[cid] = f"{sup} → {cus} ({service})"
    if wanted["user"]:
        for uid, name, email in db.session.execute(select(User.id, User.name, User.email)
                                                   .where(User.id.in_(wanted["user"]))):
            names.users[uid] = f"{name} ({email})" if name else email
            names.short_users[uid] = name or email
    if wanted["department"]:
        for did, code, name in db.session.execute(select(Department.id, Department.code, Department.name)
                                                  .where(Department.id.in_(wanted["department"]))):
            names.departments[did] = code if name == code else f"{code} — {name}"
    if wanted["period"]:
        names.periods = dict(db.session.execute(select(Period.id, Period.label)
                                                .where(Period.id.in_(wanted["period"]))).tuples().all())
    if wanted["service"]:
        names.services = dict(db.session.execute(select(Service.id, Service.name)
                                                 .where(Service.id.in_(wanted["service"]))).tuples().all())
    if score_keys or by_entity.get("criterion"):
        for criterion in db.session.scalars(select(Criterion).where(
                Criterion.key.in_(score_keys) | Criterion.id.in_(by_entity.get("criterion", set())))):
            names.criteria[criterion.key] = criterion
            names.criteria_by_id[criterion.id] = criterion
    if by_entity.get("api_token"):
        names.tokens = dict(db.session.execute(select(ApiToken.id, ApiToken.name)
                                               .where(ApiToken.id.in_(by_entity["api_token"]))).tuples().all())
    return names
