"""Export the organization as the same four tables the import reads.

:func:`export_tables` builds plain rows (a fixed number of queries); :func:`write_csv_folder`
writes them as UTF-8 CSV files with a BOM, which Excel opens with Cyrillic intact. Text
cells that begin with ``=``, ``+``, ``-`` or ``@`` get a leading apostrophe so a
spreadsheet never runs them as formulas (in an XLSX workbook they are explicit text
cells instead, without the apostrophe); genuine numbers stay numbers; the reader drops
that apostrophe again, so export → import → export gives identical files.
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
from ..text import printable
from .reader import COLUMNS, CRITERIA_COLUMNS, FORMULA_STARTS

__all__ = [
    "cell", "csv_bytes", "departments_report", "export_tables", "neutralise", "organization_xlsx", "ratings_report",
    "write_csv_folder", "write_workbook", "xlsx_bytes",
]

_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
_PLAIN_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?")  # no leading zeros: codes like 007 stay text


def neutralise(text: str) -> str:
    """``text`` made safe for a spreadsheet: a leading character of :data:`~.reader.FORMULA_STARTS` gets an apostrophe.

    Those are OWASP's CSV-injection list (``=``, ``+``, ``-``, ``@``, tab, carriage
    return), ASVS 1.2.10's NUL, line feed and the full-width ``＝ ＋ － ＠``. A genuine
    number such as ``-5`` or ``+3.5`` is left as it is (and is written as a number).
    """
    if text and text[0] in FORMULA_STARTS and not _NUMBER.fullmatch(text):
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
    """Write the four tables as sheets of one XLSX workbook (numbers as numbers, text neutralised).

    Streamed (openpyxl's write-only mode): time and memory grow linearly with the rows.
    """
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for name, rows in export_tables().items():
        sheet = book.create_sheet(name.removesuffix(".csv"))
        for row in rows:
            _append_row(sheet, [_typed(value) for value in row])
    path = Path(path)
    book.save(path)
    return path


def _append_row(sheet, values: list[Any], *, bold: bool = False) -> None:
    """Append ``values`` to a write-only sheet; text goes in as an explicit string cell, without the apostrophe.

    In a workbook the cell type says "text", so ``=SUM(A1)`` is shown and never run;
    the apostrophe is only needed in CSV, where nothing else can say so. (The sheet was
    re-read after every row before, which made an export quadratic in its rows.)
    """
    # Text stored before the control-character rule would make the workbook unreadable (tracker.text).
    values = [printable(v) if isinstance(v, str) else v for v in values]
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cells = []
    for value in values:
        if isinstance(value, str) and not bold and not value.startswith(("'", "=")):
            cells.append(value)  # plain text: openpyxl stores it as a string already
        elif isinstance(value, str) or bold:
            cell_ = WriteOnlyCell(sheet, value=_plain_text(value) if isinstance(value, str) else value)
            if isinstance(value, str):
                cell_.data_type = "s"  # openpyxl would take a leading "=" for a formula
            if bold:
                cell_.font = Font(bold=True)
            cells.append(cell_)
        else:
            cells.append(value)
    sheet.append(cells)


def _plain_text(text: str) -> str:
    """``text`` without the apostrophe :func:`neutralise` added (unchanged when it added none)."""
    return text[1:] if text.startswith("'") and neutralise(text[1:]) == text else text


def _typed(text: str) -> Any:
    # In a workbook a genuine number is stored as a number, so Excel can sum it.
    if _PLAIN_NUMBER.fullmatch(text):
        return float(text) if "." in text else int(text)
    return text


# --- exports for users: a period's ratings and per-department figures ------------------------

RATING_REPORT_COLUMNS = (
    "period", "supplier_code", "supplier", "customer_code", "customer", "service", "respondent",
    *CRITERIA_COLUMNS, "recommend", "standard_met", "no_interaction", "health", "comment",
)
DEPARTMENT_REPORT_COLUMNS = (
    "code", "name", "chain_strength", "bottleneck", "relies_on_unrated", "cut_off", "dominates", "nps",
    "nps_responses", "small_sample", "csat", "standard_met", "response_rate",
)


def ratings_report(period) -> list[list[Any]]:
    """``[header, *rows]`` of every rating of ``period`` (a :class:`Period`), typed values (numbers stay numbers).

    Rows are ordered by supplier code, customer code, service and respondent (three queries).
    """
    ratings = list(db.session.scalars(
        select(Rating).where(Rating.period_id == period.id).options(
            selectinload(Rating.scores),
            selectinload(Rating.contract).selectinload(Contract.supplier),
            selectinload(Rating.contract).selectinload(Contract.customer),
            selectinload(Rating.contract).selectinload(Contract.service))
    ))
    keys = _criterion_keys()
    ratings.sort(key=lambda r: (r.contract.supplier.code, r.contract.customer.code, r.contract.service.name,
                                r.respondent_key))
    rows: list[list[Any]] = [list(RATING_REPORT_COLUMNS)]
    for r in ratings:
        scores = {keys.get(s.criterion_id): s.score for s in r.scores}
        con = r.contract
        rows.append([period.label, con.supplier.code, con.supplier.name, con.customer.code, con.customer.name,
                     con.service.name, r.respondent_key, *(scores.get(k) for k in CRITERIA_COLUMNS), r.recommend,
                     r.standard_met, "yes" if r.no_interaction else "no", r.health, r.comment])
    return rows


def departments_report(period) -> list[list[Any]]:
    """``[header, *rows]`` of each internal department's figures in ``period``, from the analysis JSON.

    The bottleneck is written as ``SUPPLIER → CUSTOMER (service)``; NPS and CSAT to one
    decimal, response rate a fraction 0–1, as in the JSON API.
    """
    from ..analysis import SMALL_SAMPLE
    from ..services import analysis as analysis_service

    figures = analysis_service.period_analysis(period).to_json()
    rows: list[list[Any]] = [list(DEPARTMENT_REPORT_COLUMNS)]
    for d in figures["departments"]:
        b = d["bottleneck"]
        rows.append([d["code"], d["name"], d["chain_strength"],
                     f"{b['supplier']} → {b['customer']} ({b['service']})" if b else None,
                     "yes" if d["relies_on_unrated"] else "no", "yes" if d["cut_off"] else "no", d["dominates"],
                     d["nps"], d["nps_responses"],
                     "yes" if d["nps"] is not None and d["nps_responses"] < SMALL_SAMPLE else "no",
                     d["csat"], d["standard_met"], d["response_rate"]])
    return rows


def csv_bytes(rows: list[list[Any]]) -> bytes:
    """Rows as an Excel-friendly CSV: UTF-8 with BOM, CRLF, text neutralised, numbers as plain numbers."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows([[cell(v) for v in row] for row in rows])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(sheets: dict[str, list[list[Any]]]) -> bytes:
    """Sheets ``{title: rows}`` as an XLSX workbook: numbers as numbers, text neutralised, header row bold.

    Streamed (openpyxl's write-only mode), so time and memory grow linearly with the rows.
    """
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title[:31])
        for i, row in enumerate(rows):
            _append_row(sheet, [_xlsx_value(v) for v in row], bold=i == 0)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, Decimal)):
        return ("yes" if value else "no") if isinstance(value, bool) else value
    if hasattr(value, "isoformat"):
        return value
    return neutralise(str(value)) or None


def organization_xlsx() -> bytes:
    """The whole organization as the import's workbook (the same layout as ``flask export FILE.xlsx``)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return write_workbook(Path(tmp) / "organization.xlsx").read_bytes()
