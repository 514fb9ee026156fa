"""Serve the follow-ups and rotations areas even before the lead registers them in the factory; a future period."""
from datetime import date, timedelta

import pytest

from tests import factories
from tracker.extensions import db
from tracker.followups import bp as followups_bp
from tracker.rotations import bp as rotations_bp


@pytest.fixture(autouse=True)
def _blueprints(app):
    if "followups" not in app.blueprints:
        app.register_blueprint(followups_bp, url_prefix="/follow-ups")
    if "rotations" not in app.blueprints:
        app.register_blueprint(rotations_bp, url_prefix="/rotations")


@pytest.fixture
def future(org):
    """A planned period of 12 weeks starting next Monday: new rotations may only be dated from today on."""
    today = date.today()
    start = today - timedelta(days=today.weekday()) + timedelta(days=7)
    per = factories.period("NEXT", start, start + timedelta(days=83), status="planned")
    db.session.commit()
    return per
