"""The dashboard's pages read with a number of queries that does not grow with the organization.

Speed is measured, never asserted in a test (see the report for figures at 200 departments).
"""
from __future__ import annotations

import random
from datetime import date

import pytest
from sqlalchemy import event

from tracker.extensions import db
from tracker.models import Contract, Department, Period, Rating, Service

from .. import factories


def build_org(n: int, first: int = 0, seed: int = 7) -> None:
    """Departments ``first``..``n``-1 in six levels feeding two external customers, ~2 agreements each,
    90 % rated; the period, the COO and the externals are made with the first call."""
    rnd = random.Random(seed + first)
    if first == 0:
        factories.period("2026-Q3", date(2026, 7, 1), date(2026, 9, 30))
        factories.user("coo@test.local", "coo")
        db.session.add_all(Department(code=f"EXT{i}", name=f"Clients {i}", kind="external") for i in range(2))
    period = db.session.scalar(db.select(Period))
    exts = list(db.session.scalars(db.select(Department).where(Department.kind == "external")))
    old = list(db.session.scalars(db.select(Department).where(Department.kind == "internal")))
    deps = [Department(code=f"D{i:03d}", name=f"Отдел {i}", kind="internal") for i in range(first, n)]
    db.session.add_all(deps)
    db.session.flush()
    everyone = old + deps
    level = {d.code: int(d.code[1:]) % 6 + 1 for d in everyone}
    pairs = set()
    for d in deps:
        for _ in range(2):
            lower = [e for e in everyone if level[e.code] < level[d.code]]
            pairs.add((d, rnd.choice(lower) if lower else rnd.choice(exts)))
    services = {d.code: Service(department=d, name=f"Service of {d.code}") for d in deps}
    db.session.add_all(services.values())
    contracts = [Contract(supplier=s, customer=c, service=services[s.code], criticality=rnd.randint(1, 3))
                 for s, c in sorted(pairs, key=lambda p: (p[0].code, p[1].code))]
    db.session.add_all(contracts)
    db.session.flush()
    db.session.add_all(Rating(contract_id=c.id, period_id=period.id, respondent_key="r",
                              health=float(rnd.choice([30, 55, 70, 80, 95])), recommend=rnd.randint(0, 10))
                       for c in contracts if rnd.random() < 0.9)
    db.session.commit()


def count_queries(client, path: str) -> tuple[int, int]:
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    db.session.expire_all()  # every request starts from an empty identity map, as in production
    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200, path
    return len(statements), len(response.data)


@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard/departments", "/dashboard/departments/D005",
                                  "/dashboard/contracts/5"])
def test_queries_do_not_grow_with_the_organization(app, client, auth, path):
    build_org(10)
    auth.login("coo@test.local")
    small, _size = count_queries(client, path)
    build_org(200, first=10)
    large, _size = count_queries(client, path)
    assert large <= small, (small, large)  # a cache elsewhere may save a query the second time
    assert large <= 20
