"""A closed period is read-only: later archiving, new agreements and new settings do not change its analysis."""
from __future__ import annotations

from tests import factories
from tests.test_analysis_service import seed_worked_example_ratings
from tracker.extensions import db
from tracker.services import analysis as analysis_service
from tracker.services import org as org_service
from tracker.services import periods as period_service
from tracker.services import settings as settings_service


def _closed_q3(org):
    seed_worked_example_ratings(org)
    db.session.commit()
    period_service.close_period(org.period)
    return org.period


def test_agreement_archived_after_the_close_stays_in_that_period(org):
    q3 = _closed_q3(org)
    con = org.contracts["IT", "LOG"]
    before = analysis_service.period_analysis(q3).to_json()
    org_service.archive_contract(con)
    db.session.commit()
    assert con.is_active_in(q3)
    assert analysis_service.period_analysis(q3).to_json() == before
    assert period_service.response_rates([q3])[q3.id].active == len(org.contracts)
    # In a period that is not closed the archived agreement is gone.
    q4 = factories.period("2026-Q4", q3.end_date.replace(month=10, day=1), q3.end_date.replace(month=12, day=31),
                          status="planned")
    assert not con.is_active_in(q4)


def test_department_archived_after_the_close_stays_in_that_period(org):
    q3 = _closed_q3(org)
    before = analysis_service.period_analysis(q3).to_json()
    org_service.archive_department(org.departments["MKT"])
    db.session.commit()
    assert org.departments["MKT"].is_shown_in(q3)
    assert analysis_service.period_analysis(q3).to_json() == before


def test_agreement_created_after_the_close_is_not_in_that_period(org):
    q3 = _closed_q3(org)
    before = analysis_service.period_analysis(q3).to_json()
    rates = period_service.response_rates([q3])[q3.id]
    late = factories.contract(org.departments["FIN"], org.departments["WH"], "Invoices for WH")
    db.session.commit()
    assert not late.is_active_in(q3)
    assert late.is_active_in(q3.start_date, q3.end_date)  # the dates alone would say yes
    assert analysis_service.period_analysis(q3).to_json() == before
    assert period_service.response_rates([q3])[q3.id] == rates


def test_closed_period_keeps_the_target_and_floor_in_force_when_it_closed(org):
    q3 = _closed_q3(org)
    assert (q3.target, q3.floor) == (75.0, 50.0)
    before = analysis_service.period_analysis(q3).to_json()
    settings_service.set_organization(target=90.0, floor=20.0, hr_sees_comments=False, default_locale="en")
    after = analysis_service.period_analysis(q3).to_json()
    assert after == before and after["target"] == 75.0 and after["floor"] == 50.0
    # Reopening clears them: an open period follows the settings.
    period_service.reopen_period(q3, "Late survey")
    assert (q3.target, q3.floor) == (None, None)
    reopened = analysis_service.period_analysis(q3).to_json()
    assert reopened["target"] == 90.0 and reopened["floor"] == 20.0
    # Closing again stores the settings in force then.
    period_service.close_period(q3)
    assert (q3.target, q3.floor) == (90.0, 20.0)
