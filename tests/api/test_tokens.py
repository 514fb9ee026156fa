"""Personal API tokens: bearer login, revocation, shown once, stored hashed; 401 JSON for anonymous calls."""
from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import text

from tracker.extensions import db
from tracker.models import ApiToken, User
from tracker.models.base import utcnow
from tracker.services import tokens as token_service

from .conftest import bearer

API_PATHS = ["/api/v1/", "/api/v1/openapi.json", "/api/v1/departments", "/api/v1/contracts", "/api/v1/periods",
             "/api/v1/ratings", "/api/v1/analysis/2026-Q3", "/api/v1/analysis/2026-Q3/graph.graphml",
             "/api/v1/analysis/2026-Q3/graph.gexf"]
TOKEN_RE = re.compile(r"trk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")


@pytest.mark.parametrize("path", API_PATHS)
def test_anonymous_gets_401_json_not_a_redirect(client, org, path):
    response = client.get(path)
    assert response.status_code == 401
    assert "Location" not in response.headers
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["error"]["code"] == 401


def test_bearer_token_authenticates_and_records_use(client, org, token_for):
    plain = token_for("head.it@test.local")
    response = client.get("/api/v1/", headers=bearer(plain))
    assert response.status_code == 200
    assert response.get_json()["user"] == {"email": "head.it@test.local", "role": "head"}
    token = db.session.scalar(db.select(ApiToken))
    db.session.refresh(token)
    assert token.last_used_at is not None
    # No session cookie is handed out for a token request.
    assert "session=" not in response.headers.get("Set-Cookie", "")


def test_session_login_also_works(client, auth, org):
    auth.login("coo@test.local")
    assert client.get("/api/v1/").get_json()["user"]["role"] == "coo"


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # wrong secret
    lambda t: "trk_000000000000_" + t.split("_", 2)[2],  # unknown key
    lambda t: t.replace("trk_", "xyz_", 1),  # wrong prefix
    lambda t: "trk_",  # malformed
    lambda t: "",
])
def test_wrong_tokens_get_401(client, org, token_for, mangle):
    plain = token_for("coo@test.local")
    assert client.get("/api/v1/", headers=bearer(mangle(plain))).status_code == 401


def test_other_schemes_are_not_tokens(client, org, token_for):
    plain = token_for("coo@test.local")
    assert client.get("/api/v1/", headers={"Authorization": f"Basic {plain}"}).status_code == 401


def test_revoked_token_gets_401(client, auth, org, token_for):
    plain = token_for("coo@test.local")
    assert client.get("/api/v1/", headers=bearer(plain)).status_code == 200
    token = db.session.scalar(db.select(ApiToken))
    auth.login("coo@test.local")
    response = client.post(f"/profile/tokens/{token.id}/revoke")
    assert response.status_code == 302
    auth.logout()
    assert client.get("/api/v1/", headers=bearer(plain)).status_code == 401
    db.session.refresh(token)
    assert token.revoked_at is not None


def test_archived_users_token_gets_401(client, org, token_for):
    plain = token_for("head.it@test.local")
    user = db.session.scalar(db.select(User).filter_by(email="head.it@test.local"))
    user.archived_at = utcnow()
    db.session.commit()
    assert client.get("/api/v1/", headers=bearer(plain)).status_code == 401


def test_token_does_not_open_html_pages(client, org, token_for):
    plain = token_for("admin@test.local")
    response = client.get("/admin/", headers=bearer(plain))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_token_is_shown_once_and_stored_hashed(client, auth, org):
    auth.login("head.it@test.local")
    response = client.post("/profile/tokens", data={"name": "nightly export"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    shown = TOKEN_RE.findall(response.get_data(as_text=True))
    assert len(shown) == 1
    plain = shown[0]
    _prefix, key, secret = plain.split("_", 2)

    token = db.session.scalar(db.select(ApiToken))
    assert token.name == "nightly export"
    assert token.key == key
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    # Nothing in the database holds the secret: not the token row, not the audit log.
    for table in ("api_tokens", "audit_log"):
        for row in db.session.execute(text(f"SELECT * FROM {table}")):
            assert not any(secret in str(value) for value in row)

    again = client.get("/profile/tokens").get_data(as_text=True)
    assert "nightly export" in again
    assert f"trk_{key}_" in again
    assert secret not in again
    assert client.get("/api/v1/", headers=bearer(plain)).status_code == 200


def test_token_name_is_required_and_kept_on_error(client, auth, org):
    auth.login("head.it@test.local")
    response = client.post("/profile/tokens", data={"name": ""})
    assert response.status_code == 400
    assert "is-invalid" in response.get_data(as_text=True)
    too_long = "x" * 101
    response = client.post("/profile/tokens", data={"name": too_long})
    assert response.status_code == 400
    assert too_long in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(ApiToken)) == 0


def test_user_cannot_revoke_someone_elses_token(client, auth, org, token_for):
    token_for("coo@test.local")
    token = db.session.scalar(db.select(ApiToken))
    auth.login("head.it@test.local")
    assert client.post(f"/profile/tokens/{token.id}/revoke").status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None


def test_profile_page_needs_login(client, org):
    response = client.get("/profile/tokens")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_service_refuses_blank_names_and_revokes_idempotently(org):
    user = org.users["coo"]
    with pytest.raises(token_service.TokenError):
        token_service.create_token(user.id, "   ")
    token, _plain = token_service.create_token(user.id, "a")
    first = token_service.revoke_token(user.id, token.id).revoked_at
    assert token_service.revoke_token(user.id, token.id).revoked_at == first
    with pytest.raises(LookupError):
        token_service.revoke_token(org.users["hr"].id, token.id)


def test_each_request_is_its_own_tokens_user(client, org, token_for):
    head, coo = token_for("head.it@test.local"), token_for("coo@test.local")
    assert client.get("/api/v1/", headers=bearer(head)).get_json()["user"]["role"] == "head"
    assert client.get("/api/v1/", headers=bearer(coo)).get_json()["user"]["role"] == "coo"
    assert client.get("/api/v1/").status_code == 401
