"""A 10-second version of the quarter-end load test (``bench/load/run.py``) inside the suite.

Ten Locust users log in and submit and edit ratings against gunicorn with 4 workers on a
fresh SQLite (WAL) database. No timing is asserted: only that no request failed with a 5xx
and that the ratings in the database are exactly the accepted submissions.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ten_users_for_ten_seconds_lose_nothing_and_never_get_a_5xx(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load" / "run.py"), "-u", "10", "-r", "10", "-t", "10s",
         "--accounts", "10", "--out", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.stdout.strip(), done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["database"] == "sqlite"
    assert summary["requests"] > 0 and summary["accepted_submissions"] > 0, summary
    assert summary["server_errors"] == 0, (tmp_path / "gunicorn.log").read_text()
    assert summary["failures"] == 0, summary
    assert (summary["lost"], summary["duplicated"], summary["unexpected"]) == (0, 0, 0), summary
    assert summary["ratings_in_database"] == summary["accepted_submissions"] + summary["cut_off_at_stop"]
    assert done.returncode == 0, done.stdout + done.stderr
