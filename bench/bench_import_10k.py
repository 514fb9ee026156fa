"""Benchmark ``flask import`` of a 10,000-department organization against a plain-sqlite floor.

Usage::

    .venv/bin/python bench/bench_import_10k.py [--departments 10000] [--keep DIR]
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/spare .venv/bin/python bench/bench_import_10k.py

Generates, deterministically (seeded), ``departments.csv`` (10,000 rows), ``contracts.csv``
(about 51,000 agreements), ``periods.csv`` and ``ratings.csv`` (about 93,000 ratings) into
a temporary folder. Then times two whole processes, each with its peak resident memory
(``ru_maxrss`` of the one child of a small wrapper process):

- the floor: Python's ``csv`` module reads the four files and ``sqlite3`` inserts their
  rows with ``executemany`` into four plain tables of a fresh file, one commit;
- ``flask --app wsgi import FOLDER`` into a freshly migrated database (SQLite in the
  temporary folder; ``BENCH_DATABASE_URL`` runs it there instead — its tables are dropped
  and migrated first, so give it a spare database).

Prints both, and the ratios import/floor for time and peak memory. The goal of issue 11:
at most 5× the time and 4× the memory.

Memory is measured the same way on both sides (peak RSS of the whole child process), and
also net of each side's own baseline: the same program run on the same four files with
their header rows only (the floor: Python with csv and sqlite3, about 10 MiB; the import:
Flask, SQLAlchemy, the models and the importer loaded and a snapshot of the empty
database read, about 150 MiB). The app's baseline alone is ten times the whole floor, so
the gross ratio says little about the import; both ratios are printed. Also checks that a second import of the same
folder reports nothing added or changed (idempotence), untimed.
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

#: Runs argv[1:] as one child and prints "<seconds> <peak RSS KiB>" of it on stderr's last line.
_WRAPPER = r"""
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:]).returncode
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"BENCH {elapsed:.3f} {peak}", file=sys.stderr)
sys.exit(code)
"""

_FLOOR = r"""
import csv, sqlite3, sys
from pathlib import Path
folder, target = Path(sys.argv[1]), sys.argv[2]
con = sqlite3.connect(target)
for name in ("departments", "contracts", "periods", "ratings"):
    with open(folder / f"{name}.csv", newline="", encoding="utf-8") as fh:
        rows = csv.reader(fh)
        header = next(rows)
        con.execute(f"CREATE TABLE {name} (id INTEGER PRIMARY KEY, {', '.join(header)})")
        con.executemany(f"INSERT INTO {name} ({', '.join(header)}) VALUES ({', '.join('?' * len(header))})", rows)
con.commit()
con.close()
"""


def generate(folder: Path, *, departments: int = 10_000, seed: int = 11) -> dict[str, int]:
    """Write the four CSV files of a generated organization into ``folder``; return the row counts.

    2 % of the departments are external customers; each internal department supplies
    about 5.2 agreements (a service each) to other departments; every agreement is rated
    in 2026-Q1 and about 82 % of them again in 2026-Q2 (blank respondent: the customer's
    head), a low score always with a comment.
    """
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    codes = [f"D{i:05d}" for i in range(departments)]
    external = set(rng.sample(range(departments), departments // 50))
    with open(folder / "departments.csv", "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["code", "name", "kind", "parent_code", "head_email"])
        for i, code in enumerate(codes):
            kind = "external" if i in external else "internal"
            parent = codes[rng.randrange(i)] if i and kind == "internal" and rng.random() < 0.9 else ""
            parent = "" if parent and int(parent[1:]) in external else parent
            out.writerow([code, f"Department {i}", kind, parent, f"head{i}@bench.local" if i % 4 == 0 else ""])
    links = []
    internal = [i for i in range(departments) if i not in external]
    with open(folder / "contracts.csv", "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["supplier_code", "customer_code", "service", "criticality", "target", "floor",
                      "start_date", "end_date", "transfer_price", "standard"])
        for supplier in internal:
            for s in range(5 + (rng.random() < 0.3)):
                customer = rng.randrange(departments - 1)
                customer += customer >= supplier
                link = (codes[supplier], codes[customer], f"service {s}")
                links.append(link)
                target = rng.choice(["", "", "80"])
                out.writerow([*link, rng.choice(["low", "medium", "high"]), target, "50" if target else "",
                              "2025-01-01", "", rng.choice(["", "1200.50"]), rng.choice(["", "48 h"])])
    with open(folder / "periods.csv", "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["label", "start_date", "end_date"])
        out.writerow(["2026-Q1", "2026-01-01", "2026-03-31"])
        out.writerow(["2026-Q2", "2026-04-01", "2026-06-30"])
    ratings = 0
    with open(folder / "ratings.csv", "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["period", "supplier_code", "customer_code", "service", "respondent", "quality", "timeliness",
                      "communication", "value", "recommend", "standard_met", "no_interaction", "comment"])
        for link in links:
            for period in ("2026-Q1", "2026-Q2"):
                if period == "2026-Q2" and rng.random() > 0.82:
                    continue
                scores = [rng.choice(["", "1", "2", "3", "4", "4", "5", "5"]) for _ in range(4)]
                recommend = rng.randrange(11)
                low = any(s in ("1", "2") for s in scores) or recommend <= 6
                out.writerow([period, *link, "", *scores, recommend, rng.choice(["met", "partly", "missed", ""]),
                              "no", f"comment {ratings}" if low or rng.random() < 0.2 else ""])
                ratings += 1
    return {"departments": departments, "contracts": len(links), "ratings": ratings}


def measure(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """Run ``argv`` as a whole process; return (seconds, peak RSS in MiB, its stdout)."""
    done = subprocess.run([PYTHON, "-c", _WRAPPER, *argv], capture_output=True, text=True, cwd=ROOT,
                          env=env or os.environ.copy())
    last = [line for line in done.stderr.splitlines() if line.startswith("BENCH ")]
    if done.returncode or not last:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    _tag, seconds, peak_kib = last[-1].split()
    return float(seconds), int(peak_kib) // 1024, done.stdout


def _flask_env(url: str) -> dict[str, str]:
    env = os.environ.copy()
    env.update(DATABASE_URL=url, TRACKER_ENV="development")
    env.pop("FLASK_APP", None)
    return env


def _fresh_database(url: str) -> None:
    """An empty, migrated database at ``url`` (PostgreSQL: every table dropped first)."""
    if url.startswith("postgresql"):
        from sqlalchemy import create_engine, text

        engine = create_engine(url)
        with engine.begin() as con:
            con.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    flask = [PYTHON, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=_flask_env(url), check=True, capture_output=True)


_PREVIEW = r"""
import sys
from pathlib import Path
from wsgi import app
from tracker.importer import service
from tracker.importer.uploads import read_upload
path = Path(sys.argv[1])
with app.app_context():  # what an import job's preview runs: the stored upload, read, checked and planned
    result = service.import_set(read_upload(path.name, path.read_bytes()), dry_run=True)
    print(f"PREVIEW {result.counts['departments']} problems={len(result.problems)} listed={len(result.preview)} "
          f"more={result.preview_more}")
"""


def large_departments(path: Path, megabytes: float) -> int:
    """Write a ``departments.csv`` of about ``megabytes`` MB (new departments, a tenth with a parent); return rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["code", "name", "kind", "parent_code", "head_email"])
        while fh.tell() < megabytes * 1_000_000:
            out.writerow([f"L{rows:07d}", f"Large department number {rows} of a generated organization",
                          "internal", f"L{rows // 10:07d}" if rows else "", ""])
            rows += 1
    return rows


def bench_preview(tmp_path: Path, megabytes: float) -> None:
    """Time the preview of a large departments.csv (issue 15: 30 MB took 186 s and 3.6 GB) against its baseline."""
    big = tmp_path / "large" / "departments.csv"
    rows = large_departments(big, megabytes)
    empty = tmp_path / "large-empty" / "departments.csv"
    empty.parent.mkdir(parents=True, exist_ok=True)
    empty.write_text(big.open(encoding="utf-8").readline(), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'preview.sqlite'}"
    _fresh_database(url)
    _s, base, _out = measure([PYTHON, "-c", _PREVIEW, str(empty)], _flask_env(url))
    seconds, mib, out = measure([PYTHON, "-c", _PREVIEW, str(big)], _flask_env(url))
    summary = next((line for line in out.splitlines() if line.startswith("PREVIEW ")), out[-300:])
    print(f"preview of a {big.stat().st_size / 1e6:.0f} MB departments.csv ({rows:,} rows, SQLite): {seconds:7.2f} s "
          f"{mib:6d} MiB (baseline {base} MiB, net {mib - base} MiB)   {summary}")


def _headers_only(folder: Path, target: Path) -> Path:
    """A copy of ``folder``'s CSV files with their header rows only: the baseline run of each side."""
    target.mkdir(parents=True, exist_ok=True)
    for source in folder.glob("*.csv"):
        with open(source, encoding="utf-8") as fh:
            (target / source.name).write_text(fh.readline(), encoding="utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--departments", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--preview-mb", type=float, default=30.0,
                        help="also time the preview of a departments.csv of this many MB (0: skip)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        tmp_path = Path(tmp)
        folder = args.keep or tmp_path / "org"
        started = time.perf_counter()
        rows = generate(folder, departments=args.departments)
        print(f"generated {rows['departments']:,} departments, {rows['contracts']:,} agreements, "
              f"{rows['ratings']:,} ratings in {time.perf_counter() - started:.1f} s")
        empty = _headers_only(folder, tmp_path / "empty")
        floor_s, floor_mib, _ = measure([PYTHON, "-c", _FLOOR, str(folder), str(tmp_path / "floor.sqlite")])
        _s, floor_base, _ = measure([PYTHON, "-c", _FLOOR, str(empty), str(tmp_path / "floor-empty.sqlite")])
        floor_net = max(floor_mib - floor_base, 1)
        print(f"floor (csv + sqlite3 executemany): {floor_s:7.2f} s {floor_mib:6d} MiB "
              f"(baseline {floor_base} MiB, net {floor_net} MiB)")
        targets = [("sqlite", f"sqlite:///{tmp_path / 'tracker.sqlite'}")]
        if os.environ.get("BENCH_DATABASE_URL"):
            targets.append(("postgresql", os.environ["BENCH_DATABASE_URL"]))
        for name, url in targets:
            _fresh_database(url)
            base_s, base, out = measure([PYTHON, "-m", "flask", "--app", "wsgi", "import", str(empty)],
                                        _flask_env(url))
            if "Nothing changed." not in out:
                raise SystemExit(f"the baseline import of header rows only changed something:\n{out}")
            flask = [PYTHON, "-m", "flask", "--app", "wsgi", "import", str(folder)]
            seconds, mib, out = measure(flask, _flask_env(url))
            if "Imported." not in out:
                raise SystemExit(f"the import did not import:\n{out}")
            net = mib - base
            print(f"flask import ({name}):{'':{max(0, 14 - len(name))}}{seconds:7.2f} s {mib:6d} MiB "
                  f"(baseline {base_s:.2f} s {base} MiB: the app's start; net {seconds - base_s:.2f} s {net} MiB)\n"
                  f"  ratio time {seconds / floor_s:5.1f}x (goal <= 5)   memory gross {mib / max(floor_mib, 1):4.1f}x, "
                  f"net of baselines {net / floor_net:4.1f}x (goal <= 4); time net of the app's start "
                  f"{(seconds - base_s) / floor_s:5.1f}x")
            _again, _mib, out = measure(flask, _flask_env(url))
            if "Nothing changed." not in out:
                raise SystemExit(f"a second import of the same files changed something:\n{out}")
            print(f"  re-import of the same files ({name}): {_again:.2f} s, nothing changed")
        if args.preview_mb:
            bench_preview(tmp_path, args.preview_mb)


if __name__ == "__main__":
    main()
