"""The customer-experience office opens and closes periods through the admin pages."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tracker.extensions import db
from tracker.models import AuditLog, Period

from .conftest import login, shot

pytestmark = pytest.mark.browser


def period_row(page, label: str):
    return page.locator("table tbody tr").filter(has=page.get_by_role("rowheader", name=label, exact=True))


def statuses() -> dict[str, str]:
    db.session.expire_all()
    result = {p.label: p.status for p in db.session.scalars(db.select(Period))}
    db.session.commit()
    return result


def test_admin_closes_and_opens_periods(page, live_server, org):
    questions: list[str] = []
    page.on("dialog", lambda d: (questions.append(d.message), d.accept()))
    login(page, live_server.url, "admin@test.local")
    expect(page).to_have_url(live_server.url + "/admin/")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_text("More", exact=True).click()  # the admin pages sit under "More" (one-row bar)
    nav.get_by_role("link", name="Periods").click()
    expect(page).to_have_url(live_server.url + "/admin/periods")
    expect(page.get_by_role("heading", level=1)).to_have_text("Periods")
    q3 = period_row(page, "2026-Q3")
    expect(q3).to_contain_text("open")
    expect(q3).to_contain_text(re.compile(r"(2026-07-01|Jul 1, 2026) – (2026-09-30|Sep 30, 2026)"))
    shot(page, "admin_periods_q3_open")

    # Close the open period.
    with page.expect_navigation():
        q3.get_by_role("button", name="Close").click()
    expect(page.get_by_role("alert")).to_have_text("Period 2026-Q3 is closed.")
    expect(q3).to_contain_text("closed")
    assert questions == ["Close period 2026-Q3? Ratings can no longer be entered."]
    expect(q3.get_by_role("link", name="Reopen…")).to_be_visible()
    assert statuses() == {"2026-Q3": "closed"}

    # A new period from its label alone is planned; then open it.
    page.get_by_label("Label", exact=True).fill("2026-Q4")
    with page.expect_navigation():
        page.get_by_role("button", name="Create period").click()
    expect(page.get_by_role("alert")).to_have_text("Period 2026-Q4 created.")
    q4 = period_row(page, "2026-Q4")
    expect(q4).to_contain_text("planned")
    expect(q4).to_contain_text(re.compile(r"(2026-10-01|Oct 1, 2026) – (2026-12-31|Dec 31, 2026)"))
    with page.expect_navigation():
        q4.get_by_role("button", name="Start rating").click()
    expect(page.get_by_role("alert")).to_have_text("Period 2026-Q4 is open.")
    expect(q4).to_contain_text("open")
    expect(q4.get_by_role("button", name="Close")).to_be_visible()
    shot(page, "admin_periods_q4_open")
    assert statuses() == {"2026-Q3": "closed", "2026-Q4": "open"}

    # A head now rates for 2026-Q4.
    page.context.clear_cookies()
    login(page, live_server.url, "head.wh@test.local")
    expect(page.get_by_role("heading", level=1)).to_contain_text("2026-Q4")

    # Every change is in the audit log.
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditLog)) >= 3
    db.session.commit()


def test_admin_reopens_a_closed_period_with_a_reason(page, live_server, org):
    page.on("dialog", lambda d: d.accept())
    login(page, live_server.url, "admin@test.local")
    page.goto("/admin/periods")
    with page.expect_navigation():
        period_row(page, "2026-Q3").get_by_role("button", name="Close").click()
    page.get_by_role("link", name="Reopen…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reopen period 2026-Q3")

    # No reason: refused next to the field.
    with page.expect_navigation():
        page.get_by_role("button", name="Reopen").click()
    reason = page.get_by_label("Reason for reopening")
    expect(reason).to_have_class(re.compile(r"\bis-invalid\b"))
    shot(page, "admin_reopen_reason_missing")

    reason.fill("Two departments sent their ratings late by mail.")
    with page.expect_navigation():
        page.get_by_role("button", name="Reopen").click()
    expect(page).to_have_url(live_server.url + "/admin/periods")
    expect(period_row(page, "2026-Q3")).to_contain_text("open")
    assert statuses() == {"2026-Q3": "open"}


def test_dismissing_the_question_leaves_the_period_open(page, live_server, org):
    page.on("dialog", lambda d: d.dismiss())
    login(page, live_server.url, "admin@test.local")
    page.goto("/admin/periods")
    period_row(page, "2026-Q3").get_by_role("button", name="Close").click()
    page.wait_for_timeout(300)
    expect(page).to_have_url(live_server.url + "/admin/periods")
    expect(period_row(page, "2026-Q3")).to_contain_text("open")
    assert statuses() == {"2026-Q3": "open"}


def test_archiving_a_department_asks_first(page, live_server, org):
    questions: list[str] = []
    page.on("dialog", lambda d: (questions.append(d.message), d.accept()))
    login(page, live_server.url, "admin@test.local")
    page.goto("/admin/departments")
    row = page.locator("table tbody tr").filter(has_text=org.departments["MKT"].name).first
    with page.expect_navigation():
        row.get_by_role("button", name="Archive").click()
    assert questions == [f"Archive department {org.departments['MKT'].name}?"]
    db.session.expire_all()
    assert org.departments["MKT"].archived_at is not None
    db.session.commit()
