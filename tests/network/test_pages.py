"""The informal network pages: upload → preview → import (once), the comparison tables, overlay, exports."""
from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import AuditLog, NetworkSurvey, Setting

PEOPLE = "person;unit\nhr1;hr\ns1;SALES\ns2;SALES\ns3;SALES\nw1;WH\nl1;LOG\ni1;IT\n"
TIES = "asker;advisor\ns1;hr1\ns2;hr1\ns3;hr1\nl1;w1\nw1;i1\n"


def _login(client, email="coo@test.local"):
    assert client.post("/login", data={"email": email, "password": "pw"}).status_code == 302


def _upload(client, ties=TIES, people=PEOPLE, ties_name="ties.csv"):
    return client.post("/network/preview", data={
        "edges": (io.BytesIO(ties.encode()), ties_name), "people": (io.BytesIO(people.encode()), "people.csv"),
        "department_column": "unit"}, content_type="multipart/form-data")


def _hidden(html: str) -> dict:
    import re

    return dict(re.findall(r'<input id="(\w+)" name="\w+" type="hidden" value="([^"]*)"', html))


def _surveys() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(NetworkSurvey))


def test_preview_shows_what_it_read_and_import_stores_one_survey(app, client, org):
    _login(client)
    page = _upload(client)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<strong>7</strong> people" in html and "<strong>5</strong> ties" in html
    # the survey's own codes; "hr" meets the organization's HR when compared
    assert "<td>hr</td><td>SALES</td><td class=\"text-end\">3</td>" in html
    assert "does not have" not in html
    assert _surveys() == 0  # a preview writes nothing
    fields = _hidden(html)
    assert fields["edges_name"] == "ties.csv"
    first = client.post("/network/import", data=fields)
    again = client.post("/network/import", data=fields)  # a double click
    assert first.status_code == again.status_code == 302
    assert _surveys() == 1
    survey = db.session.scalar(select(NetworkSurvey))
    assert (survey.people, survey.ties, survey.user_id) == (7, 5, org.users["coo"].id)
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.entity == "network_survey")) == 1

    index = client.get("/network/").get_data(as_text=True)
    assert 'id="shadow-table"' in index and 'id="dormant-table"' in index and 'id="reliance-table"' in index
    overlay = client.get("/network/overlay.json").get_json()
    assert overlay["shadow"] == [{"supplier": "HR", "customer": "SALES", "volume": 3}]
    dormant = {org.contracts[k].id for k in (("IT", "LOG"), ("HR", "IT"), ("IT", "SALES"))}
    assert set(overlay["dormant"]) == dormant
    assert overlay["survey"]["ties"] == 5 and overlay["unmatched"] == []
    assert client.get("/network/overlay.json?threshold=4").get_json()["shadow"] == []

    svg = client.get("/network/graph.svg").get_data(as_text=True)
    assert svg.count('class="informal-shadow"') == 2  # arrow and head
    assert "Shadow service: HR → SALES, 3 informal ties" in svg
    assert svg.count('class="informal-dormant"') == 2 * len(dormant)

    csv = client.get("/network/export.csv?table=shadow").data.decode("utf-8-sig")
    assert csv.splitlines()[1].startswith("HR,") and csv.splitlines()[1].endswith(",3")
    dormant_csv = client.get("/network/export.csv?table=dormant").data.decode("utf-8-sig")
    assert len(dormant_csv.splitlines()) == 1 + len(dormant)
    assert client.get("/network/export.csv?table=nope").status_code == 404
    xlsx = client.get("/network/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.data.startswith(b"PK")


def test_bad_rows_are_named_and_nothing_can_be_imported(app, client, org):
    _login(client)
    html = _upload(client, ties="asker;advisor;weight\ns1;hr1;1\ns2;zz;1\ns3;hr1;often\n",
                   people="person;unit\nhr1;HR\ns1;\ns2;SALES\ns3;SALES\n").get_data(as_text=True)
    assert "<td>people.csv</td><td>3</td><td>person &#39;s1&#39; is in no department (unit is blank)</td>" in html
    assert "<td>ties.csv</td><td>3</td><td>advisor &#39;zz&#39;: unknown person code" in html
    assert "<td>ties.csv</td><td>4</td><td>weight &#39;often&#39;: not a number</td>" in html
    assert "Import this survey" not in html
    assert _surveys() == 0


def test_a_file_of_the_wrong_kind_is_refused_beside_the_field(app, client, org):
    _login(client)
    response = _upload(client, ties_name="ties.exe")
    assert response.status_code == 400
    assert "only .csv, .txt, .net, .paj, .graphml files can be imported" in response.get_data(as_text=True)
    assert 'value="unit"' in response.get_data(as_text=True)  # the typed input is kept
    assert _surveys() == 0


def test_a_forged_or_expired_preview_imports_nothing(app, client, org):
    _login(client)
    for name in ("../../etc/passwd", "0" * 32 + ".csv"):
        response = client.post("/network/import", data={"edges_stored": name, "people_stored": "",
                                                         "edges_name": "x.csv"})
        assert response.status_code == 302
    assert _surveys() == 0


def test_the_admin_sets_the_threshold(app, client, org):
    _login(client, "admin@test.local")
    assert client.post("/network/threshold", data={"t-threshold": "0"}).status_code == 400
    assert client.post("/network/threshold", data={"t-threshold": "5"}).status_code == 302
    assert db.session.get(Setting, "shadow_threshold").value == "5"
    assert db.session.scalar(select(AuditLog).where(AuditLog.entity == "setting").order_by(
        AuditLog.id.desc())).changes == '{"shadow_threshold": ["3", "5"]}'
    page = client.get("/network/").get_data(as_text=True)
    assert re.search(r'<input [^>]*id="t-threshold"[^>]*value="5"', page)
    assert client.get("/network/overlay.json").get_json()["threshold"] == 5


def test_codes_the_organization_lacks_are_named_in_the_preview_and_on_the_page(app, client, org):
    _login(client)
    html = _upload(client, people=PEOPLE.replace("l1;LOG", "l1;LOGISTICS")).get_data(as_text=True)
    assert "Department codes the organization does not have (stored, but left out of the comparison): LOGISTICS" \
        in html
    client.post("/network/import", data=_hidden(html))
    page = client.get("/network/").get_data(as_text=True)
    assert "(left out of the comparison): LOGISTICS" in page
    assert client.get("/network/overlay.json").get_json()["unmatched"] == ["LOGISTICS"]
