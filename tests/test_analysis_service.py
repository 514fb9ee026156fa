"""The analysis service loads a period from the database and reproduces PRODUCT.md's worked example."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import event

from tests import factories
from tracker.extensions import db
from tracker.models import Rating, Setting
from tracker.services import analysis as analysis_service
from tracker.services import ratings as rating_service
from tracker.services.ratings import RatingInput

# Recommend answers of the worked example: IT's internal NPS is -25 on four answers.
RECOMMEND = {("IT", "WH"): 7, ("IT", "LOG"): 9, ("IT", "SALES"): 5, ("IT", "MKT"): 2}


def seed_worked_example_ratings(org, period=None) -> None:
    """Write one Rating per rated link of the worked example with its exact health (commits)."""
    period = period or org.period
    for sup, cus, health, _crit in factories.WORKED_EXAMPLE:
        if health is None:
            continue
        db.session.add(Rating(contract_id=org.contracts[sup, cus].id, period_id=period.id,
                              respondent_key=f"head.{cus.lower()}@test.local", health=float(health),
                              recommend=RECOMMEND.get((sup, cus))))
    db.session.commit()


def _service(sup: str, cus: str) -> dict:
    return {"supplier": sup, "customer": cus, "service": f"{sup} service for {cus}"}


def _dep(code, strength, bottleneck, dominates, csat, response_rate, *, relies=False, cut=False, nps=None, n=0,
         standard_met=None):
    return {"code": code, "name": code, "kind": "internal", "chain_strength": strength,
            "bottleneck": None if bottleneck is None else _service(*bottleneck),
            "relies_on_unrated": relies, "cut_off": cut, "dominates": dominates,
            "nps": nps, "nps_responses": n, "csat": csat, "standard_met": standard_met,
            "response_rate": response_rate}


def _weak(rank, sup, cus, health, crit, reach, risk, severity):
    return {"rank": rank, **_service(sup, cus), "health": health, "stale": False, "criticality": crit,
            "reach": reach, "risk": risk, "severity": severity}


#: PRODUCT.md "The analysis as JSON" for the worked example as the ``org`` fixture builds it.
WORKED_EXAMPLE_JSON = {
    "period": "2026-Q3",
    "target": 75.0,
    "floor": 50.0,
    "departments": [
        _dep("FIN", 60.0, ("HR", "IT"), 0, None, 1.0, relies=True),
        _dep("HR", 60.0, ("HR", "IT"), 1, 50.0, 0.0),
        _dep("IT", 85.0, ("IT", "LOG"), 2, 25.0, 1.0, nps=-25.0, n=4),
        _dep("LOG", 90.0, ("LOG", "EXT"), 2, 100.0, 1.0),
        _dep("MKT", None, None, 0, None, 1.0, cut=True),
        _dep("PROC", 45.0, ("WH", "LOG"), 0, 100.0, None),
        _dep("SALES", 75.0, ("SALES", "EXT"), 0, 100.0, 1.0),
        _dep("WH", 45.0, ("WH", "LOG"), 1, 0.0, 1.0),
    ],
    "weak_links": [
        _weak(1, "WH", "LOG", 45.0, 3, 5, 450.0, "critical"),
        _weak(2, "IT", "SALES", 55.0, 2, 3, 120.0, "warning"),
        _weak(3, "HR", "IT", 60.0, 1, 2, 30.0, "warning"),
        _weak(4, "IT", "WH", 70.0, 2, 3, 30.0, "warning"),
    ],
    "blind_spots": [{**_service("FIN", "HR"), "reach": 2}],
    "cut_off": ["MKT"],
}


@contextmanager
def count_queries():
    """Count the SQL statements run inside the block; yields a one-item list."""
    counter = [0]

    def before(*_args, **_kwargs):
        counter[0] += 1

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def test_worked_example_json_exactly(org):
    seed_worked_example_ratings(org)
    assert analysis_service.period_analysis("2026-Q3").to_json() == WORKED_EXAMPLE_JSON


def test_accepts_a_period_object(org):
    seed_worked_example_ratings(org)
    assert analysis_service.period_analysis(org.period).to_json() == WORKED_EXAMPLE_JSON


def test_healths_from_save_rating_criteria(org):
    # quality 5, timeliness 3, communication 4, value N/A → 75.0 (PRODUCT.md, definition 1).
    rating_service.save_rating(org.contracts["WH", "LOG"], org.period,
                               RatingInput(scores={"quality": 5, "timeliness": 3, "communication": 4, "value": None}),
                               respondent_key="head.log@test.local")
    # all four at 2 → 25.0, with a comment as the form requires.
    rating_service.save_rating(org.contracts["IT", "LOG"], org.period,
                               RatingInput(scores={"quality": 2, "timeliness": 2, "communication": 2, "value": 2},
                                           comment="slow"),
                               respondent_key="head.log@test.local")
    db.session.commit()
    result = analysis_service.period_analysis("2026-Q3")
    assert result.contracts[org.contracts["WH", "LOG"].id].health == 75.0
    assert result.contracts[org.contracts["IT", "LOG"].id].health == 25.0
    assert result.departments["LOG"].response_rate == 1.0


def test_only_active_contracts_and_earlier_ratings(org):
    q2 = factories.period("2026-Q2", date(2026, 4, 1), date(2026, 6, 30), status="closed")
    q4 = factories.period("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), status="planned")
    db.session.commit()
    seed_worked_example_ratings(org, q2)
    # A later period's rating must not leak in; a contract ending before Q3 is not active.
    db.session.add(Rating(contract_id=org.contracts["WH", "LOG"].id, period_id=q4.id,
                          respondent_key="x", health=100.0))
    org.contracts["IT", "MKT"].end_date = date(2026, 6, 30)
    org.contracts["PROC", "WH"].archived_at = datetime.now(timezone.utc)
    db.session.commit()

    result = analysis_service.period_analysis("2026-Q3")
    ids = set(result.contracts)
    assert org.contracts["IT", "MKT"].id not in ids
    assert org.contracts["PROC", "WH"].id not in ids
    wh_log = result.contracts[org.contracts["WH", "LOG"].id]
    assert (wh_log.health, wh_log.stale, wh_log.source_period) == (45.0, True, "2026-Q2")
    # MKT no longer has any contract: not cut off (no contracts at all).
    assert result.departments["MKT"].cut_off is False


def test_archived_department_kept_while_it_has_active_contracts(org):
    seed_worked_example_ratings(org)
    org.departments["MKT"].archived_at = datetime.now(timezone.utc)
    org.departments["PROC"].archived_at = datetime.now(timezone.utc)
    org.contracts["PROC", "WH"].archived_at = datetime.now(timezone.utc)
    db.session.commit()
    result = analysis_service.period_analysis("2026-Q3")
    assert "MKT" in result.departments  # IT → MKT is still active
    assert "PROC" not in result.departments


def test_settings_target_and_floor(org):
    seed_worked_example_ratings(org)
    db.session.add_all([Setting(key="target", value="80"), Setting(key="floor", value="46")])
    db.session.commit()
    data = analysis_service.period_analysis("2026-Q3").to_json()
    assert (data["target"], data["floor"]) == (80.0, 46.0)
    got = [(w["supplier"], w["customer"], w["risk"], w["severity"]) for w in data["weak_links"]]
    assert got == [
        ("WH", "LOG", 525.0, "critical"),
        ("IT", "SALES", 150.0, "warning"),
        ("IT", "WH", 60.0, "warning"),
        ("SALES", "EXT", 60.0, "warning"),
        ("HR", "IT", 40.0, "warning"),
    ]


def test_unknown_period_lists_known_labels(org):
    factories.period("2026-Q2", date(2026, 4, 1), date(2026, 6, 30), status="closed")
    db.session.commit()
    with pytest.raises(LookupError, match=r"unknown period '2031-Q1'; known periods: 2026-Q2, 2026-Q3"):
        analysis_service.period_analysis("2031-Q1")


def test_known_and_current_period(app):
    assert analysis_service.current_period() is None
    q3 = factories.period("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), status="planned")
    q1 = factories.period("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), status="closed")
    q2 = factories.period("2026-Q2", date(2026, 4, 1), date(2026, 6, 30), status="closed")
    db.session.commit()
    assert [p.label for p in analysis_service.known_periods()] == ["2026-Q1", "2026-Q2", "2026-Q3"]
    assert analysis_service.current_period() == q2
    q1.status = "open"
    db.session.commit()
    assert analysis_service.current_period() == q1
    q1.status = q2.status = "planned"
    db.session.commit()
    assert analysis_service.current_period() == q3


def test_query_count_does_not_grow(org):
    seed_worked_example_ratings(org)
    db.session.expire_all()
    with count_queries() as small:
        analysis_service.period_analysis("2026-Q3")
    # Double the organization: a second copy of every department and contract, all rated.
    deps = {code: factories.department(code + "2", kind=d.kind) for code, d in org.departments.items()}
    for sup, cus, health, crit in factories.WORKED_EXAMPLE:
        con = factories.contract(deps[sup], deps[cus], criticality=crit)
        if health is not None:
            db.session.add(Rating(contract_id=con.id, period_id=org.period.id, respondent_key="", health=float(health)))
    db.session.commit()
    db.session.expire_all()
    with count_queries() as large:
        result = analysis_service.period_analysis("2026-Q3")
    assert len(result.contracts) == 22
    assert large[0] == small[0] <= 8
