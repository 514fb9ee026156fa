"""One journey in each language: the head rates a supplier in Russian (the English one is in test_rate_journeys)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tracker.extensions import db
from tracker.models import Rating, User

from .conftest import login, shot

pytestmark = pytest.mark.browser

CRITERIA_RU = ("Качество", "Своевременность", "Коммуникация", "Соотношение цены и качества")


def test_head_switches_to_russian_and_rates_a_supplier(page, live_server, org):
    login(page, live_server.url, "head.wh@test.local")
    expect(page.get_by_role("heading", level=1)).to_contain_text("0 of 2 done")

    with page.expect_navigation():
        page.locator("form[action='/locale/ru'] [type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"Оцените своих поставщиков — 2026-Q3: готово 0 из 2"))
    expect(page.get_by_role("button", name="Выйти")).to_be_visible()
    shot(page, "ru_head_rate_0_of_2")

    page.get_by_role("link", name=re.compile(r"^Оценить PROC|^Оценка: PROC|PROC")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Оценка: PROC — PROC service for WH")
    for criterion, score in zip(CRITERIA_RU, ("2", "3", "3", "н/п")):
        page.get_by_role("group", name=criterion).get_by_label(score, exact=True).check()
    page.get_by_role("group", name="Был ли выполнен согласованный стандарт?").get_by_label(
        "выполнен", exact=True).check()
    page.get_by_role("group", name=re.compile("Насколько вероятно")).get_by_label("4", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Сохранить оценку").click()
    # A low score without a comment: the reason is said in Russian and the answers stay.
    expect(page.locator(".invalid-feedback").first).to_contain_text(re.compile("[А-Яа-я]"))
    expect(page.get_by_role("group", name="Качество").get_by_label("2", exact=True)).to_be_checked()
    shot(page, "ru_head_rate_comment_required")

    page.get_by_label("Комментарий").fill("Поставки задерживаются каждую неделю.")
    with page.expect_navigation():
        page.get_by_role("button", name="Сохранить оценку").click()
    expect(page.get_by_role("alert")).to_contain_text("Ваша оценка поставщика PROC сохранена.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("готово 1 из 2")
    shot(page, "ru_head_rate_1_of_2")

    db.session.expire_all()
    rating = db.session.scalar(db.select(Rating))
    assert rating.comment == "Поставки задерживаются каждую неделю."
    assert rating.health == pytest.approx(100 * (1 + 2 + 2) / 3 / 4)
    # The switch is the user's own setting: it survives a new login.
    assert db.session.scalar(db.select(User.locale).filter_by(email="head.wh@test.local")) == "ru"
    db.session.commit()
