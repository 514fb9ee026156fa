"""Benchmark importing a large workbook: 50,000 ratings by default.

Usage::

    .venv/bin/python bench/bench_import.py [--ratings 50000] [--contracts 1000] [--database sqlite:///...]

Writes a seeded random XLSX workbook with openpyxl (departments, contracts, periods,
ratings sheets), then times, against a fresh SQLite database in a temporary folder
(or ``--database``), reading the workbook, the dry run, the apply, the
re-import of the same file (which must report 0 added, 0 changed), and the re-import
of a second workbook with the same agreements and respondents whose every rating
differs (dry run, then apply: every rating changed; the period is reopened first,
since a closed period's ratings are read-only).
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker import create_app  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.importer import reader, service  # noqa: E402
from tracker.services import settings as settings_service  # noqa: E402


def build_workbook(path: Path, *, ratings: int, contracts: int, seed: int = 7, changed: bool = False) -> None:
    """Write a workbook with ``contracts`` agreements and ``ratings`` ratings in one period.

    ``changed``: the same departments, agreements and respondents, but every rating's
    answers differ from those of the workbook written without it (the comment always does).
    """
    from openpyxl import Workbook

    rng = random.Random(seed)
    answers = random.Random(seed + 1) if changed else rng
    departments = max(10, contracts // 5)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("departments")
    sheet.append(["code", "name", "kind", "parent_code", "head_email"])
    for i in range(departments):
        sheet.append([f"D{i:04d}", f"Department {i}", "internal", None, None])
    sheet.append(["EXT", "Retail clients", "external", None, None])
    sheet = book.create_sheet("contracts")
    sheet.append(["supplier_code", "customer_code", "service", "criticality"])
    links = []
    for i in range(contracts):
        supplier = rng.randrange(departments)
        customer = "EXT" if i % 10 == 0 else f"D{(supplier + 1 + rng.randrange(departments - 1)) % departments:04d}"
        link = (f"D{supplier:04d}", customer, f"service {i}")
        links.append(link)
        sheet.append([*link, rng.choice([1, 2, 3])])
    sheet = book.create_sheet("periods")
    sheet.append(["label", "start_date", "end_date"])
    sheet.append(["2026-Q1", "2026-01-01", "2026-03-31"])
    sheet = book.create_sheet("ratings")
    sheet.append(["period", "supplier_code", "customer_code", "service", "respondent", "quality", "timeliness",
                  "communication", "value", "recommend", "standard_met", "no_interaction", "comment"])
    per_contract = -(-ratings // contracts)
    written = 0
    for link in links:
        for r in range(per_contract):
            if written == ratings:
                break
            scores = [answers.choice([None, 1, 2, 3, 4, 5]) for _ in range(4)]
            recommend = answers.randrange(11)
            sheet.append(["2026-Q1", *link, f"person{r}@example.com", *scores, recommend,
                          answers.choice(["met", "partly", "missed", None]), None,
                          f"{'changed ' if changed else ''}comment {written}"])
            written += 1
    book.save(path)


SUDZILLA = Path(__file__).resolve().parents[1] / "tests" / "data" / "nps-sudzilla-survey" / "input_01.csv"


def _bench_survey(today) -> None:
    """Time the Sudzilla survey export (39 responses): dry run and apply."""
    from tracker.importer import survey  # noqa: F401 - the mapping's home
    from tracker.models import Contract, Department, Service

    events, attendees = Department(code="EVENTS", name="Events"), Department(code="ATT", name="Attendees",
                                                                           kind="external")
    db.session.add_all([events, attendees, Contract(supplier=events, customer=attendees, criticality=2,
                                                    service=Service(department=events, name="Sudzilla"))])
    db.session.commit()
    mapping = {"recommend_column": "On a scale of 0-10, how would you rate Sudzilla?", "comment_column": "...why?",
               "timestamp_column": "Timestamp", "supplier": "EVENTS", "customer": "ATT", "service": "Sudzilla"}
    data = SUDZILLA.read_bytes()
    for label, dry in (("Sudzilla survey dry run", True), ("Sudzilla survey apply", False)):
        t0, c0 = time.perf_counter(), time.process_time()
        result = service.import_survey(SUDZILLA.name, data, mapping, dry_run=dry, today=today)
        assert not result.problems, result.problems[:5]
        print(f"{label}: {(time.perf_counter() - t0) * 1000:.0f} ms wall, "
              f"{(time.process_time() - c0) * 1000:.0f} ms CPU — ratings {result.counts['ratings']}")


def _bench_changed(book: Path, today, total: int) -> None:
    """Time the re-import of a workbook whose every rating differs: dry run, then apply (period reopened)."""
    from sqlalchemy import update

    from tracker.models import Period

    db.session.execute(update(Period).where(Period.label == "2026-Q1").values(status="open", closed_at=None))
    db.session.commit()
    for label, dry in (("every rating changed, dry run", True), ("every rating changed, apply", False)):
        t0, c0 = time.perf_counter(), time.process_time()
        result = service.import_set(reader.read_path(book), dry_run=dry, today=today)
        assert not result.problems, result.problems[:5]
        assert result.counts["ratings"].changed == total, result.counts["ratings"]
        print(f"{label} (read included): {time.perf_counter() - t0:.1f} s wall, "
              f"{time.process_time() - c0:.1f} s CPU — ratings {result.counts['ratings']}")


def main() -> None:
    """Build the workbooks, then time the read, the dry run, the apply, the re-imports and the survey."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ratings", type=int, default=50_000)
    parser.add_argument("--contracts", type=int, default=1_000)
    parser.add_argument("--database", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "big.xlsx"
        t0 = time.perf_counter()
        build_workbook(book, ratings=args.ratings, contracts=args.contracts)
        print(f"workbook written: {time.perf_counter() - t0:.1f} s ({book.stat().st_size / 1e6:.1f} MB)")
        changed_book = Path(tmp) / "changed.xlsx"
        build_workbook(changed_book, ratings=args.ratings, contracts=args.contracts, changed=True)
        url = args.database or f"sqlite:///{tmp}/bench.sqlite"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.app_context():
            db.create_all()
            settings_service.ensure_defaults()
            today = __import__("datetime").date(2026, 8, 1)
            t0, c0 = time.perf_counter(), time.process_time()
            data = reader.read_path(book)
            print(f"read workbook: {time.perf_counter() - t0:.1f} s wall, {time.process_time() - c0:.1f} s CPU "
                  f"({len(data.ratings)} ratings)")
            for label, dry in (("dry run", True), ("apply", False), ("re-import", False)):
                t0, c0 = time.perf_counter(), time.process_time()
                result = service.import_set(reader.read_path(book), dry_run=dry, today=today)
                assert not result.problems, result.problems[:5]
                print(f"{label} (read included): {time.perf_counter() - t0:.1f} s wall, "
                      f"{time.process_time() - c0:.1f} s CPU — ratings {result.counts['ratings']}")
            _bench_changed(changed_book, today, len(data.ratings))
            _bench_survey(today)
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
