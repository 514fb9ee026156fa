"""The review pack PDF: every page has ink, and its text names the period, the top weak link and its owner."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from tracker.extensions import db
from tracker.models import FollowUp

pytestmark = pytest.mark.skipif(not shutil.which("pdftoppm") or not shutil.which("pdftotext"),
                                reason="poppler-utils (pdftoppm, pdftotext) not installed")


def _pages_have_ink(pdf_path, tmp_path) -> int:
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf_path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages
    for page in pages:
        with Image.open(page) as img:
            # more than a footer: at least 0.3 % of the page is dark
            dark = sum(img.convert("L").histogram()[:160])
            assert dark > 0.003 * img.width * img.height, f"{page.name} is (almost) blank"
    return len(pages)


@pytest.mark.parametrize("lang, words", [("en", ["Review pack", "Top weak links"]),
                                         ("ru", ["Материалы", "Слабые звенья"])])
def test_review_pack_pdf(runner, scored, tmp_path, lang, words):
    head = scored.heads["WH"]
    head.name = "Вера Складова"
    db.session.add(FollowUp(contract_id=scored.contracts[("WH", "LOG")].id, period_id=scored.period.id,
                            title="Pick lists checked twice"))
    db.session.commit()
    out = tmp_path / f"pack-{lang}.pdf"
    result = runner.invoke(args=["review-pack", "--period", "2026-Q3", "--out", str(out), "--lang", lang])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    assert _pages_have_ink(out, tmp_path) >= 6
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "2026-Q3" in text
    assert "WH → LOG" in text  # the top weak link (risk 450)
    assert "Вера Складова" in text  # its owner, the WH head
    assert "Pick lists checked twice" in text and "Comment on WH → LOG" in text
    for word in words:
        assert word in text, word


def test_review_pack_unknown_period_is_a_clear_error(runner, scored, tmp_path):
    result = runner.invoke(args=["review-pack", "--period", "1999-Q9", "--out", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0 and "1999-Q9" in result.output and "2026-Q3" in result.output


def test_review_pack_download(client, auth, scored):
    auth.login("coo@test.local")
    response = client.get("/scorecard/review-pack.pdf?period=2026-Q3")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert "review-pack-2026-Q3.pdf" in response.headers["Content-Disposition"]


def test_the_heatmap_is_printed_for_a_small_organization_and_pointed_to_for_a_large_one(app, scored, monkeypatch):
    from tracker.scorecard import pack

    with app.test_request_context():
        small = pack.review_pack_html("2026-Q3")
    assert 'alt="Supplier × customer heatmap"' in small and "too dense to print" not in small

    monkeypatch.setattr(pack, "HEATMAP_MOST", 3)  # the worked example has more departments than that
    monkeypatch.setattr(pack, "heatmap_chart_of", lambda *a, **k: pytest.fail("the heatmap was drawn"))
    with app.test_request_context():
        large = pack.review_pack_html("2026-Q3")
    assert 'alt="Supplier × customer heatmap"' not in large
    assert "heatmap is too dense to print; open it in the app: Scorecard → Heatmap, period 2026-Q3." in large
