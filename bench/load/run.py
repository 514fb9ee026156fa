"""Quarter-end load test: gunicorn (4 workers) on a fresh database, Locust heads rating suppliers.

Usage (from the repository root)::

    .venv/bin/python bench/load/run.py                     # SQLite (WAL) in a temporary folder
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/tracker_load \
        .venv/bin/python bench/load/run.py --recreate      # PostgreSQL: an EMPTY database of its own
    .venv/bin/python bench/load/run.py -u 10 -t 10s        # the smoke version the test suite runs

Steps: migrate, load the demo company, add ``--accounts`` colleagues (password ``demo-load``) as
respondents of every agreement their department receives in the open period, serve with
gunicorn on a free local port, run Locust headless (heads rating, some saves double-clicked; the
office rushing "new department" five at once and double-clicking "Open follow-up" and "Plan
rotation"), stop gunicorn, then report p50/p95/p99, request and failure counts and the 5xx count,
compare the ratings in the database with the accepted submissions, and count the rows each
create rush made (one expected). Exit status 1 when a 5xx occurred, a rating was lost or
duplicated, or a rush made more than one row.
The last line printed is the summary as JSON.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent
BENCH_DOMAIN = "bench.local"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, proc: subprocess.Popen, workers: int, timeout: float = 120) -> None:
    """Wait until gunicorn answers the login page, then warm every worker up (imports, templates)."""
    deadline = time.monotonic() + timeout
    answered = 0
    while time.monotonic() < deadline and answered < 4 * workers:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=30) as response:
                answered += response.status == 200
        except OSError:
            time.sleep(0.2)
    if answered == 0:
        raise SystemExit("gunicorn did not answer")


def _prepare_postgres(url: str, recreate: bool) -> None:
    """Make sure the PostgreSQL database of ``url`` exists and is empty (``recreate`` drops it first)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    name = engine.url.database
    if name in ("test", "postgres", "template0", "template1"):
        raise SystemExit(f"refusing to load-test in the shared database {name!r}; create one of its own")
    admin = sa.create_engine(engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists and recreate:
            conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            exists = False
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    with engine.connect() as conn:
        tables = sa.inspect(conn).get_table_names()
    engine.dispose()
    if tables:
        raise SystemExit(f"database {name!r} is not empty; pass --recreate to drop and create it afresh")


def _flask(*args: str, env: dict) -> None:
    done = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True)
    if done.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


def _seed_accounts(n: int, env: dict) -> list[str]:
    """Add ``n`` colleagues, each a respondent of every agreement of the department in the open period."""
    code = f"""
import json
from tracker import create_app
from tracker.extensions import db
from tracker.models import Contract, Department
from tracker.services import periods, users, respondents
from tracker.services.analysis import active_contracts_condition
app = create_app()
with app.app_context():
    period = periods.the_open_period()
    assert period is not None, "the demo has no open period"
    contracts = db.session.scalars(db.select(Contract).join(Department, Contract.customer_id == Department.id)
        .where(active_contracts_condition(period), Department.kind == "internal")).all()
    by_customer = {{}}
    for con in contracts:
        by_customer.setdefault(con.customer_id, []).append(con)
    customers = sorted(by_customer, key=lambda d: (-len(by_customer[d]), d))
    emails = []
    for i in range({n}):
        dep = db.session.get(Department, customers[i % len(customers)])
        user, _ = users.create_user(f"load{{i:03d}}@{BENCH_DOMAIN}", "member", department_code=dep.code,
                                    name=f"Load {{i}}", password="demo-load")
        for con in by_customer[dep.id]:
            respondents.add_respondent(con, user)
        emails.append(user.email)
    print(json.dumps(emails))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _ratings_in_database(env: dict) -> list[list]:
    code = f"""
import json
from tracker import create_app
from tracker.extensions import db
from tracker.models import Rating
app = create_app()
with app.app_context():
    rows = db.session.execute(db.select(Rating.contract_id, Rating.respondent_key)
                              .where(Rating.respondent_key.like('%@{BENCH_DOMAIN}'))).all()
    print(json.dumps([list(r) for r in rows]))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _rush_rows(env: dict, rush: dict) -> dict[str, list[int]]:
    """How many rows each create rush made: ``{"departments": [count per code], "follow_ups": …, "rotations": …}``."""
    code = f"""
import json
from sqlalchemy import func, select
from tracker import create_app
from tracker.extensions import db
from tracker.models import Department, FollowUp, Rotation
rush = json.loads({json.dumps(json.dumps(rush))})
app = create_app()
with app.app_context():
    def counts(column, values):
        found = dict(db.session.execute(select(column, func.count()).where(column.in_(values)).group_by(column)).all())
        return [found.get(v, 0) for v in values]
    print(json.dumps({{"departments": counts(Department.code, rush.get("departments", [])),
                      "follow_ups": counts(FollowUp.title, rush.get("follow_ups", [])),
                      "rotations": counts(Rotation.person, rush.get("rotations", []))}}))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _aggregated(stats_csv: Path) -> dict:
    with open(stats_csv, newline="") as fh:
        for row in csv.DictReader(fh):
            if row["Name"] == "Aggregated":
                return row
    raise SystemExit("Locust wrote no aggregated statistics")


def main(argv: list[str] | None = None) -> int:
    """Run the load test; return the exit status (0 when no 5xx and no lost or duplicated rating)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-u", "--users", type=int, default=50)
    parser.add_argument("-r", "--spawn-rate", type=int, default=10)
    parser.add_argument("-t", "--time", default="60s")
    parser.add_argument("-w", "--workers", type=int, default=4)
    parser.add_argument("--accounts", type=int, default=50, help="colleague accounts to add (at least --users)")
    parser.add_argument("--recreate", action="store_true", help="PostgreSQL: drop and create the database first")
    parser.add_argument("--out", help="folder for the CSV files and logs (default: a temporary one)")
    args = parser.parse_args(argv)

    out = Path(args.out or tempfile.mkdtemp(prefix="tracker-load-"))
    out.mkdir(parents=True, exist_ok=True)
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgresql"):
        _prepare_postgres(url, args.recreate)
        engine = "postgresql"
    else:
        url = "sqlite:///" + str(out / "load.sqlite")
        engine = "sqlite"
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="load-test", FLASK_DEBUG="0", TRACKER_ENV="development")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(HERE), env.get("PYTHONPATH", "")])

    print(f"database: {engine} ({out if engine == 'sqlite' else url.rsplit('/', 1)[-1]})", flush=True)
    _flask("db", "upgrade", env=env)
    _flask("demo", env=env)
    accounts = _seed_accounts(max(args.accounts, args.users), env)
    (out / "accounts.json").write_text(json.dumps(accounts))

    port = _free_port()
    log = open(out / "gunicorn.log", "w")
    gunicorn = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{port}", "--timeout", "60",
         "bench_wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for(port, gunicorn, args.workers)
        locust_env = dict(env, BENCH_ACCOUNTS=str(out / "accounts.json"), BENCH_RESULT=str(out / "result.json"),
                          BENCH_PASSWORD="demo-load")
        subprocess.run(
            [str(BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless", "-u", str(args.users),
             "-r", str(args.spawn_rate), "-t", args.time, "--csv", str(out / "locust"), "--only-summary",
             "--host", f"http://127.0.0.1:{port}", "--exit-code-on-error", "0", "--loglevel", "INFO"],
            cwd=ROOT, env=locust_env, check=True, stdout=open(out / "locust.log", "w"), stderr=subprocess.STDOUT)
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(30)
        log.close()

    result = json.loads((out / "result.json").read_text())
    accepted = {(cid, email) for cid, email in result["accepted"]}
    in_flight = {(cid, email) for cid, email in result.get("in_flight", [])}
    stored = [(cid, key) for cid, key in _ratings_in_database(env)]
    row = _aggregated(out / "locust_stats.csv")
    rushes = _rush_rows(env, result.get("rush", {}))
    rush_counts = [n for counts in rushes.values() for n in counts]
    summary = {
        "database": engine, "users": args.users, "duration": args.time, "workers": args.workers,
        "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
        "server_errors": result["server_errors"],
        "p50_ms": float(row["50%"]), "p95_ms": float(row["95%"]), "p99_ms": float(row["99%"]),
        "requests_per_s": round(float(row["Requests/s"]), 1),
        "accepted_submissions": len(accepted), "ratings_in_database": len(stored),
        "lost": len(accepted - set(stored)), "duplicated": len(stored) - len(set(stored)),
        # Saved by a request the run's end cut off (the server finished it, Locust did not wait).
        "cut_off_at_stop": len((set(stored) - accepted) & in_flight),
        "unexpected": len(set(stored) - accepted - in_flight),
        # Create rushes: five identical "new department" POSTs at once, double-clicked follow-ups and rotations.
        "rushes": {kind: len(counts) for kind, counts in rushes.items()},
        "rush_duplicates": sum(n - 1 for n in rush_counts if n > 1),
        "rush_missing": sum(1 for n in rush_counts if n == 0),  # the run's end may cut a rush off
        "output": str(out),
    }
    print(f"requests {summary['requests']} ({summary['requests_per_s']}/s), failures {summary['failures']}, "
          f"5xx {summary['server_errors']}; latency p50 {summary['p50_ms']:.0f} ms, p95 {summary['p95_ms']:.0f} ms, "
          f"p99 {summary['p99_ms']:.0f} ms")
    print(f"ratings: {summary['accepted_submissions']} accepted (contract, respondent) pairs, "
          f"{summary['ratings_in_database']} in the database; lost {summary['lost']}, "
          f"duplicated {summary['duplicated']}, unexpected {summary['unexpected']} "
          f"(+{summary['cut_off_at_stop']} saved from requests cut off at the stop)")
    print(f"create rushes: {summary['rushes']['departments']} department (5 at once), "
          f"{summary['rushes']['follow_ups']} follow-up and {summary['rushes']['rotations']} rotation double clicks; "
          f"duplicates {summary['rush_duplicates']}, none made {summary['rush_missing']}")
    print(json.dumps(summary))
    ok = (summary["server_errors"] == 0 and summary["lost"] == 0 and summary["duplicated"] == 0
          and summary["unexpected"] == 0 and summary["accepted_submissions"] > 0 and summary["rush_duplicates"] == 0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
