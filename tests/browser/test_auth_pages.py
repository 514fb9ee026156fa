"""Login, logout, landing pages, language switch and security headers in a real browser."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tracker.security import CSP

from .conftest import login, logout, shot

pytestmark = pytest.mark.browser


def test_login_page_renders(page, live_server):
    response = page.goto("/login")
    assert response.status == 200
    expect(page).to_have_title(re.compile("Log in"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.get_by_label("E-mail")).to_be_visible()
    expect(page.get_by_label("Password")).to_be_visible()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    # Anonymous visitors see no navigation into the app and no logout button.
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def test_bad_password_shows_generic_message_and_keeps_email(page, live_server, org):
    login(page, live_server.url, "admin@test.local", "wrong")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("alert")).to_have_text("Invalid e-mail or password.")
    expect(page.get_by_label("E-mail")).to_have_value("admin@test.local")
    expect(page.get_by_label("Password")).to_have_value("")


def test_unknown_user_gets_the_same_message(page, live_server, org):
    login(page, live_server.url, "nobody@test.local", "pw")
    expect(page.get_by_role("alert")).to_have_text("Invalid e-mail or password.")


def test_admin_logs_in_lands_on_admin_and_logs_out(page, live_server, org):
    login(page, live_server.url, "admin@test.local", "pw")
    expect(page).to_have_url(live_server.url + "/admin/")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    logout(page)
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("alert")).to_have_text("You are logged out.")
    # The session is really gone: the admin area asks for a login again.
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fadmin%2F$"))


def test_login_follows_next(page, live_server, org):
    page.goto("/dashboard/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("E-mail").fill("coo@test.local")
    page.get_by_label("Password").fill("pw")
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(live_server.url + "/dashboard/")


def test_each_role_lands_on_its_home(page, live_server, org):
    for email, landing in [("head.it@test.local", "/rate/"), ("member.it@test.local", "/rate/"),
                           ("coo@test.local", "/dashboard/"), ("hr@test.local", "/rotations/suggestions")]:
        page.context.clear_cookies()
        login(page, live_server.url, email, "pw")
        expect(page).to_have_url(live_server.url + landing)


def test_logout_without_csrf_token_is_refused(page, live_server, org):
    login(page, live_server.url, "admin@test.local", "pw")
    # A forged logout (no token) must not end the session.
    response = page.request.post(live_server.url + "/logout", max_redirects=0)
    assert response.status in (302, 400)
    page.goto("/admin/")
    expect(page).to_have_url(live_server.url + "/admin/")


def test_language_switch(page, live_server, org):
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    with page.expect_navigation():
        page.get_by_role("button", name="RU").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=1)).to_have_text("Войти")
    expect(page.get_by_label("Эл. почта")).to_be_visible()
    shot(page, "login_ru")
    # The language holds after logging in and on the next page.
    login(page, live_server.url, "admin@test.local", "pw")
    expect(page).to_have_url(live_server.url + "/admin/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("button", name="Выйти")).to_be_visible()
    shot(page, "admin_ru")
    with page.expect_navigation():
        page.get_by_role("button", name="EN").click()
    expect(page).to_have_url(live_server.url + "/admin/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    # A logged-in switch is the user's own setting: it survives logging out and in again.
    with page.expect_navigation():
        page.get_by_role("button", name="RU").click()
    logout(page)
    page.context.clear_cookies()
    login(page, live_server.url, "admin@test.local", "pw")
    expect(page.locator("html")).to_have_attribute("lang", "ru")


def pages_by_user(org) -> dict[str | None, list[str]]:
    """The pages each kind of user opens (every page that exists for that role)."""
    it_wh = org.contracts[("IT", "WH")].id
    hr_it = org.contracts[("HR", "IT")].id
    return {
        None: ["/login"],
        "admin@test.local": ["/admin/", "/admin/periods", "/admin/departments", "/admin/contracts", "/admin/users",
                             "/admin/settings", "/dashboard/", "/dashboard/departments", "/dashboard/departments/WH",
                             f"/dashboard/contracts/{it_wh}"],
        "coo@test.local": ["/dashboard/", "/dashboard/departments", "/dashboard/departments/IT",
                           f"/dashboard/contracts/{hr_it}"],
        "head.wh@test.local": ["/rate/", f"/rate/{it_wh}", "/rate/all", f"/rate/{it_wh}/respondents",
                               "/rate/feedback", "/dashboard/departments/WH"],
    }


def test_csp_header_and_clean_console_on_each_page(page, live_server, org):
    for email, paths in pages_by_user(org).items():
        page.context.clear_cookies()
        if email:
            login(page, live_server.url, email, "pw")
        for path in paths:
            response = page.goto(path)
            assert response.status == 200, (email, path)
            policy = response.headers.get("content-security-policy", "")
            # Pages that embed a chart may allow <object> from our own origin; nothing else is loosened.
            assert policy == CSP, (path, policy)
            page.wait_for_load_state("load")
    # Console errors (CSP violations included) fail the test in the ``page`` fixture.
