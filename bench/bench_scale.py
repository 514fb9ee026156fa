"""Speed at scale: the analysis, the pages and the graph over four organization sizes, against budgets.

Usage (from the repository root; ``make bench`` runs it)::

    .venv/bin/python bench/bench_scale.py                        # SQLite, sizes 50 200 2000 10000
    .venv/bin/python bench/bench_scale.py --sizes 50 200         # a quick look
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python bench/bench_scale.py                    # the same on a SPARE PostgreSQL database

For each size a child process generates the organization (``bench/orgs.py``: divisions, about
five agreements per department, eight periods, 90 % rated by one to three respondents), migrates
an empty database, seeds it, and measures inside one app process: the analysis of the open
period, each page's server time (test client, median of 5 after a cold first request) and its SQL
query count, and the graph (static SVG, interactive data) cold and cached; then its peak RSS, the
memory of a worker that served all of it. The parent times whole processes, median of 3:
``flask analyze --period … --json`` and the plain floor (``bench/floor_analysis.py``: the CSV files,
a NetworkX graph, one widest-path pass). It prints one table and the budgets of issue 18 as met or
missed, and writes everything to ``bench-results.json`` (``--out``). Timings are measurements,
never assertions: nothing here fails on a slow machine.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
BIN = Path(sys.executable).parent
SIZES = (50, 200, 2000, 10000)

# Page name → (role that reads it, URL template, endpoint names that must exist for it to be measured).
PAGES = {
    "dashboard": ("coo", "/dashboard/?period={period}", ()),
    "department": ("coo", "/dashboard/departments/{supplier}?period={period}", ()),
    "agreement": ("coo", "/dashboard/contracts/{contract_id}?period={period}", ()),
    "rating page": ("head", "/rate/", ()),
    "rate several": ("head", "/rate/all", ()),
    "audit log": ("coo", "/audit/", ()),
    "audit log, ratings, page 2": ("coo", "/audit/?entity=rating&page=2", ()),
    "scorecard": ("coo", "/scorecard/?period={period}", ("scorecard.company", "scorecard.index")),
    "API analysis": ("coo", "/api/v1/analysis/{period}", ()),
}
GRAPH_SIZES = 2000  # the drawn graph is measured up to this size (above it the page groups by division)
GRAPHS = {
    "static SVG": ("/dashboard/graph.svg?period={period}", ()),
    "interactive data": ("/dashboard/graph.json?period={period}", ("dashboard.graph_json", "dashboard.graph_data")),
}


# --------------------------------------------------------------------------------------------- child


def _database(url: str | None, tmp: Path) -> str:
    if not url:
        return "sqlite:///" + str(tmp / "bench.sqlite")
    from sqlalchemy import create_engine, text
    engine = create_engine(url)
    with engine.begin() as conn:  # a spare database: start from an empty schema
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def _seed_audit() -> int:
    """One "create" audit row per rating, as the form and the import leave them: the audit log is measured full."""
    from datetime import datetime, timezone

    from sqlalchemy import insert, select

    from tracker.extensions import db
    from tracker.models import AuditLog, Rating

    now = datetime.now(timezone.utc)
    rows = [{"at": now, "user_id": uid, "action": "create", "entity": "rating", "entity_id": rid,
             "changes": json.dumps({"recommend": [None, rec], "respondent_id": [None, uid], "health": [None, h],
                                    "score.quality": [None, 4]})}
            for rid, uid, h, rec in db.session.execute(
                select(Rating.id, Rating.respondent_id, Rating.health, Rating.recommend))]
    for start in range(0, len(rows), 20_000):
        db.session.execute(insert(AuditLog), rows[start:start + 20_000])
    db.session.commit()
    return len(rows)


def _median_ms(values: list[float]) -> float:
    return round(1000 * statistics.median(values), 1)


def measure_size(size: int, url: str | None, tmp: Path) -> dict:
    """Seed one organization and measure it inside this process; return plain figures."""
    import orgs
    from sqlalchemy import event

    database = _database(url, tmp)
    env = dict(os.environ, DATABASE_URL=database, FLASK_DEBUG="0")
    subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    t0 = time.perf_counter()
    org = orgs.generate(size)
    orgs.write_csv(org, tmp / "csv")
    generated = time.perf_counter() - t0

    from tracker import create_app
    from tracker.extensions import db
    from tracker.services import analysis as analysis_service

    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False})
    from flask import g

    @app.before_request
    def _forget_cached_user():  # the app context below outlives requests; Flask-Login caches the user in g
        g.pop("_login_user", None)

    out: dict = {"size": size, "departments": len(org.departments), "agreements": len(org.contracts),
                 "ratings": len(org.ratings), "generate_s": round(generated, 2)}
    with app.app_context():
        t0 = time.perf_counter()
        ids = orgs.seed_database(org)
        out["seed_s"] = round(time.perf_counter() - t0, 2)
        out["audit_rows"] = _seed_audit()
        period = ids["period"]
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            analysis_service.period_analysis(period, use_cache=False)
            times.append(time.perf_counter() - t0)
            db.session.rollback()
        out["analysis_in_process_ms"] = _median_ms(times)
        analysis_service.period_analysis(period)
        t0 = time.perf_counter()
        analysis_service.period_analysis(period)
        out["analysis_cached_ms"] = round(1000 * (time.perf_counter() - t0), 2)
        db.session.rollback()

        queries = [0]
        event.listen(db.engine, "before_cursor_execute", lambda *a, **k: queries.__setitem__(0, queries[0] + 1))
        endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
        clients = {}
        for role in ("coo", "head"):
            clients[role] = app.test_client()
            response = clients[role].post("/login", data={"email": f"{role}@bench.local", "password": "bench"})
            assert response.status_code in (302, 303), f"bench login as {role} failed: {response.status_code}"

        def timed(client, url: str, repeat: int) -> tuple[float, list[float], int, int]:
            runs, counts, status = [], [], 0
            for _ in range(repeat + 1):
                queries[0] = 0
                t0 = time.perf_counter()
                response = client.get(url)
                runs.append(time.perf_counter() - t0)
                counts.append(queries[0])
                status = response.status_code
                response.close()
            return runs[0], runs[1:], counts[-1], status

        out["pages"] = {}
        for name, (role, template, needs) in PAGES.items():
            if needs and not endpoints.intersection(needs):
                out["pages"][name] = None
                continue
            cold, warm, count, status = timed(clients[role], template.format(**ids), 5 if size <= 2000 else 2)
            out["pages"][name] = {"cold_ms": round(1000 * cold, 1), "ms": _median_ms(warm), "queries": count,
                                  "status": status}
        out["graph"] = {}
        for name, (template, needs) in GRAPHS.items():
            if size > GRAPH_SIZES or (needs and not endpoints.intersection(needs)):
                out["graph"][name] = None
                continue
            cold, warm, _, status = timed(clients["coo"], template.format(**ids), 3)
            out["graph"][name] = {"cold_ms": round(1000 * cold, 1), "cached_ms": _median_ms(warm), "status": status}
    out["worker_peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["period"] = period
    out["database"] = database
    return out


# -------------------------------------------------------------------------------------------- parent


def _whole_process(cmd: list[str], env: dict, repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        runs.append(time.perf_counter() - t0)
    return round(statistics.median(runs), 3)


def run_size(size: int, url: str | None) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"bench-{size}-") as tmp:
        child = subprocess.run([sys.executable, __file__, "--child", str(size), "--tmp", tmp],
                               cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True)
        if child.returncode:
            sys.stderr.write(child.stdout + child.stderr)
            raise SystemExit(f"size {size} failed")
        result = json.loads(child.stdout.strip().splitlines()[-1])
        env = dict(os.environ, DATABASE_URL=result.pop("database"), FLASK_DEBUG="0")
        result["analysis_process_s"] = _whole_process(
            [str(BIN / "flask"), "--app", "wsgi", "analyze", "--period", result["period"], "--json"], env)
        result["floor_process_s"] = _whole_process(
            [sys.executable, str(ROOT / "bench" / "floor_analysis.py"), str(Path(tmp) / "csv"), result["period"]], env)
        result["ratio_to_floor"] = round(result["analysis_process_s"] / result["floor_process_s"], 2)
    return result


def budgets(results: list[dict]) -> list[tuple[str, bool | None, str]]:
    """Issue 18's budgets as ``(budget, met (None: not measured), figures)``."""
    by_size = {r["size"]: r for r in results}
    verdicts = []
    big = by_size.get(10000)
    if big:
        verdicts.append(("analysis of 10,000 departments ≤ 3 × the floor", big["ratio_to_floor"] <= 3,
                         f"{big['analysis_process_s']} s vs {big['floor_process_s']} s = {big['ratio_to_floor']}×"))
    if 1000 in by_size or (2000 in by_size and 200 in by_size):
        small, large = by_size.get(1000) or by_size[200], by_size.get(10000) or by_size[2000]
        grow = large["analysis_in_process_ms"] / max(small["analysis_in_process_ms"], 0.001)
        factor = large["size"] / small["size"]
        verdicts.append((f"{factor:.0f}× the organization costs ≤ {1.5 * factor:.0f}× the analysis time",
                         grow <= 1.5 * factor, f"{small['size']} → {large['size']}: {grow:.1f}×"))
    for size, limit in ((200, 300), (2000, 1000)):
        r = by_size.get(size)
        if not r:
            continue
        pages = {n: p for n, p in r["pages"].items() if p}
        slow = {n: p["ms"] for n, p in pages.items() if p["ms"] >= limit}
        verdicts.append((f"every page of {size} departments under {limit} ms", not slow,
                         ", ".join(f"{n} {p['ms']} ms" for n, p in pages.items())))
    sizes = sorted(by_size)
    if len(sizes) >= 2:
        lo, hi = by_size[sizes[0]], by_size[sizes[-1]]
        grown = {n: (lo["pages"][n]["queries"], hi["pages"][n]["queries"]) for n in lo["pages"]
                 if lo["pages"][n] and hi["pages"].get(n) and hi["pages"][n]["queries"] > lo["pages"][n]["queries"]}
        verdicts.append(("query count does not grow with the organization", not grown,
                         "; ".join(f"{n} {a} → {b}" for n, (a, b) in grown.items()) or "constant"))
    r = by_size.get(200)
    if r and r["graph"].get("static SVG"):
        g = r["graph"]["static SVG"]
        verdicts.append(("graph of 200 departments: ≤ 1.5 s cold, ≤ 50 ms cached",
                         g["cold_ms"] <= 1500 and g["cached_ms"] <= 50, f"{g['cold_ms']} ms cold, {g['cached_ms']} ms cached"))
    return verdicts


def print_table(results: list[dict], label: str) -> None:
    print(f"\n== Speed at scale ({label})")
    header = ["departments", "agreements", "ratings", "analysis in-proc ms", "growth", "flask analyze s",
              "floor s", "ratio", "worker MiB"]
    rows, prev = [], None
    for r in results:
        growth = "" if prev is None else f"{r['analysis_in_process_ms'] / max(prev['analysis_in_process_ms'], 0.001):.1f}×"
        rows.append([r["departments"], r["agreements"], r["ratings"], r["analysis_in_process_ms"], growth,
                     r["analysis_process_s"], r["floor_process_s"], f"{r['ratio_to_floor']}×", r["worker_peak_rss_mib"]])
        prev = r
    _print_rows(header, rows)
    names = list(PAGES) + [f"graph {n}" for n in GRAPHS]
    print("\nServer time ms (median of 5 warm; cold first) / SQL queries per page")
    rows = []
    for r in results:
        cells = [r["size"]]
        for name in PAGES:
            p = r["pages"].get(name)
            cells.append("—" if not p else f"{p['ms']} ({p['cold_ms']}) / {p['queries']}q")
        for name in GRAPHS:
            g = r["graph"].get(name)
            cells.append("—" if not g else f"{g['cached_ms']} ({g['cold_ms']})")
        rows.append(cells)
    _print_rows(["size", *names], rows)


def _print_rows(header: list, rows: list[list]) -> None:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(str(c).rjust(w) for c, w in zip(row, widths)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--out", default=str(ROOT / "bench-results.json"))
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--tmp", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or None
    if args.child:
        print(json.dumps(measure_size(args.child, url, Path(args.tmp))))
        return 0
    label = "PostgreSQL" if url else "SQLite"
    results = []
    for size in args.sizes:
        print(f"… {size} departments on {label}", flush=True)
        results.append(run_size(size, url))
    print_table(results, label)
    verdicts = budgets(results)
    print("\nBudgets")
    for name, met, figures in verdicts:
        print(f"  {'met   ' if met else 'MISSED'}  {name}: {figures}")
    out = Path(args.out)
    existing = json.loads(out.read_text()) if out.exists() else {}
    existing[label.lower()] = {"results": results,
                               "budgets": [{"budget": n, "met": m, "figures": f} for n, m, f in verdicts]}
    out.write_text(json.dumps(existing, indent=2, ensure_ascii=False))
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
