"""A head chooses which colleagues rate an agreement; every change is audited."""
from __future__ import annotations

import json

from sqlalchemy import select

from tests import factories
from tracker.extensions import db
from tracker.models import AuditLog, ContractRespondent


def respondent_ids(contract) -> set[int]:
    return set(db.session.scalars(select(ContractRespondent.user_id).filter_by(contract_id=contract.id)))


def test_head_adds_and_removes_a_colleague(client, auth, org):
    con = org.contracts["HR", "IT"]
    member = org.users["member"]
    auth.login("head.it@test.local")
    html = client.get(f"/rate/{con.id}/respondents").get_data(as_text=True)
    assert "member.it@test.local" in html and "head.wh@test.local" not in html

    response = client.post(f"/rate/{con.id}/respondents", data={"user_id": str(member.id)})
    assert response.status_code == 302
    assert respondent_ids(con) == {member.id}
    row = db.session.scalar(select(AuditLog).where(AuditLog.entity == "contract"))
    assert row.entity_id == con.id and json.loads(row.changes) == {"respondents": [[], ["member.it@test.local"]]}

    response = client.post(f"/rate/{con.id}/respondents/{member.id}/remove")
    assert response.status_code == 302
    assert respondent_ids(con) == set()
    assert db.session.scalar(select(db.func.count()).select_from(AuditLog).where(AuditLog.entity == "contract")) == 2


def test_only_colleagues_of_the_customer_department_can_be_added(client, auth, org):
    con = org.contracts["HR", "IT"]
    stranger = org.heads["WH"]
    auth.login("head.it@test.local")
    response = client.post(f"/rate/{con.id}/respondents", data={"user_id": str(stranger.id)})
    assert response.status_code == 200  # not among the choices: the form refuses it
    assert respondent_ids(con) == set()


def test_respondents_page_is_for_the_customer_head(client, auth, org):
    con = org.contracts["HR", "IT"]
    auth.login("head.hr@test.local")  # the supplier's head
    assert client.get(f"/rate/{con.id}/respondents").status_code == 403
    assert client.post(f"/rate/{con.id}/respondents/{org.users['member'].id}/remove").status_code == 403


def test_added_colleague_can_rate_and_removed_one_cannot(client, auth, org):
    con = org.contracts["HR", "IT"]
    member = org.users["member"]
    colleague = factories.user("second.it@test.local", "member", org.departments["IT"])
    db.session.commit()
    auth.login("head.it@test.local")
    client.post(f"/rate/{con.id}/respondents", data={"user_id": str(colleague.id)})
    auth.logout()
    auth.login("second.it@test.local")
    assert client.get(f"/rate/{con.id}").status_code == 200
    auth.logout()
    auth.login("member.it@test.local")
    assert client.get(f"/rate/{con.id}").status_code == 403
    assert member.id not in respondent_ids(con)
