"""The data version: a period's analysis is computed once per state of the data, never served stale."""
from __future__ import annotations

from sqlalchemy import select, update

from tests.test_analysis_service import seed_worked_example_ratings
from tracker.extensions import db
from tracker.models import DataVersion, Rating, Setting
from tracker.services import analysis as analysis_service
from tracker.services import data_version


def _token() -> str:
    return db.session.scalar(select(DataVersion.token))


def test_the_same_data_gives_the_same_analysis_object(org):
    seed_worked_example_ratings(org)
    first = analysis_service.period_analysis(org.period.label)
    db.session.commit()
    assert analysis_service.period_analysis(org.period.label) is first
    assert first.contracts[org.contracts["WH", "LOG"].id].health == 45.0


def test_a_committed_rating_changes_the_token_and_the_analysis(org):
    seed_worked_example_ratings(org)
    before = _token()
    first = analysis_service.period_analysis(org.period.label)
    rating = db.session.scalar(select(Rating).where(Rating.contract_id == org.contracts["WH", "LOG"].id))
    rating.health = 65.0
    db.session.commit()
    assert _token() != before
    again = analysis_service.period_analysis(org.period.label)
    assert again is not first
    assert again.contracts[org.contracts["WH", "LOG"].id].health == 65.0


def test_a_bulk_write_on_the_connection_changes_the_token(org):
    """Bulk writers use the session's connection directly; the engine listener still sees them."""
    seed_worked_example_ratings(org)
    analysis_service.period_analysis(org.period.label)
    before = _token()
    db.session.connection().execute(update(Rating.__table__).values(health=10.0))
    db.session.commit()
    assert _token() != before
    weakest = analysis_service.period_analysis(org.period.label).weak_links[0]
    assert weakest.health == 10.0


def test_an_uncommitted_write_is_never_answered_from_the_cache(org):
    seed_worked_example_ratings(org)
    analysis_service.period_analysis(org.period.label)
    db.session.add(Setting(key="target", value="40"))
    db.session.flush()
    assert data_version.current() is None
    assert analysis_service.period_analysis(org.period.label).target == 40.0
    db.session.rollback()
    assert data_version.current() == _token()
    assert analysis_service.period_analysis(org.period.label).target == 75.0


def test_writes_to_other_tables_keep_the_token(org):
    seed_worked_example_ratings(org)
    before = _token()
    org.users["coo"].name = "Chief Operating Officer"
    db.session.commit()
    assert _token() == before


def test_without_the_row_nothing_is_cached(org):
    seed_worked_example_ratings(org)
    db.session.delete(db.session.get(DataVersion, 1))
    db.session.commit()
    assert data_version.current() is None
    first = analysis_service.period_analysis(org.period.label)
    assert analysis_service.period_analysis(org.period.label) is not first
