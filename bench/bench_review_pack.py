"""Time the review pack (PDF) and the company scorecard for a 200-department organization.

Usage::

    .venv/bin/python bench/bench_review_pack.py [--departments 200]

Builds the organization of ``tests/dashboard/test_performance.py`` (six levels, ~2 agreements
per department, 90 % rated) in a temporary SQLite database, adds an earlier period with
ratings (so movers and trends have data), and prints the wall time of the company scorecard,
of the review pack HTML and of the whole PDF in English and Russian.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker import create_app  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.models import Contract, Rating  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departments", type=int, default=200)
    args = parser.parse_args()
    from tests.dashboard.test_performance import build_org
    from tests import factories

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite", "WTF_CSRF_ENABLED": False})
        with app.app_context():
            db.create_all()
            build_org(args.departments)
            q2 = factories.period("2026-Q2", date(2026, 4, 1), date(2026, 6, 30), status="closed")
            for i, cid in enumerate(db.session.scalars(db.select(Contract.id))):
                db.session.add(Rating(contract_id=cid, period_id=q2.id, respondent_key="r",
                                      health=float([40, 60, 75, 90][i % 4]), recommend=i % 11))
            db.session.commit()
            from tracker.scorecard.pack import render_review_pack, review_pack_html
            from tracker.services import scorecard as scorecard_service

            with app.test_request_context():
                timings = {}
                started = time.perf_counter()
                scorecard_service.company_scorecard("2026-Q3")
                timings["company scorecard"] = time.perf_counter() - started
                started = time.perf_counter()
                review_pack_html("2026-Q3")
                timings["review pack HTML (charts included)"] = time.perf_counter() - started
                for lang in ("en", "ru"):
                    started = time.perf_counter()
                    pdf = render_review_pack("2026-Q3", lang=lang)
                    timings[f"review pack PDF ({lang}, {len(pdf) // 1024} KiB)"] = time.perf_counter() - started
    print(f"{args.departments} departments, two periods")
    for name, seconds in timings.items():
        print(f"  {name:40} {seconds:6.2f} s")


if __name__ == "__main__":
    main()
