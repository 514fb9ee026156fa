"""The organization: departments, the services they supply, and the contracts between them.

Nothing with history is deleted: departments, services and contracts are archived and
restored. Every write validates first, records the audit row and commits once, or raises
having written nothing. Updates compare the version the form was loaded with against the
stored one (optimistic locking) and raise :class:`ConflictError` instead of overwriting.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, bindparam, case, func, or_, select
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from ..models import CRITICALITY_NAMES, DEPARTMENT_KINDS, Contract, Department, Service
from ..models.base import utcnow
from . import audit
from .messages import _, ngettext


class OrgError(ValueError):
    """A change is refused; ``errors`` maps a form field (``""`` for the whole form) to the reason."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in errors.items()))


class ConflictError(RuntimeError):
    """Someone else saved the record since the form was loaded; ``current`` is the stored state."""

    def __init__(self, current: dict, version: int):
        self.current = current
        self.version = version
        super().__init__("the record was changed by someone else")


def _check_version(obj, expected_version: int | None, snapshot) -> None:
    if expected_version is not None and obj.version != expected_version:
        raise ConflictError(snapshot(obj), obj.version)


def _commit_or_conflict(obj, snapshot) -> None:
    """Commit; a concurrent update caught by ``version_id_col`` becomes a :class:`ConflictError`."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        fresh = db.session.get(type(obj), obj.id)
        raise ConflictError(snapshot(fresh), fresh.version) from None


# --- departments -----------------------------------------------------------------------------

#: A department code: Latin letters, digits, "_" and "-", starting with a letter or digit; 1–32 characters.
DEPARTMENT_CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")


def check_department_code(code: str) -> str | None:
    """The reason ``code`` cannot be a department code, or None when it can.

    The one rule for the admin forms and the importer: 1–32 Latin letters, digits, ``_``
    and ``-``, starting with a letter or digit (a code is part of page addresses).
    """
    if not code:
        return _("Enter a short code, e.g. IT.")
    if len(code) > 32:
        return _("A code has at most 32 characters.")
    if DEPARTMENT_CODE_RE.fullmatch(code) is None:
        return _("Use only Latin letters, digits, “_” and “-”, starting with a letter or digit.")
    return None


DEPARTMENT_SORTS = {
    "code": Department.code,
    "-code": Department.code.desc(),
    "name": Department.name,
    "-name": Department.name.desc(),
    "kind": Department.kind,
    "-kind": Department.kind.desc(),
}


def heads_of(department_ids) -> dict[int, list]:
    """The active heads of these departments, ``{department id: [User, …]}`` by name, in one query."""
    from ..models import User

    ids = list(department_ids)
    if not ids:
        return {}
    result: dict[int, list] = {}
    for user in db.session.scalars(select(User).where(User.department_id.in_(ids), User.role == "head",
                                                      User.archived_at.is_(None))):
        result.setdefault(user.department_id, []).append(user)
    return {dep_id: sorted(users, key=lambda u: (u.display_name.lower(), u.id)) for dep_id, users in result.items()}


def department_query(q: str = "", kind: str = "", show_archived: bool = False, sort: str = "code") -> Select:
    """A select of departments matching text ``q`` (code or name) and ``kind``, ordered by ``sort``."""
    stmt = select(Department).options(joinedload(Department.parent))
    if q:
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(Department.code).like(like), func.lower(Department.name).like(like)))
    if kind in DEPARTMENT_KINDS:
        stmt = stmt.where(Department.kind == kind)
    if not show_archived:
        stmt = stmt.where(Department.archived_at.is_(None))
    return stmt.order_by(DEPARTMENT_SORTS.get(sort, Department.code), Department.id)


def department_snapshot(dep: Department) -> dict:
    """The editable fields of ``dep`` as plain values (for conflicts and the audit log)."""
    return department_audit_values(dep.code, dep.name, dep.kind, dep.parent.code if dep.parent is not None else None)


def department_audit_values(code: str, name: str, kind: str, parent_code: str | None) -> dict:
    """A department's editable fields as its audit rows show them (the parent by code), for form and import alike."""
    return {"code": code, "name": name, "kind": kind, "parent": parent_code}


def _validate_department(code: str, name: str, kind: str, parent_id: int | None,
                         dep: Department | None) -> tuple[dict[str, str], Department | None]:
    errors: dict[str, str] = {}
    # A code stored before the rule existed may stay as it is; a new or changed one must follow it.
    reason = None if dep is not None and code == dep.code else check_department_code(code)
    if reason:
        errors["code"] = reason
    else:
        clash = db.session.scalar(select(Department).where(func.lower(Department.code) == code.lower()))
        if clash is not None and (dep is None or clash.id != dep.id):
            errors["code"] = _("Department %(code)s already exists.", code=clash.code)
    if not name:
        errors["name"] = _("Enter the department's name.")
    if kind not in DEPARTMENT_KINDS:
        errors["kind"] = _("Choose internal or external.")
    parent = None
    if parent_id:
        parent = db.session.get(Department, parent_id)
        if parent is None:
            errors["parent_id"] = _("Unknown parent department.")
        elif dep is not None:
            # Walk up from the parent: reaching the department itself would make a cycle.
            node, seen = parent, set()
            while node is not None and node.id not in seen:
                if node.id == dep.id:
                    errors["parent_id"] = _("A department cannot be inside itself.")
                    break
                seen.add(node.id)
                node = node.parent
    if dep is not None and kind == "external" and dep.kind == "internal":
        supplies = db.session.scalar(
            select(func.count()).select_from(Contract).where(Contract.supplier_id == dep.id,
                                                             Contract.archived_at.is_(None))
        )
        if supplies:
            errors["kind"] = ngettext("This department supplies %(num)d active agreement; an external customer cannot "
                                      "be a supplier.",
                                      "This department supplies %(num)d active agreements; an external customer cannot "
                                      "be a supplier.", supplies)
    return errors, parent


def create_department(code: str, name: str, kind: str = "internal", parent_id: int | None = None, *,
                      actor_id: int | None = None) -> Department:
    """Create a department and commit.

    Raises
    ------
    OrgError
        Empty or duplicate code (case-insensitive), empty name, unknown kind or parent.
    """
    code, name = (code or "").strip(), (name or "").strip()
    errors, parent = _validate_department(code, name, kind, parent_id, None)
    if errors:
        raise OrgError(errors)
    dep = Department(code=code, name=name, kind=kind, parent=parent)
    audit.add_created("department", dep, department_snapshot, user_id=actor_id)
    db.session.commit()
    return dep


def update_department(dep: Department, code: str, name: str, kind: str, parent_id: int | None, *,
                      expected_version: int | None = None, actor_id: int | None = None) -> Department:
    """Change a department's code, name, kind or parent and commit.

    Raises
    ------
    ConflictError
        The department changed since version ``expected_version`` was loaded.
    OrgError
        As :func:`create_department`; also a parent cycle, or making a supplier external.
    """
    _check_version(dep, expected_version, department_snapshot)
    code, name = (code or "").strip(), (name or "").strip()
    errors, parent = _validate_department(code, name, kind, parent_id, dep)
    if errors:
        raise OrgError(errors)
    before = department_snapshot(dep)
    dep.code, dep.name, dep.kind, dep.parent = code, name, kind, parent
    after = department_snapshot(dep)
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if not changes:
        return dep
    audit.record("update", "department", dep.id, changes, user_id=actor_id)
    _commit_or_conflict(dep, department_snapshot)
    return dep


def archive_department(dep: Department, *, actor_id: int | None = None) -> int:
    """Archive a department and its active agreements, in one transaction; return how many agreements.

    The department keeps its ratings and shows in history; archiving twice is a no-op.
    """
    if dep.archived_at is not None:
        return 0
    now = utcnow()
    contracts = list(db.session.scalars(
        select(Contract).where(or_(Contract.supplier_id == dep.id, Contract.customer_id == dep.id),
                               Contract.archived_at.is_(None))
    ))
    for con in contracts:
        con.archived_at = now
        audit.record("archive", "contract", con.id, {"archived_at": [None, now]},
                     reason=f"department {dep.code} archived", user_id=actor_id)
    dep.archived_at = now
    audit.record("archive", "department", dep.id, {"archived_at": [None, now]}, user_id=actor_id)
    db.session.commit()
    return len(contracts)


def restore_department(dep: Department, *, actor_id: int | None = None) -> None:
    """Restore an archived department (its agreements stay archived until restored one by one)."""
    if dep.archived_at is None:
        return
    audit.record("restore", "department", dep.id, {"archived_at": [dep.archived_at, None]}, user_id=actor_id)
    dep.archived_at = None
    db.session.commit()


#: Rows a department search answers at most (a searchable select offers these as the admin types).
SEARCH_LIMIT = 20


def search_departments(q: str = "", *, internal_only: bool = False, limit: int = SEARCH_LIMIT) -> list[dict]:
    """Active departments whose code or name contains ``q`` (case-insensitive), codes starting with it first.

    Returns at most ``limit`` (≤ 100) dicts ``{"id", "code", "name", "kind"}``: one bounded query
    whatever the size of the organization.
    """
    q = (q or "").strip().lower()[:100]
    stmt = select(Department.id, Department.code, Department.name, Department.kind).where(
        Department.archived_at.is_(None))
    if internal_only:
        stmt = stmt.where(Department.kind == "internal")
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(func.lower(Department.code).like(like, escape="\\"),
                              func.lower(Department.name).like(like, escape="\\")))
        starts = func.lower(Department.code).like(like[1:], escape="\\")
        stmt = stmt.order_by(case((starts, 0), else_=1), Department.code)
    else:
        stmt = stmt.order_by(Department.code)
    rows = db.session.execute(stmt.limit(max(1, min(limit, 100))))
    return [{"id": i, "code": code, "name": name, "kind": kind} for i, code, name, kind in rows]


def department_by_code(code: str) -> Department | None:
    """The department with this code, compared case-insensitively (archived ones included), or None."""
    code = (code or "").strip()
    if not code:
        return None
    return db.session.scalar(select(Department).where(func.lower(Department.code) == code.lower())
                             .order_by(Department.archived_at.is_not(None), Department.id).limit(1))


# --- contracts -------------------------------------------------------------------------------

_Supplier = aliased(Department)
_Customer = aliased(Department)

CONTRACT_SORTS = {
    "supplier": (_Supplier.code, _Customer.code),
    "-supplier": (_Supplier.code.desc(), _Customer.code.desc()),
    "customer": (_Customer.code, _Supplier.code),
    "-customer": (_Customer.code.desc(), _Supplier.code.desc()),
    "service": (Service.name,),
    "-service": (Service.name.desc(),),
    "criticality": (Contract.criticality,),
    "-criticality": (Contract.criticality.desc(),),
}


@dataclass
class ContractInput:
    """What an admin entered for an agreement; ``service_name`` (a new or existing name) wins over ``service_id``."""

    supplier_id: int | None = None
    customer_id: int | None = None
    service_id: int | None = None
    service_name: str = ""
    standard: str = ""
    criticality: int = 2
    target: float | None = None
    floor: float | None = None
    transfer_price: Decimal | None = None
    start_date: date | None = None
    end_date: date | None = None


def contract_query(supplier_id: int | None = None, customer_id: int | None = None, q: str = "",
                   show_archived: bool = False, sort: str = "supplier") -> Select:
    """A select of contracts with supplier, customer and service loaded, filtered and ordered by ``sort``."""
    stmt = (
        select(Contract)
        .join(_Supplier, Contract.supplier_id == _Supplier.id)
        .join(_Customer, Contract.customer_id == _Customer.id)
        .join(Service, Contract.service_id == Service.id)
        .options(joinedload(Contract.supplier), joinedload(Contract.customer), joinedload(Contract.service))
    )
    if supplier_id:
        stmt = stmt.where(Contract.supplier_id == supplier_id)
    if customer_id:
        stmt = stmt.where(Contract.customer_id == customer_id)
    if q:
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(Service.name).like(like), func.lower(Contract.standard).like(like),
                              func.lower(_Supplier.code).like(like), func.lower(_Customer.code).like(like)))
    if not show_archived:
        stmt = stmt.where(Contract.archived_at.is_(None))
    order = CONTRACT_SORTS.get(sort, CONTRACT_SORTS["supplier"])
    return stmt.order_by(*order, Service.name, Contract.id)


def contract_snapshot(con: Contract) -> dict:
    """The editable fields of ``con`` as plain values (for conflicts and the audit log)."""
    return contract_audit_values(con.supplier.code if con.supplier else None,
                                 con.customer.code if con.customer else None,
                                 con.service.name if con.service else None,
                                 {name: getattr(con, name) for name in CONTRACT_FIELDS})


#: The fields of an agreement besides its departments and service.
CONTRACT_FIELDS = ("standard", "criticality", "target", "floor", "transfer_price", "start_date", "end_date")


def contract_audit_values(supplier_code: str | None, customer_code: str | None, service_name: str | None,
                          fields: dict) -> dict:
    """An agreement as its audit rows show it, for form and import alike.

    ``fields`` has the :data:`CONTRACT_FIELDS` as stored; criticality shows as its word
    (low, medium, high), a price and dates as text.
    """
    price, start, end = fields["transfer_price"], fields["start_date"], fields["end_date"]
    return {
        "supplier": supplier_code,
        "customer": customer_code,
        "service": service_name,
        "standard": fields["standard"],
        "criticality": CRITICALITY_NAMES.get(fields["criticality"], fields["criticality"]),
        "target": fields["target"],
        "floor": fields["floor"],
        "transfer_price": str(price) if price is not None else None,
        "start_date": start.isoformat() if start else None,
        "end_date": end.isoformat() if end else None,
    }


def service_choices(supplier_id: int | None = None) -> list[tuple[int, str, int]]:
    """``[(id, "SUPPLIER: service", supplier id)]`` of the active services of active internal departments.

    With ``supplier_id``, only that supplier's (a form offers one supplier's products, so its
    size does not grow with the organization); with None, every supplier's.
    """
    stmt = (
        select(Service.id, Department.code, Service.name, Department.id)
        .join(Department, Service.department_id == Department.id)
        .where(Service.archived_at.is_(None), Department.archived_at.is_(None), Department.kind == "internal")
        .order_by(Department.code, Service.name)
    )
    if supplier_id is not None:
        stmt = stmt.where(Department.id == supplier_id)
    rows = db.session.execute(stmt)
    return [(sid, f"{code}: {name}", dep_id) for sid, code, name, dep_id in rows]


#: A transfer price is below this (the database column keeps 12 digits before the point and 2 after).
MAX_TRANSFER_PRICE = Decimal(10) ** 12


def check_transfer_price(price: Decimal | None) -> str | None:
    """The reason ``price`` cannot be a transfer price (0 ≤ price < 10¹², at most 2 decimals), or None."""
    if price is None:
        return None
    if not price.is_finite() or price >= MAX_TRANSFER_PRICE:
        return _("Enter a transfer price below 1,000,000,000,000.")
    if price < 0:
        return _("A transfer price cannot be negative.")
    if price != price.quantize(Decimal("0.01")):
        return _("A transfer price has at most 2 decimals.")
    return None


def _validate_contract(data: ContractInput, con: Contract | None) -> tuple[dict[str, str], dict]:
    """Return ``(errors, resolved)``; ``resolved`` has the supplier, customer and the service or its new name."""
    errors: dict[str, str] = {}
    supplier = db.session.get(Department, data.supplier_id) if data.supplier_id else None
    customer = db.session.get(Department, data.customer_id) if data.customer_id else None
    if supplier is None:
        errors["supplier_id"] = _("Choose the supplier department.")
    elif supplier.kind != "internal":
        errors["supplier_id"] = _("The supplier must be an internal department; %(code)s is an external customer.",
                                  code=supplier.code)
    if customer is None:
        errors["customer_id"] = _("Choose the customer department.")
    elif supplier is not None and supplier.id == customer.id:
        errors["customer_id"] = _("Supplier and customer must be different departments.")
    for dep, key in ((supplier, "supplier_id"), (customer, "customer_id")):
        unchanged = con is not None and getattr(con, key) == (dep.id if dep else None)
        if dep is not None and dep.archived_at is not None and key not in errors and not unchanged:
            errors[key] = _("Department %(code)s is archived.", code=dep.code)
    if data.criticality not in CRITICALITY_NAMES:
        errors["criticality"] = _("Choose low, medium or high.")
    for key in ("target", "floor"):
        value = getattr(data, key)
        if value is not None and not 0 <= value <= 100:
            errors[key] = _("Enter a number from 0 to 100, or leave it empty.")
    if data.target is not None and data.floor is not None and "floor" not in errors and data.floor >= data.target:
        errors["floor"] = _("The floor must be below the target.")
    price_reason = check_transfer_price(data.transfer_price)
    if price_reason:
        errors["transfer_price"] = price_reason
    if data.start_date and data.end_date and data.end_date < data.start_date:
        errors["end_date"] = _("The agreement cannot end before it starts.")

    service, service_name = None, (data.service_name or "").strip()
    if supplier is not None and "supplier_id" not in errors:
        if service_name:
            if len(service_name) > 200:
                errors["service_name"] = _("A service name has at most 200 characters.")
            service = db.session.scalar(
                select(Service).where(Service.department_id == supplier.id,
                                      func.lower(Service.name) == service_name.lower())
            )
        elif data.service_id:
            service = db.session.get(Service, data.service_id)
            if service is None or service.department_id != supplier.id:
                errors["service_id"] = _("This service belongs to another supplier, not %(code)s; choose one of "
                                         "theirs or type a new name.", code=supplier.code)
                service = None
        else:
            errors["service_id"] = _("Choose a service of the supplier or type a new service name.")
    if service is not None and customer is not None and not errors:
        stmt = select(Contract.id).where(
            Contract.supplier_id == supplier.id, Contract.customer_id == customer.id,
            Contract.service_id == service.id, Contract.archived_at.is_(None),
        )
        if con is not None:
            stmt = stmt.where(Contract.id != con.id)
        if db.session.scalar(stmt) is not None:
            field = "service_name" if service_name else "service_id"
            errors[field] = _("An active agreement for %(service)s from %(supplier)s to %(customer)s already "
                              "exists.", service=service.name, supplier=supplier.code, customer=customer.code)
    return errors, {"supplier": supplier, "customer": customer, "service": service, "service_name": service_name}


def _apply_contract(con: Contract, data: ContractInput, resolved: dict, actor_id: int | None) -> None:
    service = resolved["service"]
    if service is None:
        service = Service(department=resolved["supplier"], name=resolved["service_name"])
        db.session.add(service)
        db.session.flush()
        audit.record("create", "service", service.id, {"name": [None, service.name],
                                                       "department": [None, resolved["supplier"].code]},
                     user_id=actor_id)
    elif service.archived_at is not None:
        audit.record("restore", "service", service.id, {"archived_at": [service.archived_at, None]},
                     user_id=actor_id)
        service.archived_at = None
    con.supplier, con.customer, con.service = resolved["supplier"], resolved["customer"], service
    con.standard = (data.standard or "").strip() or None
    con.criticality = data.criticality
    con.target, con.floor = data.target, data.floor
    con.transfer_price = data.transfer_price
    con.start_date, con.end_date = data.start_date, data.end_date


def create_contract(data: ContractInput, *, actor_id: int | None = None) -> Contract:
    """Create an agreement (and its service when a new name is typed) and commit.

    Raises
    ------
    OrgError
        Missing or external supplier, same department on both sides, end before start,
        overrides outside 0–100 or floor ≥ target, or a duplicate active (supplier,
        customer, service) — found here, before the database's unique index would refuse it.
    """
    errors, resolved = _validate_contract(data, None)
    if errors:
        raise OrgError(errors)
    con = Contract()
    _apply_contract(con, data, resolved, actor_id)
    audit.add_created("contract", con, contract_snapshot, user_id=actor_id)
    db.session.commit()
    return con


def update_contract(con: Contract, data: ContractInput, *, expected_version: int | None = None,
                    actor_id: int | None = None) -> Contract:
    """Change an agreement and commit.

    Raises
    ------
    ConflictError
        The agreement changed since version ``expected_version`` was loaded (or while saving).
    OrgError
        As :func:`create_contract`.
    """
    _check_version(con, expected_version, contract_snapshot)
    errors, resolved = _validate_contract(data, con)
    if errors:
        raise OrgError(errors)
    before = contract_snapshot(con)
    _apply_contract(con, data, resolved, actor_id)
    after = contract_snapshot(con)
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if not changes:
        db.session.rollback()
        return con
    audit.record("update", "contract", con.id, changes, user_id=actor_id)
    _commit_or_conflict(con, contract_snapshot)
    return con


def archive_contract(con: Contract, *, actor_id: int | None = None) -> None:
    """Archive an agreement (its ratings stay; it is no longer active in any period). Idempotent."""
    if con.archived_at is not None:
        return
    now = utcnow()
    con.archived_at = now
    audit.record("archive", "contract", con.id, {"archived_at": [None, now]}, user_id=actor_id)
    db.session.commit()


def restore_contract(con: Contract, *, actor_id: int | None = None) -> None:
    """Restore an archived agreement and commit.

    Raises
    ------
    OrgError
        Another active agreement now holds the same (supplier, customer, service), or one
        of its departments is archived.
    """
    if con.archived_at is None:
        return
    for dep in (con.supplier, con.customer):
        if dep.archived_at is not None:
            raise OrgError({"": _("Restore department %(code)s first.", code=dep.code)})
    clash = db.session.scalar(select(Contract.id).where(
        Contract.supplier_id == con.supplier_id, Contract.customer_id == con.customer_id,
        Contract.service_id == con.service_id, Contract.archived_at.is_(None), Contract.id != con.id,
    ))
    if clash is not None:
        raise OrgError({"": _("Another active agreement for the same service and departments exists (#%(id)d).",
                              id=clash)})
    audit.record("restore", "contract", con.id, {"archived_at": [con.archived_at, None]}, user_id=actor_id)
    con.archived_at = None
    db.session.commit()


# --- bulk writers (imports) --------------------------------------------------------------------


@dataclass
class DepartmentWrite:
    """One department an import creates (``id`` None) or changes (``changes`` from :func:`department_changes`)."""

    code: str
    name: str
    kind: str
    parent_code: str | None
    id: int | None = None
    changes: dict | None = None
    restore: bool = False


def department_changes(dep: Department, parent_code: str | None, name: str, kind: str) -> dict:
    """The audit diff (:func:`department_audit_values`) of giving ``dep`` these values, plus a restore."""
    before = department_snapshot(dep)
    changes = audit.changes(before, department_audit_values(dep.code, name, kind, parent_code))
    if dep.archived_at is not None:
        changes["archived_at"] = [dep.archived_at.isoformat(), None]
    return changes


def write_departments(writes: list[DepartmentWrite], *, actor_id: int | None, now) -> dict[str, int]:
    """Create and change many departments in the session (the caller commits); return every code's id.

    The bulk twin of :func:`create_department`/:func:`update_department` (checked already
    by the importer): executemany inserts and updates, one audit row each with the same
    fields as the form's (:func:`department_audit_values`); a restored department is audited
    ``restore``.
    """
    table = Department.__table__
    creates = [w for w in writes if w.id is None]
    audit.insert_rows(table, ("code", "name", "kind", "version", "created_at", "updated_at"),
                      ((w.code, w.name, w.kind, 1, now, now) for w in creates))
    ids = dict(db.session.execute(select(table.c.code, table.c.id)).all())
    parented = [{"b_id": ids[w.code], "b_parent_id": ids[w.parent_code]} for w in creates if w.parent_code]
    if parented:
        db.session.execute(table.update().where(table.c.id == bindparam("b_id"))
                           .values(parent_id=bindparam("b_parent_id")).execution_options(synchronize_session=False),
                           parented)
    updates = [w for w in writes if w.id is not None]
    if updates:
        db.session.execute(
            table.update().where(table.c.id == bindparam("b_id"))
            .values(name=bindparam("b_name"), kind=bindparam("b_kind"), parent_id=bindparam("b_parent_id"),
                    archived_at=None, version=table.c.version + 1, updated_at=now),
            [{"b_id": w.id, "b_name": w.name, "b_kind": w.kind,
              "b_parent_id": ids[w.parent_code] if w.parent_code else None} for w in updates])
    audit.record_many("create", "department", (
        (ids[w.code], audit.changes({}, department_audit_values(w.code, w.name, w.kind, w.parent_code)))
        for w in creates), at=now, user_id=actor_id)
    for action in ("update", "restore"):
        audit.record_many(action, "department", ((w.id, w.changes) for w in updates
                                                 if (action == "restore") == w.restore), at=now, user_id=actor_id)
    return ids


@dataclass
class ContractWrite:
    """One agreement an import creates (``id`` None) or changes; ``fields`` has the :data:`CONTRACT_FIELDS`."""

    supplier_code: str
    customer_code: str
    service: str
    fields: dict
    id: int | None = None
    changes: dict | None = None


def contract_changes(con: Any, fields: dict, link: tuple[str, str, str]) -> dict:
    """The audit diff (:func:`contract_audit_values`) of giving ``con`` these ``fields`` (values compared as stored).

    ``con`` has the :data:`CONTRACT_FIELDS` as attributes (an agreement, or the importer's plain record of
    one); ``link`` is its supplier code, customer code and service name.
    """
    before = contract_audit_values(*link, {name: getattr(con, name) for name in CONTRACT_FIELDS})
    after = contract_audit_values(*link, fields)
    return {key: [before[key], after[key]] for key in CONTRACT_FIELDS if getattr(con, key) != fields[key]}


def write_contracts(writes: list[ContractWrite], department_ids: dict[str, int], *, actor_id: int | None,
                    now) -> dict[tuple[str, str, str], int]:
    """Create and change many agreements (and the services they name) in the session; return new links' ids.

    The bulk twin of :func:`create_contract`/:func:`update_contract` (checked already by
    the importer); a service name new to its supplier is created, an archived one restored,
    each audited as the form audits it.
    """
    creates = [w for w in writes if w.id is None]
    service_ids = _services_for(creates, department_ids, actor_id=actor_id, now=now)
    table = Contract.__table__
    keys = [(department_ids[w.supplier_code], department_ids[w.customer_code],
             service_ids[(department_ids[w.supplier_code], w.service)]) for w in creates]
    audit.insert_rows(table, ("supplier_id", "customer_id", "service_id", "version", "created_at", "updated_at",
                              *CONTRACT_FIELDS),
                      ((*key, 1, now, now, *(w.fields[name] for name in CONTRACT_FIELDS))
                       for key, w in zip(keys, creates)))
    ids: dict[tuple[str, str, str], int] = {}
    if creates:
        by_ids = {key: (w.supplier_code, w.customer_code, w.service) for key, w in zip(keys, creates)}
        for cid, *key in db.session.execute(select(table.c.id, table.c.supplier_id, table.c.customer_id,
                                                   table.c.service_id).where(table.c.archived_at.is_(None))):
            if tuple(key) in by_ids:
                ids[by_ids[tuple(key)]] = cid
    updates = [w for w in writes if w.id is not None]
    if updates:
        db.session.execute(
            table.update().where(table.c.id == bindparam("b_id"))
            .values({name: bindparam(f"b_{name}") for name in CONTRACT_FIELDS}
                    | {"version": table.c.version + 1, "updated_at": now}),
            [{"b_id": w.id} | {f"b_{name}": w.fields[name] for name in CONTRACT_FIELDS} for w in updates])
    audit.record_many("create", "contract", (
        (ids[(w.supplier_code, w.customer_code, w.service)],
         audit.changes({}, contract_audit_values(w.supplier_code, w.customer_code, w.service, w.fields)))
        for w in creates), at=now, user_id=actor_id)
    audit.record_many("update", "contract", ((w.id, w.changes) for w in updates), at=now, user_id=actor_id)
    return ids


def _services_for(creates: list[ContractWrite], department_ids: dict[str, int], *, actor_id: int | None,
                  now) -> dict[tuple[int, str], int]:
    """``{(supplier id, name): service id}`` for the new agreements: created when new, restored when archived."""
    table = Service.__table__
    wanted = {(department_ids[w.supplier_code], w.service): w.supplier_code for w in creates}
    if not wanted:
        return {}

    def stored_services() -> dict[tuple[int, str], tuple[int, Any]]:
        return {(dep_id, name): (sid, archived) for sid, dep_id, name, archived in db.session.execute(
            select(table.c.id, table.c.department_id, table.c.name, table.c.archived_at))}

    stored = stored_services()
    missing = [key for key in wanted if key not in stored]
    if missing:
        audit.insert_rows(table, ("department_id", "name", "created_at", "updated_at"),
                          ((dep_id, name, now, now) for dep_id, name in missing))
        stored = stored_services()
        audit.record_many("create", "service", ((stored[key][0], {"name": [None, key[1]],
                                                                  "department": [None, wanted[key]]})
                                                for key in missing), at=now, user_id=actor_id)
    restored = [(key, archived) for key, (sid, archived) in stored.items() if key in wanted and archived is not None]
    if restored:
        db.session.execute(table.update().where(table.c.id.in_([stored[key][0] for key, _a in restored]))
                           .values(archived_at=None, updated_at=now))
        audit.record_many("restore", "service", ((stored[key][0], {"archived_at": [archived, None]})
                                                 for key, archived in restored), at=now, user_id=actor_id)
    return {key: sid for key, (sid, _archived) in stored.items()}
