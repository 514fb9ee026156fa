"""``flask demo``: the demo company loads whole, the same every time, and tells its story."""
from __future__ import annotations

import re
from datetime import date

import pytest

from tracker.demo import data
from tracker.demo.builder import build_demo
from tracker.extensions import db
from tracker.models import (
    AuditLog,
    Contract,
    ContractRespondent,
    Department,
    FollowUp,
    Period,
    Rating,
    RatingScore,
    Rotation,
    Service,
    User,
)
from tracker.services import settings as settings_service
from tracker.services.analysis import period_analysis

from .. import factories

CYRILLIC = re.compile("[а-яА-ЯёЁ]")
TABLES = (Department, Service, Contract, Period, User, ContractRespondent, Rating, RatingScore, FollowUp, Rotation,
          AuditLog)


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def _counts() -> dict[str, int]:
    return {model.__name__: _count(model) for model in TABLES}


def _dump() -> list[tuple]:
    """Every rating as plain values, independent of database ids."""
    rows = []
    for r in db.session.scalars(db.select(Rating)):
        rows.append((
            r.contract.supplier.code, r.contract.customer.code, r.contract.service.name, r.period.label,
            r.respondent_key, tuple(sorted((s.criterion.key, s.score, s.weight) for s in r.scores)),
            r.recommend, r.standard_met, r.no_interaction, r.comment, r.health,
        ))
    return sorted(rows, key=repr)


def _numbers(dump: list[tuple]) -> list[tuple]:
    """The dump without service names and comments (the language-dependent parts)."""
    return sorted(((row[0], row[1], row[3], row[4]) + row[5:8] + (row[10],) for row in dump), key=repr)


@pytest.fixture
def demo(app):
    """The demo company, loaded in English."""
    return build_demo("en")


def test_command_loads_the_company_and_prints_the_logins(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    internal = db.session.scalars(db.select(Department).filter_by(kind="internal")).all()
    divisions = [d for d in internal if d.parent_id is None]
    departments = [d for d in internal if d.parent_id is not None]
    assert 3 <= len(divisions) <= 4
    assert 18 <= len(departments) <= 22
    assert {d.parent_id for d in departments} == {d.id for d in divisions}
    assert _count(Department) - len(internal) == 3
    assert 45 <= _count(Contract) <= 55
    assert _count(Rating) > 150
    for email in ("admin@demo.local", "coo@demo.local", "hr@demo.local", "head.it@demo.local"):
        assert email in result.output
    assert "demo" in result.output
    users = {u.email: u for u in db.session.scalars(db.select(User))}
    for dep in internal:
        head = users[f"head.{dep.code.lower()}@demo.local"]
        assert head.role == "head" and head.department_id == dep.id
    assert {users[e].role for e in ("admin@demo.local", "coo@demo.local", "hr@demo.local")} == {"admin", "coo", "hr"}
    assert users["head.wh@demo.local"].check_password("demo")
    assert not users["head.wh@demo.local"].check_password("pw")


def test_periods_are_the_four_quarters_of_2026(demo):
    periods = db.session.scalars(db.select(Period).order_by(Period.start_date)).all()
    assert [(p.label, p.start_date, p.end_date, p.status) for p in periods] == [
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), "closed"),
        ("2026-Q2", date(2026, 4, 1), date(2026, 6, 30), "closed"),
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), "closed"),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), "open"),
    ]


def test_contracts_have_standards_and_some_prices_and_own_targets(demo):
    contracts = db.session.scalars(db.select(Contract)).all()
    assert all(c.standard and re.search(r"\d", c.standard) for c in contracts)
    assert {c.criticality for c in contracts} == {1, 2, 3}
    assert 5 <= sum(c.transfer_price is not None for c in contracts) < len(contracts)
    assert 1 <= sum(c.target is not None for c in contracts) <= 5
    assert all(c.supplier.kind == "internal" and c.supplier_id != c.customer_id for c in contracts)


def test_every_rating_belongs_to_a_period_in_which_its_contract_is_active(demo):
    ratings = db.session.scalars(db.select(Rating)).all()
    assert ratings
    for r in ratings:
        assert r.contract.is_active_in(r.period.start_date, r.period.end_date), r
    # The agreements with dates really are rated only inside them.
    ended = db.session.scalar(db.select(Contract).where(Contract.end_date.is_not(None)))
    assert {r.period.label for r in ratings if r.contract_id == ended.id} == {"2026-Q1", "2026-Q2"}


def test_low_ratings_carry_a_comment_and_health_is_computed(demo):
    ratings = db.session.scalars(db.select(Rating)).all()
    for r in ratings:
        low = any(s.score <= 2 for s in r.scores) or (r.recommend is not None and r.recommend <= 6)
        if low:
            assert r.comment, r
        if r.no_interaction:
            assert r.health is None and not r.scores
        else:
            expected = 100 * sum(s.weight * (s.score - 1) for s in r.scores) / (4 * sum(s.weight for s in r.scores))
            assert r.health == pytest.approx(expected)
    assert any(r.no_interaction for r in ratings)


def test_several_respondents_rate_some_contracts_and_externals_use_the_survey_key(demo):
    members = db.session.scalars(db.select(ContractRespondent)).all()
    assert len(members) >= 5
    for cr in members:
        assert cr.user.role == "member" and cr.user.department_id == cr.contract.customer_id
    keys_by_contract_period: dict[tuple[int, int], set[str]] = {}
    for r in db.session.scalars(db.select(Rating)):
        keys_by_contract_period.setdefault((r.contract_id, r.period_id), set()).add(r.respondent_key)
        if r.contract.customer.kind == "external":
            assert r.respondent_key == ""
        else:
            assert r.respondent_key.endswith("@demo.local") and r.respondent_id is not None
    assert sum(len(keys) > 1 for keys in keys_by_contract_period.values()) >= 10


def test_q4_is_about_half_rated(demo):
    q4 = db.session.scalar(db.select(Period).filter_by(label="2026-Q4"))
    active = [c for c in db.session.scalars(db.select(Contract)) if c.is_active_in(q4.start_date, q4.end_date)]
    rated = set(db.session.scalars(db.select(Rating.contract_id).filter_by(period_id=q4.id)))
    assert 0.4 <= len(rated) / len(active) <= 0.6


def test_if_empty_on_a_loaded_database_changes_nothing(runner, demo):
    before = _counts()
    dump = _dump()
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "already has" in result.output and "not loaded" in result.output
    assert _counts() == before
    assert _dump() == dump


def test_if_empty_on_an_empty_database_loads(runner):
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert _count(Contract) > 0


def test_refuses_a_non_empty_database_without_if_empty(runner):
    factories.department("X")
    db.session.commit()
    result = runner.invoke(args=["demo"])
    assert result.exit_code != 0
    assert "already has 1 departments" in result.output and "empty database" in result.output
    assert _count(Department) == 1 and _count(Contract) == 0 and _count(User) == 0


def test_refuses_when_a_demo_user_exists_and_writes_nothing(runner):
    factories.user("coo@demo.local", "coo")
    db.session.commit()
    result = runner.invoke(args=["demo"])
    assert result.exit_code != 0
    assert "user coo@demo.local" in result.output
    assert _count(Department) == 0 and _count(User) == 1 and _count(Period) == 0


def test_russian_variant_has_cyrillic_names_and_latin_codes(runner):
    result = runner.invoke(args=["demo", "--lang", "ru"])
    assert result.exit_code == 0, result.output
    assert CYRILLIC.search(result.output)
    departments = db.session.scalars(db.select(Department)).all()
    assert all(CYRILLIC.search(d.name) and re.fullmatch(r"[A-Z]+", d.code) for d in departments)
    assert all(CYRILLIC.search(s.name) for s in db.session.scalars(db.select(Service)))
    assert all(CYRILLIC.search(c.standard) for c in db.session.scalars(db.select(Contract)))
    comments = [c for c in db.session.scalars(db.select(Rating.comment)) if c]
    assert comments and all(CYRILLIC.search(c) for c in comments)
    assert db.session.scalar(db.select(User).filter_by(email="head.wh@demo.local")).name == "Роман Козлов"


def test_loading_twice_in_fresh_databases_gives_identical_data_in_both_languages(app):
    build_demo("en")
    first = _dump()
    for lang in ("en", "ru"):
        db.session.remove()
        db.drop_all()
        db.create_all()
        settings_service.ensure_defaults()
        build_demo(lang)
        if lang == "en":
            assert _dump() == first
        else:
            assert _numbers(_dump()) == _numbers(first)


# The story the analysis must reveal -------------------------------------------------


def _key(contract) -> tuple[str, str]:
    return (contract.supplier, contract.customer)


def test_top_weak_link_of_q4_is_warehouse_to_logistics_declining_three_quarters(demo):
    q4 = period_analysis("2026-Q4")
    top = q4.weak_links[0]
    assert _key(top.contract) == ("WH", "LOG")
    assert top.severity == "critical" and not top.stale and top.contract.criticality == 3
    # A clear first place, not a photo finish.
    assert top.risk >= 1.5 * q4.weak_links[1].risk
    figures = q4.contracts[top.contract.id]
    assert figures.declining
    healths = [period_analysis(label).contracts[top.contract.id].health for label in data.QUARTERS]
    assert healths[0] >= 75 and healths[0] > healths[1] > healths[2] > healths[3]


def test_it_recovered_after_a_poor_first_half(demo):
    quarters = {label: period_analysis(label) for label in data.QUARTERS}
    it_wh = next(cf for cf in quarters["2026-Q4"].contracts.values() if _key(cf.contract) == ("IT", "WH"))
    health = {label: a.contracts[it_wh.contract.id].health for label, a in quarters.items()}
    assert health["2026-Q1"] < 50 and health["2026-Q2"] < 50
    assert health["2026-Q3"] >= 65 and health["2026-Q4"] >= 75
    csat = {label: a.departments["IT"].csat for label, a in quarters.items()}
    assert csat["2026-Q1"] < 25 and csat["2026-Q2"] < 25
    assert csat["2026-Q3"] >= 75 and csat["2026-Q4"] >= 75
    assert quarters["2026-Q1"].departments["IT"].nps < 0 < quarters["2026-Q4"].departments["IT"].nps


def test_store_sales_answer_least_every_quarter(demo):
    for label in data.QUARTERS:
        rates = {d.code: d.response_rate for d in period_analysis(label).departments.values()
                 if d.kind == "internal" and d.response_rate is not None}
        lowest = min(rates.values())
        assert [code for code, rate in rates.items() if rate == lowest] == ["SALES"], label
        assert rates["SALES"] < 0.3


def test_legal_is_cut_off_every_quarter_and_divisions_are_not(demo):
    for label in data.QUARTERS:
        analysis = period_analysis(label)
        assert analysis.cut_off == ["LEGAL"], label
        for code, _name, _head in data.DIVISIONS:
            assert not analysis.departments.get(code) or not analysis.departments[code].cut_off


def test_logistics_is_a_single_point_of_failure(demo):
    q4 = period_analysis("2026-Q4")
    assert q4.dominated["LOG"] == max(q4.dominated.values()) >= 5
    assert q4.dominated["WH"] >= 2


def test_follow_ups_answer_low_ratings_of_their_own_agreement(demo):
    follow_ups = db.session.scalars(db.select(FollowUp)).all()
    assert {f.status for f in follow_ups} == {"open", "acknowledged", "planned", "resolved", "confirmed",
                                              "cancelled"}
    open_quarter = {f.status for f in follow_ups if f.period.label == "2026-Q4"}
    assert open_quarter == {"open", "acknowledged", "planned", "resolved"}, open_quarter
    for f in follow_ups:
        rating = db.session.get(Rating, f.rating_id)
        assert (rating.contract_id, rating.period_id) == (f.contract_id, f.period_id)
        assert rating.health < 75 and rating.comment
        assert (f.closed_at is None) == (f.status not in ("confirmed", "cancelled"))
        assert f.owner is not None and f.owner.department_id == f.contract.supplier_id
        # The timeline ends in the state the follow-up is in.
        assert f.events and f.events[-1].to_status == f.status
        if f.status in ("planned", "resolved", "confirmed"):
            assert f.actions and f.root_cause
    rotations = db.session.scalars(db.select(Rotation)).all()
    assert {r.status for r in rotations} == {"done", "planned"}


def test_hr_and_finance_supply_each_other(demo):
    graph = period_analysis("2026-Q4").graph
    assert graph.has_edge("HR", "FIN") and graph.has_edge("FIN", "HR")


def test_sales_suppliers_are_blind_spots_in_q4(demo):
    blind = {_key(b.contract) for b in period_analysis("2026-Q4").blind_spots}
    assert {("DATA", "SALES"), ("HR", "SALES"), ("TRN", "SALES")} <= blind
    assert all(customer == "SALES" for _supplier, customer in blind)


def test_command_says_how_many_agreements_are_active_in_the_open_period(runner):
    """The loader said 52 agreements while the Q4 dashboard said 51, without saying why (issue 17)."""
    from tracker.services import analysis as analysis_service

    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    total = _count(Contract)
    q4 = analysis_service.resolve_period("2026-Q4")
    active = db.session.scalar(db.select(db.func.count()).select_from(Contract)
                               .where(analysis_service.active_contracts_condition(q4)))
    assert active < total  # the demo has an agreement that ended before Q4
    assert (f"{total} agreements ({active} active in 2026-Q4, the period its dashboard counts; "
            f"{total - active} not active in it)") in result.output
