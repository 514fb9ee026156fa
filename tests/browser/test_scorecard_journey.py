"""The COO's scorecard journey: edit a department's target and see met/missed change, compare two
periods, download the scorecard XLSX and the review pack."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tracker.extensions import db
from tracker.models import Setting

from ..scorecard.conftest import scored  # noqa: F401  (fixture)
from .conftest import login, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def judged(scored):  # noqa: F811
    """The scored example with a small-sample threshold of 1, so every figure gets a verdict."""
    db.session.add(Setting(key="small_sample", value="1"))
    db.session.commit()
    return scored


def test_coo_edits_a_target_and_sees_the_verdict_change(page, live_server, judged):
    login(page, live_server.url, "coo@test.local")
    page.goto("/scorecard/?period=2026-Q3")
    csat = page.locator("tr[data-code='IT'] td[data-metric='csat']")
    expect(csat).to_contain_text("missed")  # 25 % against the default 70 %
    page.locator("tr[data-code='IT'] th a").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Scorecard of IT")
    expect(page.locator("tr[data-metric='csat'] td.verdict")).to_contain_text("missed")
    page.get_by_role("link", name="Edit targets of IT").click()
    page.get_by_label("CSAT, %").fill("20")
    with page.expect_navigation():
        page.get_by_role("button", name="Save targets").click()
    expect(page.locator(".alert")).to_contain_text("Targets of IT saved.")
    expect(page.locator("tr[data-metric='csat'] td.verdict")).to_contain_text("met")
    expect(page.locator("tr[data-metric='csat'] td.verdict")).not_to_contain_text("missed")
    shot(page, "scorecard-target-edited")
    page.goto("/scorecard/?period=2026-Q3")
    expect(csat).to_contain_text("met")


def test_coo_compares_two_periods(page, live_server, judged):
    login(page, live_server.url, "coo@test.local")
    page.goto("/scorecard/compare")
    page.get_by_label("Before").select_option("2026-Q2")
    page.get_by_label("After").select_option("2026-Q3")
    with page.expect_navigation():
        page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2026-Q2 → 2026-Q3")
    expect(page.locator("#worse")).to_contain_text("WH → LOG")
    expect(page.locator("#better")).to_contain_text("IT → SALES")
    expect(page.locator("#appeared")).to_contain_text("WH → LOG")
    shot(page, "scorecard-compare")


def test_coo_downloads_scorecard_xlsx_and_review_pack(page, live_server, judged):
    login(page, live_server.url, "coo@test.local")
    page.goto("/scorecard/?period=2026-Q3")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download XLSX").click()
    download = info.value
    assert download.suggested_filename == "scorecard-2026-Q3.xlsx"
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    codes = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "IT" in codes and "WH" in codes
    page.goto("/dashboard/?period=2026-Q3")
    # The pack is made as a background job: its page shows progress, then the download link. Tests
    # have no queue consumer, so the job runs within the click's request: allow for a loaded machine.
    page.get_by_role("button", name="Make the review pack (PDF)").click(timeout=120_000)
    page.wait_for_url("**/downloads/*", timeout=120_000)
    link = page.get_by_role("link", name="Download review-pack-2026-Q3.pdf")
    link.wait_for(timeout=120_000)
    with page.expect_download(timeout=120_000) as info:
        link.click()
    pack = info.value
    assert pack.suggested_filename == "review-pack-2026-Q3.pdf"
    assert Path(pack.path()).read_bytes()[:5] == b"%PDF-"


def test_coo_compares_two_periods_on_the_graph_and_sees_the_worse_link_marked(page, live_server, judged):
    login(page, live_server.url, "coo@test.local")
    page.goto("/scorecard/compare?a=2026-Q2&b=2026-Q3")
    with page.expect_navigation():
        page.get_by_role("link", name="On the graph").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2026-Q2 → 2026-Q3")
    page.wait_for_function("() => document.getElementById('graph-explorer').dataset.ready === '1'", timeout=30_000)
    edge = page.evaluate("""() => {
        const e = trackerGraph.cy.edges('[source = "WH"][target = "LOG"]')[0];
        return {classes: e.classes(), label: e.data('label'), colour: e.data('colour')};
    }""")
    assert "change-new_weak" in edge["classes"]  # WH → LOG fell 80 → 45: a new weak link
    assert "35" in edge["label"] and edge["label"].startswith(("new weak link −", "new weak link -"))
    better = page.evaluate("() => trackerGraph.cy.edges('[source = \"IT\"][target = \"SALES\"]')[0].data('label')")
    assert better == "+25"
    expect(page.locator("#compare-legend")).to_contain_text("worse")
    shot(page, "scorecard-compare-graph")
