"""Helpers for importer tests: write CSV folders and count every table's rows."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from tracker.extensions import db

DATA = Path(__file__).resolve().parent.parent / "data"
WORKED_EXAMPLE = DATA / "worked_example"

DEPARTMENTS = """code,name,kind,parent_code,head_email
IT,IT,internal,,head.it@example.com
LOG,Logistics,internal,,head.log@example.com
EXT,Retail clients,external,,
"""
CONTRACTS = """supplier_code,customer_code,service,criticality,target,floor,start_date,end_date,transfer_price,standard
IT,LOG,IT support,2,,,2026-01-01,,1200.50,Tickets answered within a day
LOG,EXT,delivery,high,80,40,,,,
"""
RATINGS = """period,supplier_code,customer_code,service,respondent,quality,timeliness,communication,value,recommend,standard_met,no_interaction,comment
2026-Q3,IT,LOG,IT support,,5,3,4,,9,met,,
2026-Q3,LOG,EXT,delivery,,4,4,4,4,,,,
"""


def write_folder(folder: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``{name: text or bytes}`` into ``folder`` (text as UTF-8) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return folder


def small_folder(folder: Path, **overrides: str) -> Path:
    """A small valid folder (IT → LOG → EXT), with any file replaced by ``overrides`` (``departments=...``)."""
    files = {"departments.csv": DEPARTMENTS, "contracts.csv": CONTRACTS, "ratings.csv": RATINGS}
    for key, text in overrides.items():
        files[f"{key}.csv"] = text
    return write_folder(folder, files)


def row_counts() -> dict[str, int]:
    """Rows in every table, by table name."""
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}
