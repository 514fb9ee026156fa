"""Error answers keep the headers of their error: a 405 says which methods are allowed (issue 17)."""
from __future__ import annotations


def test_405_page_carries_allow(client, org):
    response = client.get("/logout")
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"POST"}
    assert "GET" not in response.headers["Allow"].split(", ")
    assert response.content_type.startswith("text/html")


def test_405_json_carries_allow(client, org):
    response = client.post("/api/v1/periods")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"] and "POST" not in response.headers["Allow"]
    assert response.get_json()["error"]["code"] == 405


def test_401_api_keeps_its_challenge(client, org):
    response = client.get("/api/v1/")
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
