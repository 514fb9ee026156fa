"""The admin overview: period status, response rate, counts and data problems."""
import re

from sqlalchemy import event

from tracker.extensions import db
from tracker.services.ratings import RatingInput, save_rating
from tests import factories


def test_overview_shows_period_counts_and_problems(admin, org):
    save_rating(org.contracts[("IT", "WH")], org.period, RatingInput(scores={"quality": 4}))
    factories.department("LEGAL")
    db.session.commit()
    page = admin.get("/admin/").get_data(as_text=True)
    assert "Period 2026-Q3 is open" in page
    assert "1 of 11 active agreements have at least one rating" in page and re.search(r"\b9\s?%", page)
    assert "Departments: <strong>10</strong>" in page
    assert "Agreements: <strong>11</strong>" in page
    assert "Users: <strong>12</strong>" in page
    # Never rated: every agreement but IT → WH.
    assert "Agreements never rated (10)" in page and "IT → MKT: IT service for MKT" in page
    assert "IT → WH: IT service for WH" not in page
    assert "Departments without a head (1)" in page and "LEGAL — LEGAL" in page
    # MKT buys from IT but supplies nobody on the way to EXT.
    assert "Departments cut off from the external customer (1)" in page and "<li>MKT</li>" in page


def test_overview_without_an_open_period(admin, org):
    org.period.status = "closed"
    db.session.commit()
    page = admin.get("/admin/").get_data(as_text=True)
    assert "No period is open." in page


def _count_queries(client, path: str) -> int:
    statements = []

    def count(*_args):
        statements.append(1)

    # The test shares the request's session: start each count from the same, empty state.
    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_list_pages_do_not_query_per_row(admin, org):
    paths = ["/admin/departments", "/admin/contracts", "/admin/users", "/admin/periods"]
    for path in paths:  # warm any per-process cache so only per-row queries could differ
        admin.get(path)
    before = {path: _count_queries(admin, path) for path in paths}
    for n in range(15):
        dep = factories.department(f"X{n}")
        factories.contract(dep, org.departments["EXT"])
        factories.user(f"x{n}@test.local", "head", dep)
    db.session.commit()
    after = {path: _count_queries(admin, path) for path in paths}
    assert after == before
