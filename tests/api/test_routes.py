"""The JSON lists and the analysis: role filtering, comments, pagination, filters, the worked example."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event

from tests import factories
from tracker.extensions import db
from tracker.models import ContractRespondent, Rating, Setting

from .conftest import bearer

INTERNAL = ("FIN", "HR", "IT", "LOG", "MKT", "PROC", "SALES", "WH")


def get(client, token, path):
    response = client.get(path, headers=bearer(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def links(items):
    return {(item["supplier"], item["customer"]) for item in items}


def test_head_of_it_sees_only_it_related_ratings(client, rated_org, token_for):
    data = get(client, token_for("head.it@test.local"), "/api/v1/ratings")
    assert links(data["items"]) == {("IT", "WH"), ("IT", "LOG"), ("HR", "IT"), ("IT", "SALES"), ("IT", "MKT")}
    assert data["total"] == 5


def test_coo_sees_every_rating(client, rated_org, token_for):
    data = get(client, token_for("coo@test.local"), "/api/v1/ratings")
    assert data["total"] == 10
    assert links(data["items"]) == {(s, c) for s, c, h, _ in factories.WORKED_EXAMPLE if h is not None}


def test_head_sees_own_contracts_and_counterparties(client, rated_org, token_for):
    token = token_for("head.hr@test.local")
    contracts = get(client, token, "/api/v1/contracts")["items"]
    assert links(contracts) == {("HR", "IT"), ("FIN", "HR"), ("HR", "FIN")}
    departments = get(client, token, "/api/v1/departments")["items"]
    assert [d["code"] for d in departments] == ["FIN", "HR", "IT"]
    assert get(client, token, "/api/v1/periods")["items"] == [
        {"label": "2026-Q3", "start_date": "2026-07-01", "end_date": "2026-09-30", "status": "open"}
    ]


def test_member_sees_no_ratings_of_colleagues(client, rated_org, token_for):
    # Every rating of the department was given by its head: a member reads none of those scores.
    data = get(client, token_for("member.it@test.local"), "/api/v1/ratings")
    assert data["items"] == [] and data["total"] == 0


def test_member_sees_only_ratings_they_gave_and_contracts_they_were_added_to(client, rated_org, token_for):
    member = rated_org.users["member"]
    token = token_for("member.it@test.local")
    assert get(client, token, "/api/v1/contracts")["items"] == []
    db.session.add(ContractRespondent(contract_id=rated_org.contracts["HR", "IT"].id, user_id=member.id))
    db.session.commit()
    contracts = get(client, token, "/api/v1/contracts")
    assert links(contracts["items"]) == {("HR", "IT")} and contracts["total"] == 1
    # Added to the contract, but the head gave its rating: still not the member's to read.
    assert get(client, token, "/api/v1/ratings")["total"] == 0
    given = db.session.scalar(db.select(Rating).filter_by(contract_id=rated_org.contracts["HR", "IT"].id))
    given.respondent_id = member.id
    db.session.commit()
    ratings = get(client, token, "/api/v1/ratings")
    assert links(ratings["items"]) == {("HR", "IT")} and ratings["total"] == 1


def test_member_sees_comment_of_own_rating(client, rated_org, token_for):
    rating = db.session.scalar(db.select(Rating).filter_by(contract_id=rated_org.contracts["HR", "IT"].id))
    rating.respondent_id = rated_org.users["member"].id
    rating.comment = "mine"
    db.session.commit()
    items = get(client, token_for("member.it@test.local"), "/api/v1/ratings?supplier=HR")["items"]
    assert [item["comment"] for item in items] == ["mine"]


def test_heads_of_supplier_and_customer_read_comments(client, rated_org, token_for):
    for email in ("head.it@test.local", "head.sales@test.local"):
        items = get(client, token_for(email), "/api/v1/ratings?supplier=IT&customer=SALES")["items"]
        assert [item["comment"] for item in items] == ["comment on IT->SALES"]


def test_hr_reads_comments_only_when_the_setting_allows(client, rated_org, token_for):
    token = token_for("hr@test.local")
    items = get(client, token, "/api/v1/ratings")["items"]
    assert len(items) == 10 and all("comment" not in item for item in items)
    db.session.add(Setting(key="hr_sees_comments", value="yes"))
    db.session.commit()
    items = get(client, token, "/api/v1/ratings?supplier=PROC")["items"]
    assert [item["comment"] for item in items] == ["comment on PROC->WH"]


def test_coo_reads_comments(client, rated_org, token_for):
    items = get(client, token_for("coo@test.local"), "/api/v1/ratings?customer=WH")["items"]
    assert {(i["supplier"], i["comment"]) for i in items} == {("PROC", "comment on PROC->WH"), ("IT", None)}


def test_rating_item_carries_scores_and_answers(client, rated_org, token_for):
    from tracker.services.ratings import RatingInput, save_rating

    save_rating(rated_org.contracts["IT", "LOG"], rated_org.period,
                RatingInput(scores={"quality": 5, "timeliness": 3, "communication": 4, "value": None},
                            recommend=9, standard_met="partly"),
                respondent_key="colleague@test.local")
    db.session.commit()
    items = get(client, token_for("coo@test.local"), "/api/v1/ratings?supplier=IT&customer=LOG")["items"]
    answered = [i for i in items if i["scores"]]
    assert answered == [{
        "id": answered[0]["id"], "period": "2026-Q3", "contract": rated_org.contracts["IT", "LOG"].id,
        "supplier": "IT", "customer": "LOG", "service": "IT service for LOG", "health": 75.0,
        "scores": {"quality": 5, "timeliness": 3, "communication": 4}, "recommend": 9,
        "standard_met": "partly", "no_interaction": False, "comment": None,
    }]


def test_pagination(client, rated_org, token_for):
    token = token_for("coo@test.local")
    everything = get(client, token, "/api/v1/ratings?per_page=500")
    assert everything["per_page"] == 500 and everything["total"] == 10
    pages = [get(client, token, f"/api/v1/ratings?per_page=4&page={n}") for n in (1, 2, 3, 4)]
    assert [len(p["items"]) for p in pages] == [4, 4, 2, 0]
    assert all(p["total"] == 10 and p["per_page"] == 4 for p in pages)
    assert [i["id"] for p in pages for i in p["items"]] == [i["id"] for i in everything["items"]]
    assert get(client, token, "/api/v1/departments?per_page=9999")["per_page"] == 500
    default = get(client, token, "/api/v1/departments")
    assert (default["page"], default["per_page"], default["total"]) == (1, 50, 9)


@pytest.mark.parametrize("query", ["page=0", "page=x", "per_page=0", "per_page=-5", "per_page=1.5"])
def test_bad_paging_is_400_json(client, rated_org, token_for, query):
    response = client.get(f"/api/v1/contracts?{query}", headers=bearer(token_for("coo@test.local")))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == 400


def test_rating_filters(client, rated_org, token_for):
    q2 = factories.period("2026-Q2", date(2026, 4, 1), date(2026, 6, 30), "closed")
    db.session.add(Rating(contract=rated_org.contracts["IT", "WH"], period=q2, respondent_key="x", health=20.0))
    db.session.commit()
    token = token_for("coo@test.local")
    assert links(get(client, token, "/api/v1/ratings?supplier=IT")["items"]) == {
        ("IT", "WH"), ("IT", "LOG"), ("IT", "SALES"), ("IT", "MKT")}
    assert get(client, token, "/api/v1/ratings?supplier=IT")["total"] == 5
    assert links(get(client, token, "/api/v1/ratings?customer=LOG")["items"]) == {("WH", "LOG"), ("IT", "LOG")}
    q2_items = get(client, token, "/api/v1/ratings?period=2026-Q2")["items"]
    assert [(i["supplier"], i["customer"], i["health"]) for i in q2_items] == [("IT", "WH", 20.0)]
    both = get(client, token, "/api/v1/ratings?period=2026-Q3&supplier=IT&customer=WH")["items"]
    assert [(i["period"], i["health"]) for i in both] == [("2026-Q3", 70.0)]
    assert get(client, token, "/api/v1/ratings?supplier=NOPE")["total"] == 0
    # Q2 sorts before Q3.
    assert get(client, token, "/api/v1/ratings")["items"][0]["period"] == "2026-Q2"


def test_head_filter_cannot_widen_the_view(client, rated_org, token_for):
    data = get(client, token_for("head.it@test.local"), "/api/v1/ratings?supplier=WH&customer=LOG")
    assert data == {"items": [], "page": 1, "per_page": 50, "total": 0}


def test_list_queries_do_not_grow_with_rows(app, client, rated_org, token_for):
    token = token_for("coo@test.local")
    counts = []

    def count(*_args):
        counts[-1] += 1

    get(client, token, "/api/v1/ratings?per_page=1")  # warm-up: first-use lookups of the app
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for per_page in (1, 10, 1):
            counts.append(0)
            get(client, token, f"/api/v1/ratings?per_page={per_page}")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert counts[0] == counts[1] == counts[2], counts


def test_analysis_of_the_worked_example(client, rated_org, token_for):
    for sup, cus, answer in (("IT", "WH", 7), ("IT", "LOG", 9), ("IT", "SALES", 5), ("IT", "MKT", 2)):
        rating = db.session.scalar(db.select(Rating).filter_by(contract_id=rated_org.contracts[sup, cus].id))
        rating.recommend = answer
    db.session.commit()
    data = get(client, token_for("coo@test.local"), "/api/v1/analysis/2026-Q3")
    assert (data["period"], data["target"], data["floor"]) == ("2026-Q3", 75.0, 50.0)
    deps = {d["code"]: d for d in data["departments"]}
    assert [d["code"] for d in data["departments"]] == sorted(INTERNAL)
    assert {c: deps[c]["chain_strength"] for c in INTERNAL} == {
        "PROC": 45.0, "WH": 45.0, "LOG": 90.0, "IT": 85.0, "HR": 60.0, "SALES": 75.0, "FIN": 60.0, "MKT": None}
    assert deps["FIN"]["relies_on_unrated"] is True and deps["HR"]["relies_on_unrated"] is False
    assert deps["MKT"]["cut_off"] is True and data["cut_off"] == ["MKT"]
    assert {c: deps[c]["dominates"] for c in INTERNAL} == {
        "LOG": 2, "IT": 2, "WH": 1, "HR": 1, "PROC": 0, "SALES": 0, "FIN": 0, "MKT": 0}
    assert deps["IT"]["bottleneck"] == {"supplier": "IT", "customer": "LOG", "service": "IT service for LOG"}
    assert (deps["IT"]["nps"], deps["IT"]["nps_responses"], deps["IT"]["csat"]) == (-25.0, 4, 25.0)
    assert [(w["rank"], w["supplier"], w["customer"], w["risk"], w["severity"]) for w in data["weak_links"]] == [
        (1, "WH", "LOG", 450.0, "critical"), (2, "IT", "SALES", 120.0, "warning"),
        (3, "HR", "IT", 30.0, "warning"), (4, "IT", "WH", 30.0, "warning")]
    assert data["blind_spots"] == [{"supplier": "FIN", "customer": "HR", "service": "FIN service for HR", "reach": 2}]


def test_analysis_is_the_service_json(client, rated_org, token_for):
    from tracker.services.analysis import period_analysis

    data = get(client, token_for("hr@test.local"), "/api/v1/analysis/2026-Q3")
    assert data == period_analysis("2026-Q3").to_json()


@pytest.mark.parametrize("email", ["head.it@test.local", "member.it@test.local"])
@pytest.mark.parametrize("suffix", ["", "/graph.graphml", "/graph.gexf"])
def test_analysis_is_403_for_heads_and_members(client, rated_org, token_for, email, suffix):
    response = client.get(f"/api/v1/analysis/2026-Q3{suffix}", headers=bearer(token_for(email)))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == 403


@pytest.mark.parametrize("suffix", ["", "/graph.graphml", "/graph.gexf"])
def test_unknown_period_is_404_json(client, rated_org, token_for, suffix):
    response = client.get(f"/api/v1/analysis/1999-Q1{suffix}", headers=bearer(token_for("admin@test.local")))
    assert response.status_code == 404
    assert "2026-Q3" in response.get_json()["error"]["message"]
