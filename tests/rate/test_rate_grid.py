"""Rate several as a grid: one row per agreement, all or nothing, the typed answers kept, the not-yet-rated view."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from tests import factories
from tests.rate.test_rate import CRITERIA, _checked, answers, page, ratings_of
from tracker.extensions import db
from tracker.models import Rating


def blank_row(prefix: str) -> dict:
    """What the grid sends for a row left alone: every select at its empty choice, an empty comment."""
    return {f"{prefix}score_{key}": "" for key in CRITERIA} | {
        f"{prefix}recommend": "", f"{prefix}standard_met": "", f"{prefix}comment": ""}


def _row(html: str, contract_id: int) -> str:
    start = html.index(f'id="contract-{contract_id}"')
    return html[start:html.index("</tr>", start)]


def test_grid_has_one_row_per_agreement_with_compact_selects(client, auth, org):
    proc, it = org.contracts["PROC", "WH"], org.contracts["IT", "WH"]
    auth.login("head.wh@test.local")
    html = page(client, "/rate/all")
    assert html.count('class="rate-row') == 2
    for con in (proc, it):
        row = _row(html, con.id)
        for key in CRITERIA:
            assert re.search(rf'<select[^>]*name="c{con.id}-score_{key}"', row)
        assert re.search(rf'<select[^>]*name="c{con.id}-recommend"', row)
        assert f'name="c{con.id}-comment"' in row and f'name="c{con.id}-no_interaction"' in row
    assert 'type="radio"' not in html  # no full forms any more
    # the limits of the comment rule come from the service, for the script
    assert 'data-comment-score="2" data-comment-recommend="6"' in html


def test_grid_saves_several_rows_and_skips_the_blank_ones(client, auth, org):
    extra = factories.contract(org.departments["FIN"], org.departments["WH"], "Invoices for WH")
    db.session.commit()
    proc, it = org.contracts["PROC", "WH"], org.contracts["IT", "WH"]
    auth.login("head.wh@test.local")
    data = answers(f"c{proc.id}-") | answers(f"c{it.id}-", scores=(4, 4, 4, 4), recommend="9") | blank_row(
        f"c{extra.id}-")
    response = client.post("/rate/all", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/rate/")
    assert len(ratings_of(proc)) == 1 and len(ratings_of(it)) == 1 and ratings_of(extra) == []
    assert ratings_of(it)[0].health == 75.0 and ratings_of(it)[0].recommend == 9
    assert "2 ratings saved." in page(client, "/rate/")


def test_grid_error_keeps_every_typed_value_with_the_reason_next_to_row_and_field(client, auth, org):
    proc, it = org.contracts["PROC", "WH"], org.contracts["IT", "WH"]
    auth.login("head.wh@test.local")
    data = answers(f"c{proc.id}-", standard="partly", comment="Good work") | answers(
        f"c{it.id}-", scores=(2, 3, "", 4), recommend="5", standard="missed", comment="")
    response = client.post("/rate/all", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert ratings_of(proc) == [] and ratings_of(it) == []
    assert "Nothing was saved: 1 agreement needs a correction" in html
    proc_row, it_row = _row(html, proc.id), _row(html, it.id)
    assert "needs a correction" in it_row and "needs a correction" not in proc_row
    # the reasons sit next to their fields: the unanswered criterion and the missing comment of the IT row
    assert f'id="c{it.id}-score_communication-errors"' in it_row and "Choose a score from 1 to 5" in it_row
    assert f'id="c{it.id}-comment-errors"' in it_row
    # every typed answer is back in its row
    assert "Good work" in proc_row and _checked(html, f"c{proc.id}-standard_met", "partly")
    assert _checked(html, f"c{proc.id}-score_value", "na") and _checked(html, f"c{proc.id}-recommend", "8")
    assert _checked(html, f"c{it.id}-score_quality", "2") and _checked(html, f"c{it.id}-score_value", "4")
    assert _checked(html, f"c{it.id}-recommend", "5") and _checked(html, f"c{it.id}-standard_met", "missed")
    assert not _checked(html, f"c{it.id}-score_communication", "1")


def test_not_yet_rated_only_lists_the_agreements_without_a_rating(client, auth, org):
    proc, it = org.contracts["PROC", "WH"], org.contracts["IT", "WH"]
    auth.login("head.wh@test.local")
    assert client.post("/rate/all", data=answers(f"c{proc.id}-")).status_code == 302

    html = page(client, "/rate/all?todo=1")
    assert f'id="contract-{it.id}"' in html and f'id="contract-{proc.id}"' not in html
    assert "Show all 2 agreements" in html and 'action="/rate/all?todo=1"' in html
    full = page(client, "/rate/all")
    assert f'id="contract-{proc.id}"' in full and f'id="contract-{it.id}"' in full and "Not yet rated only" in full

    # saving from the filtered view saves its rows
    assert client.post("/rate/all?todo=1", data=answers(f"c{it.id}-")).status_code == 302
    assert len(ratings_of(it)) == 1
    assert "Every agreement of this period is rated" in page(client, "/rate/all?todo=1")


def test_the_same_grid_sent_twice_makes_one_rating_per_agreement(client, auth, org):
    proc, it = org.contracts["PROC", "WH"], org.contracts["IT", "WH"]
    auth.login("head.wh@test.local")
    data = answers(f"c{proc.id}-") | answers(f"c{it.id}-", scores=(1, 3, 3, 3), comment="Slow")
    first = client.post("/rate/all", data=data)
    second = client.post("/rate/all", data=data)
    assert first.status_code == second.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Rating)) == 2
    assert len(ratings_of(proc)) == 1 and len(ratings_of(it)) == 1
    assert "Nothing changed: these answers were saved already." in page(client, "/rate/")
