"""Check a whole import against itself and the database before anything is written.

:func:`load_snapshot` reads what the checks need in a fixed number of queries;
:func:`check` returns a :class:`Plan` (the final value of every department,
agreement, period and rating respondent, which the apply step writes as is) and a
:class:`~tracker.importer.reader.Problem` for every bad row, so one dry run lists
them all.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Contract, Criterion, Department, Period, Rating, Service, User
from ..services import ratings as rating_service
from ..services import settings as settings_service
from ..services import org as org_service
from ..services.org import check_department_code
from .reader import ContractRow, DepartmentRow, ImportSet, PeriodRow, Problem, RatingRow

__all__ = ["CONTRACT_FIELDS", "Plan", "Snapshot", "check", "label_dates", "load_snapshot"]

#: Contract columns an import sets (the fields of the agreement form).
CONTRACT_FIELDS = org_service.CONTRACT_FIELDS

Link = tuple[str, str, str]  # (supplier code, customer code, service name)


@dataclass(slots=True)
class StoredContract:
    """An active agreement as an import compares with it: plain values read in one query, no ORM object.

    Has the attributes of :class:`~tracker.models.Contract` the checks and the plan read
    (``id`` and the :data:`CONTRACT_FIELDS`) and the codes of its link.
    """

    id: int
    supplier_code: str
    customer_code: str
    service_name: str
    standard: str | None
    criticality: int
    target: float | None
    floor: float | None
    transfer_price: Any
    start_date: date | None
    end_date: date | None


@dataclass
class Snapshot:
    """What the database holds that an import may touch, keyed the way the files refer to it."""

    departments: dict[str, Department]
    heads: dict[int, User]
    users: dict[str, User]
    contracts: dict[Link, StoredContract]
    periods: dict[str, Period]
    criteria: dict[str, Criterion]


def load_snapshot() -> Snapshot:
    """Load departments, users, active agreements, periods and criteria (five queries).

    The stored ratings are read by the plan, only for the periods the files name.
    """
    departments = {d.code: d for d in db.session.scalars(select(Department))}
    users = list(db.session.scalars(select(User).order_by(User.id)))
    heads: dict[int, User] = {}
    for user in users:
        if user.role == "head" and user.department_id is not None and user.archived_at is None:
            heads.setdefault(user.department_id, user)
    supplier, customer = aliased(Department), aliased(Department)
    rows = db.session.connection().execute  # Core rows one by one; the ORM's execute buffers all of them first
    contracts = rows(
        select(Contract.id, supplier.code, customer.code, Service.name,
               *(getattr(Contract, name) for name in StoredContract.__slots__[4:]))
        .join(supplier, supplier.id == Contract.supplier_id).join(customer, customer.id == Contract.customer_id)
        .join(Service, Service.id == Contract.service_id).where(Contract.archived_at.is_(None)))
    return Snapshot(
        departments=departments,
        heads=heads,
        users={u.email.lower(): u for u in users},
        contracts={(row[1], row[2], row[3]): StoredContract(*row) for row in contracts},
        periods={p.label: p for p in db.session.scalars(select(Period))},
        criteria={c.key: c for c in settings_service.active_criteria()},
    )


@dataclass(slots=True)
class FinalDepartment:
    """The final ``name, kind, parent_code`` of a department of the file, and its row (read as a mapping too)."""

    name: str
    kind: str
    parent_code: str | None
    row: DepartmentRow

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)


@dataclass
class Plan:
    """The final state an import asks for, resolved against the database.

    ``departments`` maps a code to its final ``name, kind, parent_code`` (and whether
    it is restored from the archive); ``contracts`` a link to its final field values;
    ``periods`` a label to ``(start, end)``; ``respondents`` a rating row's line to
    the respondent key it is saved under.
    """

    departments: dict[str, FinalDepartment] = field(default_factory=dict)
    heads: dict[str, str] = field(default_factory=dict)
    contracts: dict[Link, dict[str, Any]] = field(default_factory=dict)
    periods: dict[str, tuple[date, date]] = field(default_factory=dict)
    respondents: dict[int, str] = field(default_factory=dict)
    #: ``label in the file → label of the existing period that holds its dates`` (a month inside a quarter).
    moved: dict[str, str] = field(default_factory=dict)


def label_dates(label: str) -> tuple[date, date] | None:
    """Dates of a period label ``YYYY-Qn`` (a quarter) or ``YYYY-MM`` (a month); None for any other label."""
    quarter = re.fullmatch(r"(\d{4})-Q([1-4])", label)
    if quarter:
        year, q = int(quarter.group(1)), int(quarter.group(2))
        first, last = 3 * q - 2, 3 * q
        return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])
    month = re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", label)
    if month:
        year, m = int(month.group(1)), int(month.group(2))
        return date(year, m, 1), date(year, m, calendar.monthrange(year, m)[1])
    return None


def check(data: ImportSet, snap: Snapshot) -> tuple[Plan, list[Problem]]:
    """Check every row of ``data`` against the other rows and ``snap``; return the plan and all problems."""
    plan = Plan()
    problems = list(data.problems)

    def bad(row, reason: str) -> None:
        problems.append(Problem(row.file, row.line, reason))

    _match_codes_without_case(data, snap, bad)
    _check_departments(data.departments, snap, plan, bad)
    _check_contracts(data.contracts, snap, plan, bad, problems)
    _check_periods(data.periods, snap, plan, bad)
    _check_ratings(data.ratings, snap, plan, bad, {(p.file, p.line) for p in data.problems})
    problems.sort(key=lambda p: (_file_order(p.file), p.line))
    return plan, problems


def _match_codes_without_case(data: ImportSet, snap: Snapshot, bad) -> None:
    """Department codes are matched without regard to case: ``wh`` in a file is the stored ``WH``.

    Every code of every file takes the spelling of the stored department (or, for a new
    one, of its row in departments.csv); a departments.csv that holds two spellings of
    one code (``wh`` and ``WH``) is refused on the second, naming the first.
    """
    spelling = {code.casefold(): code for code in snap.departments}
    first: dict[str, tuple[str, int]] = {}
    for row in data.departments:
        key = row.code.casefold()
        if not key:
            continue
        if key in first and first[key][0] != row.code:
            bad(row, f"code {row.code!r}: the same code as {first[key][0]!r} on line {first[key][1]} "
                     "(codes are matched without regard to case); keep one spelling")
            continue
        first.setdefault(key, (row.code, row.line))
        spelling.setdefault(key, row.code)

    def same(code: str | None) -> str | None:
        return spelling.get(code.casefold(), code) if code else code

    for row in data.departments:
        if row.code.casefold() in first and first[row.code.casefold()][0] == row.code:
            row.code, row.parent_code = same(row.code), same(row.parent_code)
    for row in [*data.contracts, *data.ratings]:
        row.supplier_code, row.customer_code = same(row.supplier_code), same(row.customer_code)


def _file_order(file: str) -> int:
    order = ("departments.csv", "contracts.csv", "periods.csv", "ratings.csv")
    return order.index(file) if file in order else len(order)


def _check_departments(rows: list[DepartmentRow], snap: Snapshot, plan: Plan, bad) -> None:
    first_line: dict[str, int] = {}
    head_lines: dict[str, tuple[int, str]] = {}
    for row in rows:
        if not row.code:
            continue
        if row.code in first_line:
            bad(row, f"code {row.code!r}: duplicate department code (first on line {first_line[row.code]})")
            continue
        first_line[row.code] = row.line
        if row.code not in snap.departments and (reason := check_department_code(row.code)):
            bad(row, f"code {row.code!r}: {reason}")
        if len(row.name) > 200:
            bad(row, "name: longer than 200 characters")
        existing = snap.departments.get(row.code)
        kind = row.kind if ("kind" in row.columns and row.kind) else (existing.kind if existing else "internal")
        if "parent_code" in row.columns:
            parent = row.parent_code
        else:
            parent = existing.parent.code if existing and existing.parent else None
        plan.departments[row.code] = FinalDepartment(row.name, kind, parent, row)

        if row.head_email:
            email = row.head_email
            if "@" not in email or len(email) > 254:
                bad(row, f"head_email {email!r}: not an e-mail address")
            elif email in head_lines:
                bad(row, f"head_email {email!r}: also the head of {head_lines[email][1]} "
                         f"(line {head_lines[email][0]})")
            else:
                head_lines[email] = (row.line, row.code)
                user = snap.users.get(email)
                if user is not None and not (
                    user.role == "head" and existing is not None and user.department_id == existing.id
                ):
                    where = f" of {user.department.code}" if user.department is not None else ""
                    bad(row, f"head_email {email!r}: belongs to an existing user who is {user.role}{where}")
                elif user is None and existing is not None and (current := snap.heads.get(existing.id)):
                    bad(row, f"head_email {email!r}: {row.code} already has a head: {current.email}; "
                             "make them a member first")
                else:
                    plan.heads[row.code] = email

    # Parents, external kinds and cycles, over the final state of every department.
    final_kind = {code: dep.kind for code, dep in snap.departments.items()}
    final_parent = {code: (dep.parent.code if dep.parent else None) for code, dep in snap.departments.items()}
    for code, values in plan.departments.items():
        final_kind[code] = values["kind"]
        final_parent[code] = values["parent_code"]
    for code, values in plan.departments.items():
        row = values["row"]
        parent = values["parent_code"]
        if parent is None:
            continue
        if parent == code:
            bad(row, f"parent_code {parent!r}: a department cannot be its own parent")
        elif parent not in final_kind:
            bad(row, f"parent_code {parent!r}: unknown department code")
        else:
            seen, walk = {code}, parent
            while walk is not None and walk not in seen:
                seen.add(walk)
                walk = final_parent.get(walk)
            if walk == code:
                bad(row, f"parent_code {parent!r}: makes a cycle of parents")
    for code, values in plan.departments.items():
        existing = snap.departments.get(code)
        if existing is not None and existing.kind == "internal" and values["kind"] == "external":
            supplied = [c for (sup, _cus, _svc), c in snap.contracts.items() if sup == code]
            if supplied:
                bad(values["row"], f"kind 'external': {code} supplies {len(supplied)} active agreement(s); "
                                   "a supplier must be internal")


def _contract_value(row: ContractRow, existing: Contract | None, name: str) -> Any:
    if name in row.columns or existing is None:
        value = getattr(row, name)
        if name == "criticality" and "criticality" in row.columns and value is None:
            value = 2
        return value
    return getattr(existing, name)


def _check_contracts(rows: list[ContractRow], snap: Snapshot, plan: Plan, bad, problems: list[Problem]) -> None:
    known = {code: dep.kind for code, dep in snap.departments.items() if dep.archived_at is None}
    archived = {code for code, dep in snap.departments.items() if dep.archived_at is not None}
    known.update({code: values["kind"] for code, values in plan.departments.items()})
    first_line: dict[Link, int] = {}
    changed_dates: dict[int, tuple[ContractRow, date | None, date | None]] = {}
    for row in rows:
        if not (row.supplier_code and row.customer_code and row.service):
            continue
        ok = True
        for column, code in (("supplier_code", row.supplier_code), ("customer_code", row.customer_code)):
            if code not in known:
                reason = "department is archived" if code in archived else "unknown department code"
                bad(row, f"{column} {code!r}: {reason}")
                ok = False
        if ok and known[row.supplier_code] != "internal":
            bad(row, f"supplier_code {row.supplier_code!r}: the supplier must be an internal department, "
                     f"not {known[row.supplier_code]}")
            ok = False
        if row.supplier_code == row.customer_code:
            bad(row, f"customer_code {row.customer_code!r}: supplier and customer are the same department")
            ok = False
        if len(row.service) > 200:
            bad(row, "service: longer than 200 characters")
            ok = False
        link = row.supplier_code, row.customer_code, row.service
        if link in first_line:
            bad(row, f"duplicate agreement {row.supplier_code} → {row.customer_code} for service "
                     f"{row.service!r} (first on line {first_line[link]})")
            continue
        first_line[link] = row.line
        existing = snap.contracts.get(link)
        values = {name: _contract_value(row, existing, name) for name in CONTRACT_FIELDS}
        if values["start_date"] and values["end_date"] and values["start_date"] > values["end_date"]:
            bad(row, f"end_date {values['end_date'].isoformat()!r}: before start_date "
                     f"{values['start_date'].isoformat()!r}")
            ok = False
        if values["target"] is not None and values["floor"] is not None and values["floor"] > values["target"]:
            bad(row, f"floor {values['floor']:g}: above target {values['target']:g}")
            ok = False
        if ok:
            plan.contracts[link] = values | {"row": row}
            if existing is not None and (values["start_date"], values["end_date"]) != (
                existing.start_date, existing.end_date
            ):
                changed_dates[existing.id] = (row, values["start_date"], values["end_date"])
    if changed_dates:
        # Narrowing an agreement's dates must not strand ratings outside them.
        rated = db.session.execute(
            select(Rating.contract_id, Period.label, Period.start_date, Period.end_date)
            .join(Period, Rating.period_id == Period.id)
            .where(Rating.contract_id.in_(list(changed_dates)))
            .distinct()
        ).all()
        stranded: dict[int, list[str]] = {}
        for cid, label, start, end in rated:
            row, new_start, new_end = changed_dates[cid]
            if (new_start is not None and new_start > end) or (new_end is not None and new_end < start):
                stranded.setdefault(cid, []).append(label)
        for cid, labels in stranded.items():
            row = changed_dates[cid][0]
            bad(row, f"start_date/end_date: the agreement has ratings in period(s) {', '.join(sorted(labels))} "
                     "that the new dates leave out")


def _check_periods(rows: list[PeriodRow], snap: Snapshot, plan: Plan, bad) -> None:
    first_line: dict[str, int] = {}
    for row in rows:
        if not row.label or row.start_date is None or row.end_date is None:
            continue
        if row.label in first_line:
            bad(row, f"label {row.label!r}: duplicate period (first on line {first_line[row.label]})")
            continue
        first_line[row.label] = row.line
        if len(row.label) > 32:
            bad(row, f"label {row.label!r}: longer than 32 characters")
            continue
        if row.start_date > row.end_date:
            bad(row, f"end_date {row.end_date.isoformat()!r}: before start_date {row.start_date.isoformat()!r}")
            continue
        existing = snap.periods.get(row.label)
        if existing is not None and (existing.start_date, existing.end_date) != (row.start_date, row.end_date):
            bad(row, f"label {row.label!r}: the period already exists with dates "
                     f"{existing.start_date.isoformat()} – {existing.end_date.isoformat()}")
            continue
        if existing is None:
            other = _overlapping(row.start_date, row.end_date, snap, plan, row.label)
            if other is not None:
                bad(row, _overlap_reason(row.label, (row.start_date, row.end_date), other))
                continue
        plan.periods[row.label] = (row.start_date, row.end_date)


def _overlapping(start: date, end: date, snap: Snapshot, plan: Plan,
                 label: str) -> tuple[str, date, date] | None:
    """The first period (stored or planned by this import, other than ``label``) whose dates meet ``start–end``."""
    known = {lbl: (p.start_date, p.end_date) for lbl, p in snap.periods.items()} | plan.periods
    for other, (o_start, o_end) in sorted(known.items(), key=lambda item: (item[1], item[0])):
        if other != label and o_start <= end and o_end >= start:
            return other, o_start, o_end
    return None


def _overlap_reason(label: str, dates: tuple[date, date], other: tuple[str, date, date]) -> str:
    return (f"period {label!r} ({dates[0].isoformat()} – {dates[1].isoformat()}) overlaps period "
            f"{other[0]!r} ({other[1].isoformat()} – {other[2].isoformat()}); periods may never overlap")


def _place_label_periods(rows: list[RatingRow], snap: Snapshot, plan: Plan, bad) -> set[str]:
    """Give every ``YYYY-Qn``/``YYYY-MM`` label that no file or stored period defines a period that overlaps none.

    A label whose dates lie inside one existing (or periods.csv) period goes into that
    period (``plan.moved``; the rows are relabelled so every later check and the apply
    see the period that holds them); a label that overlaps a period without lying
    inside it is refused on each of its rows, naming both periods. Quarters are placed
    before months, so months of a quarter that the same file creates go into it.
    Returns the labels refused.
    """
    new: dict[str, tuple[date, date]] = {}
    for row in rows:
        if row.period and row.period not in plan.periods and row.period not in snap.periods:
            dates = label_dates(row.period)
            if dates is not None:
                new[row.period] = dates
    refused: dict[str, tuple[str, date, date]] = {}
    for label, (start, end) in sorted(new.items(), key=lambda item: (item[1][0] - item[1][1], item[0])):
        other = _overlapping(start, end, snap, plan, label)
        if other is None:
            plan.periods[label] = (start, end)
        elif other[1] <= start and end <= other[2]:
            plan.moved[label] = other[0]
        else:
            refused[label] = other
    for row in rows:
        if row.period in plan.moved:
            row.period = plan.moved[row.period]
        elif row.period in refused:
            bad(row, _overlap_reason(row.period, new[row.period], refused[row.period]))
    return set(refused)


def _check_ratings(rows: list[RatingRow], snap: Snapshot, plan: Plan, bad,
                   unreadable: frozenset | set = frozenset()) -> None:
    first_line: dict[tuple, int] = {}
    refused = _place_label_periods(rows, snap, plan, bad)
    for row in rows:
        if not (row.period and row.supplier_code and row.customer_code and row.service) or row.period in refused:
            continue
        dates = plan.periods.get(row.period)
        if dates is None and row.period in snap.periods:
            existing = snap.periods[row.period]
            dates = plan.periods[row.period] = (existing.start_date, existing.end_date)
        if dates is None:
            dates = label_dates(row.period)
            if dates is None:
                bad(row, f"period {row.period!r}: unknown period; not in periods.csv or the database, "
                         "and not a label of the form YYYY-Qn or YYYY-MM")
            else:
                plan.periods.setdefault(row.period, dates)

        values = plan.contracts.get(row.link)
        if values is None and row.link in snap.contracts:
            existing_contract = snap.contracts[row.link]
            values = {"start_date": existing_contract.start_date, "end_date": existing_contract.end_date}
        if values is None:
            bad(row, f"no active agreement {row.supplier_code} → {row.customer_code} for service {row.service!r}")
        elif dates is not None:
            start, end = dates
            if (values["start_date"] is not None and values["start_date"] > end) or (
                values["end_date"] is not None and values["end_date"] < start
            ):
                bad(row, f"period {row.period!r}: the agreement {row.supplier_code} → {row.customer_code} "
                         f"({row.service}) is not active in this period")

        # A blank respondent stays "" (the customer head, resolved when they open the form, or the one
        # unnamed respondent of an external customer): naming the head here made a re-import after a
        # head_email was added a second rating.
        respondent = row.respondent
        if len(respondent) > 254:
            bad(row, "respondent: longer than 254 characters")
        if row.respondent and (reason := _foreign_respondent(row, snap, plan)):
            bad(row, reason)
        key = (row.link, row.period, respondent)
        if key in first_line:
            who = respondent or "(unnamed)"
            bad(row, f"duplicate rating of {row.supplier_code} → {row.customer_code} ({row.service}) for period "
                     f"{row.period} by respondent {who} (first on line {first_line[key]})")
            continue
        first_line[key] = row.line
        plan.respondents[row.line] = respondent

        given = [k for k, s in row.scores.items() if s is not None]
        if row.no_interaction and (given or row.recommend is not None or row.standard_met):
            bad(row, "no_interaction 'yes': the row also has answers; leave them blank or set no_interaction to no")
            continue
        scores = {k: s for k, s in row.scores.items() if s is not None or k in snap.criteria}
        answer = rating_service.RatingInput(scores=scores, recommend=row.recommend, standard_met=row.standard_met,
                                            no_interaction=row.no_interaction, comment=row.comment)
        for name, reason in rating_service.validate(answer, snap.criteria, require_comment=False).items():
            if not name and (row.file, row.line) in unreadable:
                continue  # a cell the reader could not read left the row empty; that cell is the problem
            value = getattr(row, name, None) if name != "comment" else row.comment
            if name in row.scores:
                value = row.scores[name]
            shown = "" if value is None else f" {str(value)!r}"
            bad(row, f"{name}{shown}: {reason}")


def _foreign_respondent(row: RatingRow, snap: Snapshot, plan: Plan) -> str | None:
    """Why a known user may not rate for the row's customer (they are not its head or member), or None."""
    user = snap.users.get(row.respondent)
    if user is None or plan.heads.get(row.customer_code) == row.respondent:
        return None  # survey ids and free text stay allowed; a head this import names belongs to the customer
    customer = snap.departments.get(row.customer_code)
    if customer is not None and user.department_id == customer.id and user.role in ("head", "member"):
        return None
    where = f"{user.role} of {user.department.code}" if user.department is not None else user.role
    return (f"respondent {row.respondent!r}: the user is {where}, not a head or member of the customer "
            f"department {row.customer_code}")
