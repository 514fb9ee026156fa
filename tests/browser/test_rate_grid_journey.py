"""The demo's warehouse head rates two of seven suppliers on the rate-several grid, in English and Russian.

Issue 17 saw this page at 6,456 px: seven full forms one under the other. As a grid it is one
row per agreement; the test measures the page's height in the browser at 1400 px.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tracker.demo.builder import build_demo
from tracker.extensions import db
from tracker.models import Period, Rating, User

from .conftest import SCREENSHOTS, login

pytestmark = pytest.mark.browser

#: The grid of seven agreements must stay far below the 6,456 px of the seven stacked forms.
MAX_HEIGHT = 2000


@pytest.fixture(params=["en", "ru"])
def lang(request):
    return request.param


@pytest.fixture
def demo(app, lang):
    build_demo(lang)
    db.session.commit()
    return app


def _height(page) -> int:
    return page.evaluate("() => document.documentElement.scrollHeight")


def test_demo_head_rates_two_of_seven_on_one_short_grid(page, live_server, demo, lang):
    page.set_viewport_size({"width": 1400, "height": 900})
    login(page, live_server.url, "head.wh@demo.local", "demo")
    if lang == "ru":
        with page.expect_navigation():
            page.locator("form[action='/locale/ru'] [type=submit]").click()
        expect(page.locator("html")).to_have_attribute("lang", "ru")
    head_id = db.session.scalar(db.select(User.id).filter_by(email="head.wh@demo.local"))
    period_id = db.session.scalar(db.select(Period.id).filter_by(status="open"))
    db.session.commit()

    page.goto(live_server.url + "/rate/all")
    rows = page.locator("tr.rate-row")
    expect(rows).to_have_count(7)
    height = _height(page)
    assert height < MAX_HEIGHT, f"rate several is {height} px high at 1400 px ({lang})"
    # every column of the grid fits: no horizontal scrolling of the table
    overflow = page.evaluate("() => { const t = document.querySelector('.rate-grid');"
                             " return t.scrollWidth - t.parentElement.clientWidth; }")
    assert overflow <= 1, f"the grid is {overflow} px wider than its box ({lang})"

    # Two rows: a good one, and a low one whose comment the rule asks for.
    first, second = rows.nth(0), rows.nth(1)
    ids = [int(row.get_attribute("id").removeprefix("contract-")) for row in (first, second)]
    for select in first.locator("select.rate-score").all():
        select.select_option("4")
    first.locator("select.rate-recommend").select_option("9")
    for select in second.locator("select.rate-score").all():
        select.select_option("2")
    second.locator("select.rate-recommend").select_option("5")
    comment = second.locator("textarea")
    expect(second.locator(".rate-comment-needed")).to_be_visible()
    expect(comment).to_have_attribute("rows", "3")
    expect(first.locator(".rate-comment-needed")).to_be_hidden()
    text = "Late deliveries twice a week." if lang == "en" else "Поставки опаздывают дважды в неделю."
    comment.fill(text)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS.parent / f"rate_several_grid_{lang}.png"), full_page=True)

    with page.expect_navigation():
        page.locator("button.rate-save").click()
    expect(page).to_have_url(live_server.url + "/rate/")
    db.session.expire_all()
    saved = {r.contract_id: r for r in db.session.scalars(db.select(Rating).filter(
        Rating.contract_id.in_(ids), Rating.period_id == period_id, Rating.respondent_id == head_id))}
    db.session.commit()
    assert set(saved) == set(ids)
    assert saved[ids[0]].health == 75.0 and saved[ids[0]].recommend == 9
    assert saved[ids[1]].health == 25.0 and saved[ids[1]].comment == text
    print(f"rate several, demo head.wh, 7 agreements, 1400 px, {lang}: {height} px")
