"""KPI targets and the scorecard: pure computation, the service, the pages and the exports."""
from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tracker.analysis import Contract, Department, Rating, analyze
from tracker.analysis.scorecard import (
    MET, MISSED, NO_DATA, SMALL_SAMPLE_VERDICT, KpiValue, company_scorecard, department_scorecard, kpi_values,
    sort_scorecards, verdict,
)
from tracker.extensions import db
from tracker.models import AuditLog, KpiTarget, Setting
from tracker.services import kpi as kpi_service
from tracker.services import periods as period_service
from tracker.services import scorecard as scorecard_service

TARGETS = {"nps": 20.0, "csat": 70.0, "standard_met": 80.0, "response_rate": 90.0, "followups_on_time": 80.0,
           "mean_health": 75.0}


# --- pure -----------------------------------------------------------------------------------------------------

def _tiny():
    deps = [Department("IT", "IT", "internal"), Department("LOG", "LOG", "internal"),
            Department("EXT", "Clients", "external")]
    cons = [Contract(1, "IT", "LOG", "support", 2), Contract(2, "LOG", "EXT", "delivery", 3),
            Contract(3, "IT", "EXT", "portal", 1)]
    ratings = [Rating(1, "Q1", 60.0, recommend=9, standard_met="met"),
               Rating(1, "Q1", 90.0, recommend=6, standard_met="partly"),
               Rating(3, "Q1", 80.0, recommend=10, standard_met="missed"),
               Rating(2, "Q1", None, no_interaction=True)]
    return analyze(deps, cons, ratings, "Q1", ["Q1"])


def test_kpi_values_from_raw_ratings_with_n():
    values = kpi_values(_tiny(), {"IT": (0.5, 4)})
    it = values["IT"]
    assert it["nps"] == KpiValue(100 * (2 - 1) / 3, 3)
    assert it["csat"] == KpiValue(200 / 3, 3)
    assert it["standard_met"] == KpiValue(50.0, 3)
    assert it["mean_health"] == KpiValue((75.0 + 80.0) / 2, 2)  # contract means, not ratings
    assert it["followups_on_time"] == KpiValue(50.0, 4)
    assert it["response_rate"] == KpiValue(None, 0)  # IT rates nothing
    assert values["LOG"]["response_rate"] == KpiValue(100.0, 1)
    assert "EXT" not in values


@pytest.mark.parametrize("value, n, expected", [(75.0, 5, MET), (74.9, 5, MISSED), (90.0, 4, SMALL_SAMPLE_VERDICT),
                                                (None, 0, NO_DATA), (-10.0, 9, MISSED)])
def test_verdict(value, n, expected):
    assert verdict(value, n, 75.0 if value is None or value > 0 else 0.0, 5) == expected


def test_department_scorecard_change_and_override():
    now = {"nps": KpiValue(30.0, 10), "csat": KpiValue(50.0, 10)}
    before = {"nps": KpiValue(40.0, 8), "csat": KpiValue(None, 0)}
    card = department_scorecard("IT", "IT", now, before, {**TARGETS, "nps": 35.0}, 5)
    assert card.lines["nps"].change == -10.0 and card.lines["nps"].verdict == MISSED
    assert card.lines["nps"].target == 35.0
    assert card.lines["csat"].change is None and card.lines["csat"].verdict == MISSED
    assert card.lines["mean_health"].verdict == NO_DATA
    assert (card.met, card.missed) == (0, 2)


def test_company_scorecard_uses_overrides_and_sorts_with_missing_last():
    values = {"A": {"nps": KpiValue(10.0, 9)}, "B": {"nps": KpiValue(50.0, 9)}, "C": {}}
    cards = company_scorecard({"A": "Alpha"}, values, None, TARGETS, {"A": {"nps": 5.0}}, 5)
    assert [c.code for c in cards] == ["A", "B", "C"]
    assert cards[0].name == "Alpha" and cards[0].lines["nps"].verdict == MET
    assert cards[1].lines["nps"].verdict == MET
    assert [c.code for c in sort_scorecards(cards, "-nps")] == ["B", "A", "C"]
    assert [c.code for c in sort_scorecards(cards, "nps")] == ["A", "B", "C"]
    assert [c.code for c in sort_scorecards(cards, "-code")] == ["C", "B", "A"]
    with pytest.raises(ValueError, match="bogus"):
        sort_scorecards(cards, "bogus")


# --- service --------------------------------------------------------------------------------------------------

def test_department_targets_are_audited_and_saving_twice_changes_nothing(scored):
    it, coo = scored.departments["IT"], scored.users["coo"]
    changes = kpi_service.set_department_targets(it, {"nps": -30.0, "csat": None}, actor_id=coo.id)
    assert changes == {"nps": [None, -30.0]}
    assert kpi_service.set_department_targets(it, {"nps": -30.0}, actor_id=coo.id) == {}
    rows = db.session.scalars(select(AuditLog).where(AuditLog.entity == "kpi_target")).all()
    assert len(rows) == 1 and rows[0].user_id == coo.id and json.loads(rows[0].changes) == {"nps": [None, -30.0]}
    assert db.session.scalar(select(db.func.count()).select_from(KpiTarget)) == 1
    kpi_service.set_department_targets(it, {"nps": None}, actor_id=coo.id)
    assert kpi_service.current_targets().overrides == {}


@pytest.mark.parametrize("values, field", [({"nps": -101.0}, "nps"), ({"csat": 100.5}, "csat"),
                                           ({"mean_health": -1.0}, "mean_health")])
def test_targets_out_of_range_are_refused_naming_the_field(scored, values, field):
    with pytest.raises(kpi_service.KpiTargetError) as err:
        kpi_service.set_department_targets(scored.departments["IT"], values)
    assert field in err.value.errors
    with pytest.raises(kpi_service.KpiTargetError):
        kpi_service.set_organization_targets({**TARGETS, **values})


def test_closed_period_keeps_the_targets_it_closed_with(scored):
    period_service.close_period(scored.period)
    kpi_service.set_organization_targets({**TARGETS, "nps": 50.0})
    kpi_service.set_department_targets(scored.departments["IT"], {"csat": 10.0})
    kept = kpi_service.targets_for(scored.period)
    assert kept.defaults["nps"] == 20.0 and kept.overrides == {}
    assert scorecard_service.company_scorecard(scored.period).card("IT").lines["csat"].target == 70.0
    period_service.reopen_period(scored.period, "late ratings")
    assert scored.period.kpi_targets is None
    assert kpi_service.targets_for(scored.period).defaults["nps"] == 50.0


def test_company_scorecard_tells_the_dashboards_figures(scored):
    board = scorecard_service.company_scorecard("2026-Q3")
    it = board.card("IT")
    assert board.previous.label == "2026-Q2"
    assert (it.lines["nps"].value, it.lines["nps"].n, it.lines["nps"].verdict) == (-25.0, 4, SMALL_SAMPLE_VERDICT)
    assert it.lines["csat"].value == 25.0
    assert it.lines["standard_met"].value == pytest.approx(100 * 2.5 / 4)
    assert it.lines["mean_health"].value == pytest.approx((70 + 85 + 55 + 40) / 4)
    assert it.lines["mean_health"].change == pytest.approx(62.5 - (85 + 30) / 2)
    pa = board.analysis
    assert it.lines["csat"].value == pa.departments["IT"].csat
    assert board.card("MKT").lines["response_rate"].value == 100.0


def test_followups_acknowledged_on_time_counts_only_the_period(scored):
    """Acknowledged on time per supplier, from services.followups.due_status (the one rule), this period only."""
    from datetime import date, datetime

    from tracker.models import FollowUp
    db.session.add_all([
        FollowUp(contract_id=scored.contracts[("IT", "SALES")].id, period_id=scored.period.id, title="a",
                 status="acknowledged", ack_due=date(2026, 10, 10), acknowledged_at=datetime(2026, 10, 9)),
        FollowUp(contract_id=scored.contracts[("IT", "WH")].id, period_id=scored.period.id, title="b",
                 status="open", ack_due=date(2026, 10, 1)),
        FollowUp(contract_id=scored.contracts[("IT", "SALES")].id, period_id=scored.q2.id, title="c",
                 status="open", ack_due=date(2026, 7, 1)),
    ])
    db.session.commit()
    assert scorecard_service.followups_acknowledged_on_time(scored.period, date(2026, 11, 1)) == {"IT": (0.5, 2)}


# --- pages and exports ----------------------------------------------------------------------------------------

def test_coo_edits_a_target_and_the_verdict_changes(client, auth, scored):
    auth.login("coo@test.local")
    page = client.get("/scorecard/departments/LOG?period=2026-Q3").get_data(as_text=True)
    assert "Mean health of its agreements" in page
    db.session.add(Setting(key="small_sample", value="3"))  # IT's CSAT rests on 4 ratings
    db.session.commit()
    assert scorecard_service.company_scorecard("2026-Q3").card("IT").lines["csat"].verdict == MISSED
    response = client.post("/scorecard/targets/IT?period=2026-Q3",
                           data={"nps": "", "csat": "20", "standard_met": "", "response_rate": "",
                                 "followups_on_time": "", "mean_health": ""})
    assert response.status_code == 302 and "/scorecard/departments/IT" in response.headers["Location"]
    card = scorecard_service.company_scorecard("2026-Q3").card("IT")
    assert (card.lines["csat"].target, card.lines["csat"].verdict) == (20.0, MET)
    html = client.get("/scorecard/departments/IT?period=2026-Q3").get_data(as_text=True)
    assert 'data-metric="csat"' in html


def test_bad_target_keeps_the_input_and_names_the_field(client, auth, scored):
    auth.login("admin@test.local")
    response = client.post("/scorecard/targets/IT", data={"nps": "-300", "csat": "abc"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="-300"' in html and "invalid-feedback" in html
    assert db.session.scalar(select(db.func.count()).select_from(KpiTarget)) == 0


def test_company_scorecard_sorts_on_the_server(client, auth, scored):
    db.session.add(Setting(key="small_sample", value="1"))
    db.session.commit()
    auth.login("coo@test.local")
    html = client.get("/scorecard/?period=2026-Q3&sort=-mean_health").get_data(as_text=True)
    order = [code for code in ("LOG", "SALES", "IT", "WH") if f'data-code="{code}"' in html]
    positions = [html.index(f'data-code="{code}"') for code in order]
    assert len(order) == 4 and positions == sorted(positions)  # 90 > 75 > 62.5 > 45
    assert "✓" in html and "✗" in html  # met/missed not by colour alone


def test_scorecard_csv_and_xlsx_are_excel_safe(client, auth, scored):
    scored.departments["IT"].name = "=HYPERLINK(\"x\")"
    db.session.commit()
    auth.login("coo@test.local")
    response = client.get("/scorecard/export.csv?period=2026-Q3")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    it = next(r for r in rows if r[1] == "IT")
    assert it[2].startswith("'=")
    header = rows[0]
    assert it[header.index("nps")] == "-25" and it[header.index("nps_verdict")] == "small_sample"
    book = load_workbook(io.BytesIO(client.get("/scorecard/export.xlsx?period=2026-Q3").data))
    sheet = book.active
    values = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["IT"][2] == "=HYPERLINK(\"x\")" and sheet.cell(row=2, column=3).data_type == "s"
    assert values["IT"][header.index("csat")] == 25.0


def test_head_sees_only_own_department_scorecard(client, auth, scored):
    auth.login("head.it@test.local")
    assert client.get("/scorecard/departments/IT").status_code == 200
    assert client.get("/scorecard/departments/WH").status_code == 403
    assert client.get("/scorecard/").status_code == 403
    assert client.get("/scorecard/export.xlsx").status_code == 403


# --- trends, heatmap, compare ---------------------------------------------------------------------------------

def test_compare_lists_better_worse_appeared_fixed_and_movers(client, auth, scored):
    from tracker.analysis.compare import compare_periods
    from tracker.services import analysis as analysis_service

    result = compare_periods(analysis_service.period_analysis("2026-Q2"), analysis_service.period_analysis("2026-Q3"))
    assert [(c.contract.supplier, c.contract.customer, c.change) for c in result.worse] == [("WH", "LOG", -35.0)]
    assert [(c.contract.supplier, c.contract.customer, c.change) for c in result.better] == [("IT", "SALES", 25.0)]
    assert ("WH", "LOG") in [(w.contract.supplier, w.contract.customer) for w in result.appeared]
    assert result.fixed == []
    auth.login("coo@test.local")
    html = client.get("/scorecard/compare?a=2026-Q2&b=2026-Q3").get_data(as_text=True)
    assert "WH → LOG" in html and "−35" in html or "-35" in html
    assert client.get("/scorecard/compare?a=1999-Q1&b=2026-Q3").status_code == 404


def test_company_trend_points_agree_with_the_dashboard(scored):
    points = scorecard_service.company_trend()
    assert [p.period for p in points] == ["2026-Q2", "2026-Q3"]
    from tracker.services import analysis as analysis_service
    pa = analysis_service.period_analysis("2026-Q3")
    q3 = points[-1]
    assert q3.weak == len(pa.weak_links) and q3.critical == 1  # WH→LOG
    assert (q3.nps, q3.nps_responses) == (-25.0, 4)


def test_charts_are_svg_with_cyrillic_and_links(client, auth, scored):
    auth.login("coo@test.local")
    client.get("/locale/ru")
    for url in ("/scorecard/trend.svg?period=2026-Q3", "/scorecard/heatmap.svg?period=2026-Q3",
                "/dashboard/departments/IT/history.svg?period=2026-Q3"):
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "image/svg+xml", url
    heat = client.get("/scorecard/heatmap.svg?period=2026-Q3").get_data(as_text=True)
    wh_log = scored.contracts[("WH", "LOG")].id
    assert f"/dashboard/contracts/{wh_log}?period=2026-Q3" in heat
    for url in ("/scorecard/trends", "/scorecard/heatmap", "/scorecard/"):
        assert client.get(url).status_code == 200, url


def test_compare_graph_json_colours_each_link_by_its_change(client, auth, scored):
    """WH→LOG fell from 80 to 45 (a new weak link), IT→SALES rose from 30 to 55; the graph says so
    with the same figures as the compare tables, and marks the biggest chain-strength movers."""
    auth.login("coo@test.local")
    response = client.get("/scorecard/compare/graph.json?a=2026-Q2&b=2026-Q3")
    assert response.status_code == 200
    view = response.get_json()
    edges = {(e["source"], e["target"]): e for e in view["edges"]}
    wh_log = edges[("WH", "LOG")]
    assert (wh_log["change_kind"], wh_log["change"], wh_log["before"], wh_log["change_band"]) == \
        ("new_weak", -35.0, 80.0, "bad")
    it_sales = edges[("IT", "SALES")]
    assert (it_sales["change_kind"], it_sales["change"], it_sales["change_band"]) == ("better", 25.0, "good")
    assert view["compare"] == {"before": "2026-Q2", "after": "2026-Q3", "counts": view["compare"]["counts"]}
    assert view["compare"]["counts"]["new_weak"] >= 1
    from tracker.analysis.compare import compare_periods
    from tracker.services import analysis as analysis_service
    result = compare_periods(analysis_service.period_analysis("2026-Q2"), analysis_service.period_analysis("2026-Q3"))
    moved = {n["id"] for n in view["nodes"] if n["moved"]}
    assert moved and moved <= {d.code for d in result.departments if d.change}
    assert client.get("/scorecard/compare/graph.json?a=1999-Q1&b=2026-Q3").status_code == 404
    page = client.get("/scorecard/compare/graph?a=2026-Q2&b=2026-Q3")
    assert page.status_code == 200 and b"compare/graph.json?a=2026-Q2&amp;b=2026-Q3" in page.data
    assert b"/scorecard/compare/graph?a=2026-Q2&amp;b=2026-Q3" in client.get("/scorecard/compare?a=2026-Q2&b=2026-Q3").data
    auth.logout()
    auth.login("head.it@test.local")
    assert client.get("/scorecard/compare/graph.json?a=2026-Q2&b=2026-Q3").status_code == 403
