"""The login limit holds across processes: the counts live in the app's database, not in each worker."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from tracker.extensions import db
from tracker.services.ratelimit import DatabaseStorage

from .. import factories

ROOT = Path(__file__).resolve().parents[2]

#: One "worker": its own process and app over the shared database, posting wrong passwords.
WORKER = textwrap.dedent("""
    import json, sys
    from tracker import create_app
    app = create_app()
    app.config["WTF_CSRF_ENABLED"] = False  # the limit is under test here, not CSRF
    client = app.test_client()
    statuses = [client.post("/login", data={"email": "head.it@test.local", "password": "wrong"}).status_code
                for _ in range(int(sys.argv[1]))]
    print(json.dumps(statuses))
""")


def _worker(database_url: str, attempts: int, storage: str) -> list[int]:
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="limit-test", TRACKER_ENV="development",
               RATELIMIT_STORAGE_URI=storage)
    done = subprocess.run([sys.executable, "-c", WORKER, str(attempts)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_two_processes_share_the_login_limit(app, database_url):
    """10 per minute: 6 wrong passwords in one process, then 6 in another; the last 2 are refused."""
    factories.worked_example()
    db.session.commit()
    db.engine.dispose()  # the workers open the file (or database) themselves
    first = _worker(database_url, 6, "trackerdb://")
    second = _worker(database_url, 6, "trackerdb://")
    assert first == [200] * 6
    assert second == [200] * 4 + [429] * 2


def test_per_worker_memory_counts_are_what_failed(app, database_url):
    """The control: with per-process memory counters the second worker starts from zero."""
    factories.worked_example()
    db.session.commit()
    db.engine.dispose()
    assert _worker(database_url, 6, "memory://") + _worker(database_url, 6, "memory://") == [200] * 12


def test_database_storage_counts_in_fixed_windows(app):
    storage = DatabaseStorage("trackerdb://")
    assert storage.check()
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("k") == 3 and storage.get("other") == 0
    assert time.time() < storage.get_expiry("k") <= time.time() + 60
    assert storage.incr("short", 1) == 1
    time.sleep(1.1)
    assert storage.get("short") == 0 and storage.incr("short", 1) == 1  # a new window
    storage.clear("k")
    assert storage.get("k") == 0
    assert storage.reset() >= 1 and storage.get("short") == 0
