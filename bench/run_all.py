"""``make bench``: every benchmark in turn, then one summary of the budgets, written to bench-results.json.

Usage (from the repository root)::

    .venv/bin/python bench/run_all.py                 # SQLite
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench .venv/bin/python bench/run_all.py
                                                      # SQLite, then the same on that SPARE PostgreSQL database
    .venv/bin/python bench/run_all.py --quick         # small sizes and a 10-second load test, to try it out

Each step is a script of its own that prints its figures and, as its last line, a JSON summary;
this driver passes its output through, keeps the summaries and prints the budgets of issue 18 as
met or missed at the end. A step that fails is reported and the others still run; the exit status
is 1 when any step failed (a missed budget is a figure, not a failure).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def steps(quick: bool, postgres: str | None) -> list[tuple[str, list[str], dict]]:
    """``(name, command, extra environment)`` of every benchmark, in order."""
    sizes = ["50", "200"] if quick else []
    load = ["-u", "10", "-t", "10s"] if quick else []
    out = [
        ("scale (SQLite)", [PY, "bench/bench_scale.py", *(["--sizes", *sizes] if sizes else [])], {"BENCH_DATABASE_URL": ""}),
        ("analysis steps of 10,000 departments (in process, no database)",
         [PY, "bench/bench_analysis.py", *(["--departments", "1000", "--contracts", "5000"] if quick else [])], {}),
        ("import of 10,000 departments (SQLite)",
         [PY, "bench/bench_import_10k.py", *(["--departments", "1000", "--preview-mb", "3"] if quick else [])],
         {"BENCH_DATABASE_URL": ""}),
        ("Excel exports, 2k to 16k rows (streamed)", [PY, "bench/bench_export.py"], {}),
        ("review pack of 200 departments", [PY, "bench/bench_review_pack.py", *(["--departments", "50"] if quick else [])],
         {}),
        ("rotation plan", [PY, "bench/bench_rotations.py"], {}),
        ("informal network import", [PY, "bench/bench_network.py",
                                     *(["--people", "2000", "--ties", "20000", "--departments", "100"] if quick else [])],
         {}),
        ("graph in the browser", [PY, "bench/bench_graph.py", *(["--quick"] if quick else [])], {}),
        ("quarter-end load (SQLite)", [PY, "bench/load/run.py", *load], {"DATABASE_URL": ""}),
    ]
    if postgres:
        out += [
            ("scale (PostgreSQL)", [PY, "bench/bench_scale.py", *(["--sizes", *sizes] if sizes else [])],
             {"BENCH_DATABASE_URL": postgres}),
            ("import of 10,000 departments (PostgreSQL)",
             [PY, "bench/bench_import_10k.py", "--preview-mb", "0", *(["--departments", "1000"] if quick else [])],
             {"BENCH_DATABASE_URL": postgres}),
            ("quarter-end load (PostgreSQL)", [PY, "bench/load/run.py", "--recreate", *load],
             {"DATABASE_URL": postgres}),
        ]
    return out


def run(name: str, command: list[str], extra: dict) -> dict:
    script = ROOT / command[1]
    if not script.exists():
        print(f"\n### {name}: {command[1]} is not in this checkout", flush=True)
        return {"step": name, "status": "absent"}
    print(f"\n### {name}: {' '.join(command[1:])}", flush=True)
    env = dict(os.environ, **extra)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    t0 = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    last = ""
    for line in proc.stdout:
        print(line, end="", flush=True)
        if line.strip():
            last = line.strip()
    proc.wait()
    summary: dict = {"step": name, "status": "ok" if proc.returncode == 0 else f"exit {proc.returncode}",
                     "seconds": round(time.perf_counter() - t0, 1)}
    try:
        summary["summary"] = json.loads(last)
    except ValueError:
        pass
    return summary


def load_verdicts(summary: dict) -> list[tuple[str, bool, str]]:
    s = summary.get("summary") or {}
    if "p95_ms" not in s:
        return []
    ok = s["p95_ms"] < 200 and s["server_errors"] == 0 and s["lost"] == 0 and s["duplicated"] == 0
    verdicts = [(f"quarter-end load on {s['database']}: p95 < 200 ms, 0 5xx, 0 lost", ok,
                 f"p50 {s['p50_ms']:.0f} ms, p95 {s['p95_ms']:.0f} ms, p99 {s['p99_ms']:.0f} ms, "
                 f"{s['requests']} requests, 5xx {s['server_errors']}, lost {s['lost']}, duplicated {s['duplicated']}")]
    if "rush_duplicates" in s:  # the double-submit and create-form rush of the same run
        rushes = s.get("rushes", {})
        verdicts.append((f"create-form rush on {s['database']}: 0 5xx, 0 duplicates",
                         s["server_errors"] == 0 and s["rush_duplicates"] == 0,
                         f"{rushes.get('departments', 0)} department rushes (5 at once), "
                         f"{rushes.get('follow_ups', 0)} follow-up and {rushes.get('rotations', 0)} rotation double "
                         f"clicks; duplicates {s['rush_duplicates']}, none made {s.get('rush_missing', 0)}"))
    return verdicts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "bench-results.json"))
    args = parser.parse_args()
    postgres = os.environ.get("BENCH_DATABASE_URL") or None
    out = Path(args.out)
    if out.exists():
        out.unlink()  # bench_scale.py adds its sections to this file
    results = [run(name, command, extra) for name, command, extra in steps(args.quick, postgres)]

    scale = json.loads(out.read_text()) if out.exists() else {}
    print("\n==================== Budgets (issue 18) ====================")
    verdicts = []
    for section in scale.values():
        verdicts += [(b["budget"], b["met"], b["figures"]) for b in section["budgets"]]
    for r in results:
        verdicts += load_verdicts(r)
        s = r.get("summary") or {}
        for budget in s.get("budgets", []):
            verdicts.append((budget["budget"], budget["met"], budget["figures"]))
    for name, met, figures in verdicts:
        print(f"  {'met   ' if met else 'MISSED'}  {name}: {figures}")
    for r in results:
        if r["status"] != "ok":
            print(f"  step {r['step']}: {r['status']}")
    scale["steps"] = results
    scale["budgets"] = [{"budget": n, "met": m, "figures": f} for n, m, f in verdicts]
    out.write_text(json.dumps(scale, indent=2, ensure_ascii=False))
    print(f"\nAll figures: {out}")
    return 0 if all(r["status"] in ("ok", "absent") for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
