"""Numbers too big for the database in URLs and query strings are the user's error, never a 500."""
from __future__ import annotations

import pytest

HUGE = "99999999999999999999"


@pytest.mark.parametrize(("email", "url"), [
    ("coo@test.local", f"/dashboard/contracts/{HUGE}"),
    ("coo@test.local", f"/dashboard/contracts/{HUGE}/history.svg"),
    ("admin@test.local", f"/admin/departments/{HUGE}/edit"),
    ("admin@test.local", f"/admin/contracts/{HUGE}/edit"),
    ("admin@test.local", f"/admin/users/{HUGE}/edit"),
    ("admin@test.local", f"/admin/settings/criteria/{HUGE}/edit"),
    ("coo@test.local", f"/follow-ups/{HUGE}"),
    ("hr@test.local", f"/rotations/{HUGE}/edit"),
    ("head.it@test.local", f"/rate/{HUGE}"),
    ("head.it@test.local", f"/rate/{HUGE}/respondents"),
])
def test_huge_id_in_a_path_is_not_found(client, auth, org, email, url):
    auth.login(email)
    assert client.get(url).status_code == 404


def test_huge_id_in_a_post_path_is_not_found(client, auth, org):
    auth.login("admin@test.local")
    assert client.post(f"/admin/departments/{HUGE}/archive").status_code == 404


def test_huge_page_in_the_api_is_a_bad_request_in_json(client, auth, org):
    auth.login("coo@test.local")
    response = client.get(f"/api/v1/ratings?page={HUGE}")
    assert response.status_code == 400
    assert response.json["error"]["code"] == 400
    assert "page" in response.json["error"]["message"]
    assert client.get("/api/v1/ratings?page=1000000001").status_code == 400
    assert client.get("/api/v1/ratings?page=1000000000").status_code == 200


def test_huge_number_in_an_audit_filter_is_a_bad_request(client, auth, org):
    auth.login("admin@test.local")
    assert client.get(f"/audit/?user={HUGE}").status_code == 400
    assert client.get(f"/audit/?entity_id={HUGE}").status_code == 400


def test_last_day_of_the_calendar_is_refused_as_a_filter(client, auth, org):
    auth.login("admin@test.local")
    response = client.get("/audit/?until=9999-12-31")
    assert response.status_code == 200
    assert "too far in the future" in response.get_data(as_text=True)
    assert client.get("/audit/?since=9999-12-31").status_code == 200
    assert client.get("/audit/?until=9998-12-31").status_code == 200
