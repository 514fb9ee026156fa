"""Export the organization as the same four tables the import reads.

:func:`export_tables` builds plain rows (a fixed number of queries); :func:`write_csv_folder`
writes them as UTF-8 CSV files with a BOM, which Excel opens with Cyrillic intact. Text
cells that begin with ``=``, ``+``, ``-`` or ``@`` get a leading apostrophe so a
spreadsheet never runs them as formulas; genuine numbers stay numbers; the reader
drops that apostrophe again, so export → import → export gives identical files.
"""
from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Contract, Department, Period, Rating, User
from .reader import COLUMNS, CRITERIA_COLUMNS

__all__ = ["cell", "export_tables", "neutralise", "write_csv_folder", "write_workbook"]

_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
_PLAIN_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?")  # no leading zeros: codes like 007 stay text


def neutralise(text: str) -> str:
    """``text`` made safe for a spreadsheet: a leading ``=``, ``+``, ``-``, ``@``, tab or CR gets an apostrophe.

    A genuine number such as ``-5`` or ``+3.5`` is left as it is.
    """
    if text and text[0] in "=+-@\t\r" and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def cell(value: Any) -> str:
    """One value as CSV text: integral floats without ``.0``, dates ISO, booleans yes/no, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (int, Decimal)):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return neutralise(str(value))


def export_tables() -> dict[str, list[list[str]]]:
    """The organization as ``{file name: [header, *rows]}`` of text cells, in the import's column order.

    Departments: the non-archived ones and any an exported agreement refers to, by code;
    agreements: the active ones; periods: all, oldest first; ratings: those of the
    exported agreements. The head is the department's first active head user.
    """
    contracts = list(db.session.scalars(
        select(Contract).where(Contract.archived_at.is_(None)).options(
            selectinload(Contract.supplier), selectinload(Contract.customer), selectinload(Contract.service))
    ))
    contracts.sort(key=lambda c: (c.supplier.code, c.customer.code, c.service.name))
    referenced = {c.supplier_id for c in contracts} | {c.customer_id for c in contracts}
    departments = sorted((d for d in db.session.scalars(select(Department).options(selectinload(Department.parent)))
                          if d.archived_at is None or d.id in referenced), key=lambda d: d.code)
    heads: dict[int, str] = {}
    for user in db.session.scalars(select(User).where(User.role == "head", User.archived_at.is_(None))
                                   .order_by(User.id)):
        heads.setdefault(user.department_id, user.email)

    tables: dict[str, list[list[str]]] = {name: [list(cols)] for name, cols in COLUMNS.items()}
    for dep in departments:
        tables["departments.csv"].append([cell(v) for v in (
            dep.code, dep.name, dep.kind, dep.parent.code if dep.parent else None, heads.get(dep.id))])
    for con in contracts:
        tables["contracts.csv"].append([cell(v) for v in (
            con.supplier.code, con.customer.code, con.service.name, con.criticality, con.target, con.floor,
            con.start_date, con.end_date, con.transfer_price, con.standard)])
    for per in db.session.scalars(select(Period).order_by(Period.start_date, Period.end_date, Period.label)):
        tables["periods.csv"].append([cell(v) for v in (per.label, per.start_date, per.end_date)])

    exported = {c.id for c in contracts}
    ratings = [r for r in db.session.scalars(
        select(Rating).options(selectinload(Rating.scores), selectinload(Rating.period))
    ) if r.contract_id in exported]
    by_contract = {c.id: c for c in contracts}
    criterion_keys = _criterion_keys()
    def order(rating: Rating) -> tuple:
        con = by_contract[rating.contract_id]
        return (rating.period.start_date, rating.period.label, con.supplier.code, con.customer.code,
                con.service.name, rating.respondent_key)

    # Sorted here, not in SQL, so the file is the same whatever the database's collation.
    for rating in sorted(ratings, key=order):
        con = by_contract[rating.contract_id]
        scores = {criterion_keys.get(s.criterion_id): s.score for s in rating.scores}
        tables["ratings.csv"].append([cell(v) for v in (
            rating.period.label, con.supplier.code, con.customer.code, con.service.name, rating.respondent_key,
            *(scores.get(key) for key in CRITERIA_COLUMNS),
            rating.recommend, rating.standard_met, "yes" if rating.no_interaction else None, rating.comment)])
    return tables


def _criterion_keys() -> dict[int, str]:
    from ..models import Criterion

    return dict(db.session.execute(select(Criterion.id, Criterion.key)).all())


def write_csv_folder(folder: str | Path) -> list[Path]:
    """Write departments.csv, contracts.csv, periods.csv and ratings.csv into ``folder`` (created if needed)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in export_tables().items():
        buffer = io.StringIO(newline="")
        csv.writer(buffer, lineterminator="\r\n").writerows(rows)
        path = folder / name
        path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
        written.append(path)
    return written


def write_workbook(path: str | Path) -> Path:
    """Write the four tables as sheets of one XLSX workbook (numbers as numbers, text neutralised)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in export_tables().items():
        sheet = book.create_sheet(name.removesuffix(".csv"))
        for row in rows:
            sheet.append([_typed(value) for value in row])
    path = Path(path)
    book.save(path)
    return path


def _typed(text: str) -> Any:
    # In a workbook a genuine number is stored as a number, so Excel can sum it.
    if _PLAIN_NUMBER.fullmatch(text):
        return float(text) if "." in text else int(text)
    return text
