"""Journeys of a department head and a colleague (member) rating their internal suppliers."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tracker.extensions import db
from tracker.models import ContractRespondent, Rating

from .conftest import login, shot

pytestmark = pytest.mark.browser

CRITERIA = ("Quality", "Timeliness", "Communication", "Value for money")


def fill_rating(page, scores, recommend: int, standard: str = "met", comment: str = "") -> None:
    """Answer the rating form on the page: one score (or "N/A") per criterion, 0–10, standard, comment."""
    for criterion, score in zip(CRITERIA, scores):
        page.get_by_role("group", name=criterion).get_by_label(str(score), exact=True).check()
    page.get_by_role("group", name="Was the agreed standard met?").get_by_label(standard, exact=True).check()
    page.get_by_role("group", name=re.compile("How likely are you to recommend")).get_by_label(
        str(recommend), exact=True).check()
    if comment:
        page.get_by_label("Comment").fill(comment)


def progress(page):
    return page.get_by_role("progressbar", name="Ratings done")


def test_head_rates_two_suppliers_and_progress_moves(page, live_server, org):
    # WH buys from PROC and from IT in the worked example.
    login(page, live_server.url, "head.wh@test.local")
    expect(page).to_have_url(live_server.url + "/rate/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("0 of 2 done")
    expect(progress(page)).to_have_attribute("aria-valuenow", "0")
    shot(page, "head_rate_0_of_2")

    page.get_by_role("link", name=re.compile(r"^Rate PROC")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rate PROC: PROC service for WH")
    fill_rating(page, (5, 4, 4, "N/A"), recommend=9)
    shot(page, "head_rate_form_filled")
    with page.expect_navigation():
        page.get_by_role("button", name="Save rating").click()
    expect(page).to_have_url(live_server.url + "/rate/")
    expect(page.get_by_role("alert")).to_contain_text("Your rating of PROC is saved.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("1 of 2 done")
    expect(progress(page)).to_have_attribute("aria-valuenow", "1")
    shot(page, "head_rate_1_of_2")

    # A low score needs a comment: the form says so and keeps every answer.
    page.get_by_role("link", name=re.compile(r"^Rate IT")).click()
    fill_rating(page, (2, 3, 3, 3), recommend=5, standard="partly")
    with page.expect_navigation():
        page.get_by_role("button", name="Save rating").click()
    expect(page.locator(".invalid-feedback").filter(has_text="Please add a comment")).to_be_visible()
    expect(page.get_by_role("group", name="Quality").get_by_label("2", exact=True)).to_be_checked()
    expect(page.get_by_role("group", name="Was the agreed standard met?").get_by_label("partly", exact=True)
           ).to_be_checked()
    shot(page, "head_rate_comment_required")
    page.get_by_label("Comment").fill("Tickets wait a week before anyone looks at them.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save rating").click()
    expect(page).to_have_url(live_server.url + "/rate/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("2 of 2 done")
    expect(progress(page)).to_have_attribute("aria-valuenow", "2")
    expect(page.locator("table tbody tr").filter(has_text="✓ done")).to_have_count(2)

    # Both ratings are really stored, with the health of PRODUCT.md's formula.
    db.session.expire_all()
    ratings = {r.contract_id: r for r in db.session.scalars(db.select(Rating))}
    assert set(ratings) == {org.contracts[("PROC", "WH")].id, org.contracts[("IT", "WH")].id}
    assert ratings[org.contracts[("PROC", "WH")].id].health == pytest.approx(100 * (4 + 3 + 3) / 3 / 4)
    assert ratings[org.contracts[("IT", "WH")].id].comment.startswith("Tickets wait")
    db.session.commit()


def test_member_rates_only_what_they_were_added_to(page, live_server, org, page_errors):
    hr_to_it = org.contracts[("HR", "IT")]
    db.session.add(ContractRespondent(contract_id=hr_to_it.id, user_id=org.users["member"].id,
                                      added_by_id=org.heads["IT"].id))
    db.session.commit()
    other = org.contracts[("IT", "WH")].id  # WH's agreement: not the member's to rate

    login(page, live_server.url, "member.it@test.local")
    expect(page).to_have_url(live_server.url + "/rate/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("0 of 1 done")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("HR service for IT")
    # A member chooses no respondents.
    expect(page.get_by_role("link", name=re.compile("^Respondents"))).to_have_count(0)

    page.get_by_role("link", name=re.compile(r"^Rate HR")).click()
    fill_rating(page, (4, 4, 5, 4), recommend=8)
    with page.expect_navigation():
        page.get_by_role("button", name="Save rating").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("1 of 1 done")
    expect(progress(page)).to_have_attribute("aria-valuenow", "1")

    page_errors.allow(r"status of 403")
    response = page.goto(f"/rate/{other}")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_contain_text("403")
    shot(page, "member_403_other_contract")

    db.session.expire_all()
    stored = db.session.scalars(db.select(Rating)).all()
    assert [(r.contract_id, r.respondent_id) for r in stored] == [(hr_to_it.id, org.users["member"].id)]
    db.session.commit()


def test_expired_form_keeps_the_typed_comment(page, live_server, org, page_errors):
    """A rating sent with a stale CSRF token is not lost: the page offers it back to send again."""
    login(page, live_server.url, "head.wh@test.local")
    page.get_by_role("link", name=re.compile(r"^Rate IT")).click()
    comment = "Tickets wait a week before anyone looks at them; twice the scanners stayed down a whole shift."
    fill_rating(page, (2, 3, 3, 3), recommend=4, comment=comment)
    # As if the form had been open for longer than the token lives.
    page.locator("form.rate-form input[name=csrf_token]").evaluate("el => el.value = 'stale'")
    page_errors.allow(r"status of 400")
    with page.expect_navigation():
        page.get_by_role("button", name="Save rating").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your form has expired")
    expect(page.locator("textarea")).to_have_value(comment)
    shot(page, "rate_form_expired")
    assert db.session.scalar(db.select(db.func.count()).select_from(Rating)) == 0
    db.session.commit()

    with page.expect_navigation():
        page.get_by_role("button", name="Send again").click()
    expect(page).to_have_url(live_server.url + "/rate/")
    expect(page.get_by_role("alert")).to_contain_text("Your rating of IT is saved.")
    db.session.expire_all()
    saved = db.session.scalars(db.select(Rating)).one()
    assert saved.comment == comment and saved.recommend == 4
    db.session.commit()


def test_head_adds_a_colleague_who_then_rates(page, live_server, org):
    """The head of IT asks a colleague to rate HR's agreement; the colleague then finds it on /rate/."""
    login(page, live_server.url, "head.it@test.local")
    page.get_by_role("link", name=re.compile(r"^Respondents HR")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who rates HR: HR service for IT")
    expect(page.get_by_text("Only you rate this agreement so far.")).to_be_visible()
    colleague = page.get_by_label("Colleague")
    colleague.select_option(colleague.locator("option", has_text="member.it@test.local").get_attribute("value"))
    with page.expect_navigation():
        page.get_by_role("button", name="Add respondent").click()
    expect(page.get_by_role("alert")).to_contain_text("will rate this agreement")
    expect(page.get_by_role("listitem").filter(has_text="member.it@test.local")).to_be_visible()
    shot(page, "head_added_respondent")

    page.context.clear_cookies()
    login(page, live_server.url, "member.it@test.local")
    expect(page.get_by_role("heading", level=1)).to_contain_text("0 of 1 done")
    expect(page.locator("table tbody tr")).to_contain_text("HR service for IT")


def fill_row(row, scores, recommend: int, standard: str = "met", comment: str = "") -> None:
    """Answer one row of the rate-several grid: a score (or "N/A") per criterion, standard, 0–10, comment."""
    for criterion, score in zip(CRITERIA, scores):
        row.get_by_label(criterion, exact=True).select_option(label=str(score))
    row.get_by_label("Was the agreed standard met?").select_option(label=standard)
    row.get_by_label(re.compile("How likely are you to recommend")).select_option(str(recommend))
    if comment:
        row.get_by_label("Comment").fill(comment)


def test_rate_several_is_all_or_nothing(page, live_server, org):
    """On the rate-several grid one row needing a correction saves nothing and keeps every answer."""
    login(page, live_server.url, "head.wh@test.local")
    page.get_by_role("link", name="Rate several in one sitting").click()
    it_card = page.locator("tr.rate-row").filter(has=page.get_by_role("rowheader", name=re.compile("IT: IT service")))
    proc_card = page.locator("tr.rate-row").filter(has=page.get_by_role("rowheader", name=re.compile("PROC: PROC")))
    fill_row(it_card, (1, 2, 2, 2), recommend=3)          # low scores, no comment: needs a correction
    # the rule of the form, said on the row: the comment grows and says it is required
    expect(it_card.get_by_text("Required: tell the supplier what to fix.")).to_be_visible()
    expect(it_card.get_by_label("Comment")).to_have_attribute("rows", "3")
    fill_row(proc_card, (5, 5, 4, 4), recommend=10, comment="Always on time.")
    expect(proc_card.get_by_text("Required: tell the supplier what to fix.")).to_be_hidden()
    with page.expect_navigation():
        page.get_by_role("button", name="Save all ratings").click()
    expect(page.get_by_role("alert").first).to_contain_text("Nothing was saved")
    expect(it_card.get_by_text("needs a correction")).to_be_visible()
    expect(it_card.locator(".invalid-feedback")).to_contain_text("Please add a comment")
    expect(proc_card.get_by_label("Comment")).to_have_value("Always on time.")
    expect(proc_card.get_by_label("Quality", exact=True)).to_have_value("5")
    expect(it_card.get_by_label("Timeliness", exact=True)).to_have_value("2")
    assert db.session.scalar(db.select(db.func.count()).select_from(Rating)) == 0
    db.session.commit()
    shot(page, "rate_several_needs_correction")

    it_card.get_by_label("Comment").fill("Three tickets took over a week.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save all ratings").click()
    expect(page).to_have_url(live_server.url + "/rate/")
    expect(page.get_by_role("alert")).to_contain_text("2 ratings saved.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("2 of 2 done")
