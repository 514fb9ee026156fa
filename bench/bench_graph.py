"""Benchmark the dependency graph: the data endpoint's server time and the graph page's first paint.

Usage::

    .venv/bin/python bench/bench_graph.py [--sizes 200 2000] [--no-browser] [--quick]

For each size, builds a generated organization in a fresh SQLite database (departments in
divisions of about 40, five external customers, ~2.5 agreements per department in tiers toward
the customers, three periods of ratings with some links unrated), then measures:

* ``graph.json``: server time of the first request (cold: the first analysis of the process)
  and the median of the next five (warm);
* ``graph.svg``: the static drawing, cold (drawn) and cached (read from the shared cache);
* in Chromium (Playwright, ``/usr/bin/chromium``): the graph page's first contentful paint
  (``performance.getEntriesByType('paint')``) and the time until the graph is laid out and
  drawn (``#graph-explorer[data-ready=1]``), grouped by division above 150 departments.

Prints one line per figure and, last, a JSON summary (for ``bench/run_all.py``). Speed is
measured here, never asserted in a test. ``--quick``: 50 and 200 departments.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from werkzeug.security import generate_password_hash  # noqa: E402
from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: E402

from tracker import create_app  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.models import Contract, DataVersion, Department, Period, Rating, Service, User  # noqa: E402
from tracker.services import settings as settings_service  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
PERIODS = [("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), "closed"),
           ("2026-Q2", date(2026, 4, 1), date(2026, 6, 30), "closed"),
           ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), "open")]
DIVISION_SIZE = 40
TIERS = 8


def seed(n_departments: int, rng: random.Random) -> None:
    """A generated organization of ``n_departments`` internal departments in divisions, with a COO."""
    n_divisions = max(1, n_departments // DIVISION_SIZE)
    divisions = [Department(code=f"DIV{i:03d}", name=f"Division {i}", kind="internal") for i in range(n_divisions)]
    db.session.add_all(divisions)
    db.session.flush()
    deps = [Department(code=f"D{i:05d}", name=f"Department {i}", kind="internal",
                       parent_id=divisions[i * n_divisions // n_departments].id) for i in range(n_departments)]
    externals = [Department(code=f"X{i}", name=f"Customer segment {i}", kind="external") for i in range(5)]
    db.session.add_all(deps + externals)
    db.session.flush()
    services = [Service(department_id=d.id, name=f"service of {d.code}") for d in deps]
    db.session.add_all(services)
    db.session.flush()
    tier_size = max(1, n_departments // TIERS)
    contracts, seen = [], set()
    for i, sup in enumerate(deps):
        tier = i // tier_size
        for _ in range(rng.choice((1, 2, 3, 4))):
            if tier >= TIERS - 1 or rng.random() < 0.03:
                cus = rng.choice(externals)
            else:
                lo = (tier + 1) * tier_size
                cus = deps[rng.randrange(lo, min(n_departments, lo + 2 * tier_size))]
            if (sup.id, cus.id) in seen:
                continue
            seen.add((sup.id, cus.id))
            contracts.append(Contract(supplier_id=sup.id, customer_id=cus.id, service_id=services[i].id,
                                      criticality=rng.randint(1, 3)))
    db.session.add_all(contracts)
    periods = [Period(label=label, start_date=start, end_date=end, status=status)
               for label, start, end, status in PERIODS]
    db.session.add_all(periods)
    db.session.flush()
    ratings = []
    for con in contracts:
        level = rng.uniform(35, 100)
        for per in periods:
            if rng.random() < 0.12:
                continue  # some links go unrated (stale, silent, blind spots)
            ratings.append(Rating(contract_id=con.id, period_id=per.id, respondent_key="",
                                  health=round(min(100.0, max(0.0, rng.gauss(level, 8))), 2)))
    db.session.add_all(ratings)
    # the token the migrations create: without it nothing is cached (see services/data_version.py)
    if db.session.get(DataVersion, 1) is None:
        db.session.add(DataVersion(id=1, token="bench"))
    coo = User(email="coo@bench.local", role="coo", name="COO")
    coo.password_hash = generate_password_hash("bench", method="pbkdf2:sha256:1000")
    db.session.add(coo)
    db.session.commit()
    print(f"  seeded {n_departments} departments in {n_divisions} divisions, {len(contracts)} agreements, "
          f"{len(ratings)} ratings")


def _timed(client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    return elapsed


class _Quiet(WSGIRequestHandler):
    def log_request(self, code="-", size="-") -> None:
        pass


def first_paint(app) -> tuple[float, float]:
    """(first contentful paint, graph drawn) in seconds for /dashboard/graph in headless Chromium."""
    from playwright.sync_api import sync_playwright

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(url + "/login")
            page.fill("main form input[name=email]", "coo@bench.local")
            page.fill("main form input[name=password]", "bench")
            with page.expect_navigation(wait_until="commit"):
                page.click("main form [type=submit]")
            page.goto(url + "/dashboard/graph")
            page.wait_for_function("() => document.getElementById('graph-explorer').dataset.ready === '1'",
                                   timeout=60_000)
            figures = page.evaluate("""() => {
                const nav = performance.getEntriesByType('navigation')[0];
                const fcp = performance.getEntriesByName('first-contentful-paint')[0];
                const data = performance.getEntriesByType('resource').find(r => r.name.includes('graph.json'));
                return {fcp: fcp ? fcp.startTime : null, now: performance.now(), start: nav.startTime,
                        data: data ? data.responseEnd : null, drawn: window.trackerGraph.drawnAt || null,
                        grouped: window.trackerGraph.state.grouped, nodes: window.trackerGraph.cy.nodes().length};
            }""")
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    print(f"  page: grouped={figures['grouped']}, {figures['nodes']} boxes drawn; graph data received at "
          f"{(figures['data'] or 0):.0f} ms, layout done at {(figures['drawn'] or 0):.0f} ms")
    return (figures["fcp"] or float("nan")) / 1000, (figures["now"] - figures["start"]) / 1000


def bench(size: int, browser: bool, seed_value: int) -> dict:
    """Measure one size; returns the figures in milliseconds."""
    print(f"{size} departments")
    result: dict = {"departments": size}
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite", "SECRET_KEY": "bench",
                          "CHART_CACHE_DIR": f"{tmp}/charts", "TESTING": False})
        with app.app_context():
            db.create_all()
            settings_service.ensure_defaults()
            seed(size, random.Random(seed_value))
            client = app.test_client()
            client.post("/login", data={"email": "coo@bench.local", "password": "bench"})
            cold = _timed(client, "/dashboard/graph.json")
            warm = statistics.median(_timed(client, "/dashboard/graph.json") for _ in range(5))
            print(f"  graph.json server time: cold {cold * 1000:.0f} ms, warm {warm * 1000:.0f} ms (median of 5)")
            result.update(json_cold_ms=round(cold * 1000), json_warm_ms=round(warm * 1000))
            drawn = _timed(client, "/dashboard/graph.svg")
            cached = statistics.median(_timed(client, "/dashboard/graph.svg") for _ in range(5))
            print(f"  graph.svg: drawn {drawn * 1000:.0f} ms, from the shared cache {cached * 1000:.0f} ms")
            result.update(svg_drawn_ms=round(drawn * 1000), svg_cached_ms=round(cached * 1000))
            if browser:
                fcp, ready = first_paint(app)
                print(f"  graph page in Chromium: first contentful paint {fcp * 1000:.0f} ms, "
                      f"graph drawn {ready * 1000:.0f} ms after navigation start")
                result.update(first_paint_ms=round(fcp * 1000), graph_drawn_ms=round(ready * 1000))
            db.session.remove()
            db.engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium measurement")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--quick", action="store_true", help="50 and 200 departments")
    args = parser.parse_args()
    sizes = [50, 200] if args.quick else args.sizes
    results = [bench(size, browser=not args.no_browser and Path(CHROMIUM).exists(), seed_value=args.seed)
               for size in sizes]
    print(json.dumps({"graph": results}))


if __name__ == "__main__":
    main()
