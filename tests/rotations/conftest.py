"""Serve the follow-ups and rotations areas even before the lead registers them in the factory."""
import pytest

from tracker.followups import bp as followups_bp
from tracker.rotations import bp as rotations_bp


@pytest.fixture(autouse=True)
def _blueprints(app):
    if "followups" not in app.blueprints:
        app.register_blueprint(followups_bp, url_prefix="/follow-ups")
    if "rotations" not in app.blueprints:
        app.register_blueprint(rotations_bp, url_prefix="/rotations")
