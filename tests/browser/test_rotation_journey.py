"""HR's rotation journey: accept a suggestion, move it to another week, meet a refused double booking, mark it done."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from babel.dates import format_date
from playwright.sync_api import expect

from tracker.extensions import db
from tracker.models import Rating, Rotation

from .. import factories
from .conftest import login, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def planned_period(org):
    """A period of 12 weeks from next Monday in which WH → LOG is rated 45 (the top weak link)."""
    today = date.today()
    start = today - timedelta(days=today.weekday()) + timedelta(days=7)
    per = factories.period("NEXT", start, start + timedelta(days=83), status="planned")
    db.session.add(Rating(contract_id=org.contracts["WH", "LOG"].id, period_id=per.id, respondent_key="a",
                          health=45.0))
    db.session.commit()
    return per


def test_hr_accepts_moves_is_refused_a_double_booking_and_marks_done(page, live_server, org, planned_period):
    tuesday = planned_period.start_date + timedelta(days=1)
    login(page, live_server.url, "hr@test.local")
    page.goto(live_server.url + "/rotations/suggestions?period=NEXT")
    expect(page.locator("main")).to_contain_text("a person of WH spends a day in LOG")
    with page.expect_navigation():
        page.get_by_role("link", name="Plan WH → LOG").click()

    # The suggestion pre-fills the departments, the agreement and the purpose; HR names the person and the day.
    expect(page.get_by_label("From department")).to_have_value("WH")
    expect(page.get_by_label("Linked agreement")).to_have_value(str(org.contracts["WH", "LOG"].id))
    expect(page.get_by_label("Purpose")).to_contain_text("WH → LOG")
    page.get_by_label("Person", exact=True).fill("Sergey Volkov")
    page.get_by_label("Date").fill(tuesday.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    expect(page.locator(".alert-success")).to_contain_text("Rotation of Sergey Volkov planned.")
    expect(page.locator("#rot-date")).to_contain_text(format_date(tuesday, "medium", locale="en"))

    # Move it one week later.
    later = planned_period.start_date + timedelta(days=7)
    page.get_by_label("Week").select_option(later.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Move").click()
    moved = later + timedelta(days=1)
    expect(page.locator("#rot-date")).to_contain_text(format_date(moved, "medium", locale="en"))
    rotation_url = page.url
    shot(page, "rotation_moved")

    # The same person for a day elsewhere on that day is refused, with the conflict named; the input stays.
    page.goto(live_server.url + "/rotations/new")
    page.get_by_label("Person", exact=True).fill("Sergey Volkov")
    page.get_by_label("From department").fill("WH")  # a searchable field: the code is typed
    page.get_by_label("To department").fill("IT")
    page.get_by_label("Date").fill(moved.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    expect(page.locator(".invalid-feedback")).to_contain_text(
        f"Sergey Volkov is already booked on {format_date(moved, 'medium', locale='en')} (a day in LOG)")
    expect(page.get_by_label("Person", exact=True)).to_have_value("Sergey Volkov")
    shot(page, "rotation_double_booking_refused")
    assert db.session.query(Rotation).count() == 1

    # After the visit: done, with both sides' notes.
    page.goto(rotation_url)
    page.get_by_label("Status").select_option("done")
    page.get_by_label("Visitor's note").fill("Trucks wait because picking waves ignore the dock plan")
    page.get_by_label("Host's note").fill("Agreed to share the dock plan daily")
    with page.expect_navigation():
        page.get_by_role("button", name="Set status").click()
    expect(page.locator("#rot-status")).to_have_text("done")
    expect(page.locator("main")).to_contain_text("Agreed to share the dock plan daily")
    shot(page, "rotation_done")

    # The calendar shows it in its week, sent by WH and hosted by LOG.
    page.goto(live_server.url + "/rotations/calendar?period=NEXT")
    expect(page.get_by_role("table", name="Rotations by week and department")).to_contain_text("→ LOG")
    shot(page, "rotation_calendar")
