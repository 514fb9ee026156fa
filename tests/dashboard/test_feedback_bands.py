"""The head's feedback page and the dashboard band a closed period alike (issue 10).

Regression: the feedback page had its own loader and banded a closed period with
today's target: close 2026-Q3 at target 75, lower the target to 55, and the dashboard
called PROC→WH "warning" while the feedback page called it "good".
"""
from __future__ import annotations

from tracker.dashboard import queries as dashboard_queries
from sqlalchemy import update

from tracker.extensions import db
from tracker.models import Rating
from tracker.rate import queries as rate_queries
from tracker.services import analysis as analysis_service
from tracker.services import periods, settings


def _bands(org) -> tuple[str, str]:
    link = org.contracts[("PROC", "WH")]
    dashboard = dashboard_queries.link_row(analysis_service.period_analysis(org.period), link.id).health.band
    rows, _totals, _labels = rate_queries.feedback(org.departments["PROC"], org.period)
    feedback = next(row.figure.band for row in rows if row.contract.id == link.id)
    return dashboard, feedback


def test_a_closed_period_keeps_its_target_on_the_feedback_page_and_the_dashboard(rated):
    org = rated
    link = org.contracts[("PROC", "WH")]
    db.session.execute(update(Rating).where(Rating.contract_id == link.id).values(health=70.0))  # between 55 and 75
    db.session.commit()
    admin = org.users["admin"].id
    settings.set_organization(target=75, floor=50, hr_sees_comments=False, default_locale="en", actor_id=admin)
    periods.close_period(org.period, actor_id=admin)
    before = _bands(org)
    assert before == ("warn", "warn")

    settings.set_organization(target=55, floor=50, hr_sees_comments=False, default_locale="en", actor_id=admin)
    db.session.expire_all()
    assert settings.target() == 55
    assert _bands(org) == before  # the period closed at 75: both still say "warn" (warning)
