"""Periods: create with validation, open one at a time, close, reopen with a reason; response rate."""
import re
from datetime import date

import pytest

from tracker.extensions import db
from tracker.models import Period
from tracker.services import periods as period_service
from tracker.services.ratings import RatingError, RatingInput, save_rating

from .conftest import audit_rows, changes


def _period(label: str) -> Period | None:
    db.session.expire_all()
    return db.session.scalar(db.select(Period).where(Period.label == label))


@pytest.mark.parametrize("label, start, end", [
    ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
    ("2026-11", date(2026, 11, 1), date(2026, 11, 30)),
    ("2028-02", date(2028, 2, 1), date(2028, 2, 29)),
    ("Autumn review", None, None),
])
def test_dates_from_label(label, start, end):
    assert period_service.dates_from_label(label) == ((start, end) if start else None)


def test_create_appears_planned_and_is_audited(admin):
    response = admin.post("/admin/periods", data={"label": "2026-Q4", "start_date": "", "end_date": ""})
    assert response.status_code == 302
    period = _period("2026-Q4")
    assert (period.start_date, period.end_date, period.status) == (date(2026, 10, 1), date(2026, 12, 31), "planned")
    page = admin.get("/admin/periods").get_data(as_text=True)
    assert "2026-Q4" in page and "planned" in page
    assert changes(audit_rows("period", "create")[-1])["status"] == [None, "planned"]


@pytest.mark.parametrize("data, message", [
    ({"label": "2026-Q3"}, "A period labelled 2026-Q3 already exists."),
    ({"label": "Review", "start_date": "2026-12-10", "end_date": "2026-12-01"}, "The period cannot end before it starts."),
    ({"label": "Review", "start_date": "2026-09-15", "end_date": "2026-10-15"}, "These dates overlap period 2026-Q3"),
    ({"label": "Review"}, "Enter the first day of the period."),
])
def test_invalid_period_refused_with_input_kept(admin, data, message):
    form = {"start_date": "", "end_date": "", **data}
    response = admin.post("/admin/periods", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert f'value="{data["label"]}"' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Period)) == 1


def test_lifecycle_only_one_open_close_reopen_with_reason(admin, org):
    admin.post("/admin/periods", data={"label": "2026-Q4", "start_date": "", "end_date": ""})
    q3, q4 = _period("2026-Q3"), _period("2026-Q4")
    # 2026-Q3 is open: opening another asks to close it first.
    response = admin.post(f"/admin/periods/{q4.id}/open", follow_redirects=True)
    assert "Period 2026-Q3 is open; close it before opening another." in response.get_data(as_text=True)
    assert _period("2026-Q4").status == "planned"
    with pytest.raises(period_service.PeriodError, match="close it before opening another"):
        period_service.open_period(_period("2026-Q4"))

    admin.post(f"/admin/periods/{q3.id}/close")
    assert _period("2026-Q3").status == "closed" and _period("2026-Q3").closed_at is not None
    admin.post(f"/admin/periods/{q4.id}/open")
    assert _period("2026-Q4").status == "open"

    # Reopening needs a reason, and another open period must be closed first.
    response = admin.post(f"/admin/periods/{q3.id}/reopen", data={"reason": ""})
    assert "This field is required." in response.get_data(as_text=True)
    response = admin.post(f"/admin/periods/{q3.id}/reopen", data={"reason": "Late survey from EXT"})
    assert "close it before opening another" in response.get_data(as_text=True)
    assert _period("2026-Q3").status == "closed"
    admin.post(f"/admin/periods/{q4.id}/close")
    response = admin.post(f"/admin/periods/{q3.id}/reopen", data={"reason": "Late survey from EXT"})
    assert response.status_code == 302
    assert _period("2026-Q3").status == "open"

    rows = audit_rows("period")
    assert [(r.action, r.entity_id) for r in rows] == [
        ("create", q4.id), ("close", q3.id), ("open", q4.id), ("close", q4.id), ("reopen", q3.id)]
    assert rows[-1].reason == "Late survey from EXT"
    # Reopening clears the target and floor the close stored.
    assert changes(rows[-1]) == {"status": ["closed", "open"], "target": [75.0, None], "floor": [50.0, None]}


def test_reopen_without_reason_refused_by_the_service(org):
    period_service.close_period(org.period)
    with pytest.raises(period_service.PeriodError) as caught:
        period_service.reopen_period(org.period, "   ")
    assert "reason" in caught.value.errors
    assert _period("2026-Q3").status == "closed"


def test_closed_period_refuses_ratings(org):
    period_service.close_period(org.period)
    with pytest.raises(RatingError, match="closed"):
        save_rating(org.contracts[("IT", "WH")], _period("2026-Q3"), RatingInput(scores={"quality": 4}))


def test_response_rate_counts_active_contracts_with_a_response(admin, org):
    period = org.period
    save_rating(org.contracts[("IT", "WH")], period, RatingInput(scores={"quality": 4}), respondent_key="a")
    save_rating(org.contracts[("IT", "WH")], period, RatingInput(scores={"quality": 5}), respondent_key="b")
    save_rating(org.contracts[("HR", "IT")], period, RatingInput(no_interaction=True), respondent_key="a")
    db.session.commit()
    rate = period_service.response_rates([period])[period.id]
    assert (rate.responded, rate.active) == (2, 11)
    # An agreement that ended before the period is not active in it.
    org.contracts[("IT", "MKT")].end_date = date(2026, 6, 30)
    db.session.commit()
    assert period_service.response_rates([period])[period.id].active == 10
    # Percent signs follow the locale ("20%" in English, "20 %" in Russian).
    assert re.search(r"\b20\s?%", admin.get("/admin/periods").get_data(as_text=True))
    assert re.search(r"\b20\s?%", admin.get("/admin/").get_data(as_text=True))


def test_planned_period_shows_no_response_rate(admin):
    admin.post("/admin/periods", data={"label": "2026-Q4", "start_date": "", "end_date": ""})
    page = admin.get("/admin/periods").get_data(as_text=True)
    row = re.search(r"2026-Q4</th>.*?</tr>", page, re.S).group(0)
    assert "planned" in row and "0%" not in row and "(0/" not in row and "<td>—</td>" in row
    current = re.search(r"2026-Q3</th>.*?</tr>", page, re.S).group(0)
    assert "%" in current  # the open period keeps its rate
