"""Admin pages and department fields stay small with thousands of departments: paged and searched.

At 100k departments ``/admin/`` was 6.3 MB and ``/admin/contracts/new`` 17 MB: every list and
every select carried every department. The page size and the number of queries must not grow
with the organization.
"""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event, insert

from tracker.extensions import db
from tracker.models import Department, Service

PAGES = ["/admin/", "/admin/contracts/new", "/admin/departments/new", "/admin/users/new", "/admin/contracts",
         "/admin/departments", "/admin/users"]
COO_PAGES = ["/follow-ups/"]
HR_PAGES = ["/rotations/new"]


@contextmanager
def _counted():
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def _add_departments(n: int, start: int) -> None:
    """``n`` internal departments without heads, each with one internal product."""
    db.session.execute(insert(Department), [
        {"code": f"D{i:06d}", "name": f"Department number {i}", "kind": "internal", "version": 1}
        for i in range(start, start + n)])
    db.session.commit()
    ids = db.session.scalars(db.select(Department.id).where(Department.code >= f"D{start:06d}",
                                                            Department.code < f"D{start + n:06d}")).all()
    db.session.execute(insert(Service), [{"department_id": i, "name": "Support", "version": 1} for i in ids])
    db.session.commit()


def _measure(client, url: str) -> tuple[int, int]:
    with _counted() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(response.data), len(statements)


def _login(app, email):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": "pw"}).status_code == 302
    return client


def test_pages_do_not_grow_with_the_number_of_departments(app, org):
    clients = {"admin@test.local": PAGES, "coo@test.local": COO_PAGES, "hr@test.local": HR_PAGES}
    logged = {email: _login(app, email) for email in clients}
    _add_departments(80, 1)  # more than a page of every list already
    small = {url: _measure(logged[email], url) for email, urls in clients.items() for url in urls}
    _add_departments(3000, 100)
    large = {url: _measure(logged[email], url) for email, urls in clients.items() for url in urls}
    for url in small:
        (small_bytes, small_queries), (large_bytes, large_queries) = small[url], large[url]
        assert large_bytes < 60_000, f"{url}: {large_bytes} bytes with 3,000 departments"
        assert large_bytes < small_bytes + 3_000, f"{url}: {small_bytes} → {large_bytes} bytes"
        assert large_queries <= small_queries, f"{url}: {small_queries} → {large_queries} queries"


def test_department_search_answers_a_bounded_list(app, org, client, auth):
    _add_departments(300, 1)
    auth.login()
    items = client.get("/departments/search?q=number 12").get_json()["items"]
    assert 0 < len(items) <= 20 and all("12" in d["name"] for d in items)
    assert client.get("/departments/search?q=d000123").get_json()["items"][0]["code"] == "D000123"
    externals = client.get("/departments/search?q=EXT").get_json()["items"]
    assert [d["code"] for d in externals] == ["EXT"]
    assert client.get("/departments/search?q=EXT&internal=1").get_json()["items"] == []
    assert client.get("/departments/search?q=%25").get_json()["items"] == []  # a % is a character, not a wildcard


def test_agreement_form_takes_typed_codes_and_names_an_unknown_one(app, org, client, auth):
    auth.login()
    page = client.get("/admin/contracts/new").get_data(as_text=True)
    assert 'list="supplier_id-options"' in page and "data-department-search=" in page
    bad = client.post("/admin/contracts/new", data={"supplier_id": "nope", "customer_id": "fin",
                                                    "service_name": "Laptops", "criticality": "2"})
    html = bad.get_data(as_text=True)
    assert "No department has the code “nope”." in html and 'value="nope"' in html
    ok = client.post("/admin/contracts/new", data={"supplier_id": "it", "customer_id": "FIN",
                                                   "service_name": "Laptops", "criticality": "2"})
    assert ok.status_code == 302
    services = client.get("/admin/departments/services?code=IT").get_json()["items"]
    assert "IT: Laptops" in [s["label"] for s in services]
