"""A token ends with the password or the account it belongs to, and does not come back."""
from __future__ import annotations

from tracker.extensions import db
from tracker.models import ApiToken
from tracker.services import users as user_service

from .conftest import bearer

HEAD = "head.it@test.local"


def test_admin_password_reset_revokes_the_users_tokens(client, auth, org, token_for):
    plain = token_for(HEAD)
    assert client.get("/api/v1/", headers=bearer(plain)).status_code == 200
    auth.login()
    user = user_service.find_by_email(HEAD)
    assert client.post(f"/admin/users/{user.id}/password", data={"password": "another-pass-1"}).status_code == 302
    auth.logout()
    assert client.get("/api/v1/", headers=bearer(plain)).status_code == 401


def test_archive_revokes_tokens_and_restore_does_not_bring_them_back(client, auth, org, token_for):
    plain = token_for(HEAD)
    auth.login()
    user = user_service.find_by_email(HEAD)
    client.post(f"/admin/users/{user.id}/archive")
    client.post(f"/admin/users/{user.id}/restore")
    auth.logout()
    db.session.expire_all()
    assert user_service.find_by_email(HEAD).archived_at is None
    assert client.get("/api/v1/", headers=bearer(plain)).status_code == 401
    assert db.session.scalar(db.select(ApiToken)).revoked_at is not None


def test_user_changes_own_password_other_sessions_and_tokens_end(app, client, auth, org, token_for):
    plain = token_for(HEAD)
    other = app.test_client()
    other.post("/login", data={"email": HEAD, "password": "pw"})
    assert other.get("/rate/").status_code == 200
    auth.login(HEAD)
    page = client.get("/profile/password")
    assert page.status_code == 200 and b'name="current"' in page.data

    wrong = client.post("/profile/password", data={"current": "nope", "password": "brand-new-pw",
                                                   "confirm": "brand-new-pw"})
    assert wrong.status_code == 400 and b"current password is wrong" in wrong.data
    short = client.post("/profile/password", data={"current": "pw", "password": "short", "confirm": "short"})
    assert short.status_code == 400
    differ = client.post("/profile/password", data={"current": "pw", "password": "brand-new-pw",
                                                    "confirm": "brand-new-px"})
    assert differ.status_code == 400 and b"two new passwords differ" in differ.data

    done = client.post("/profile/password", data={"current": "pw", "password": "brand-new-pw",
                                                  "confirm": "brand-new-pw"})
    assert done.status_code == 302
    assert client.get("/rate/").status_code == 200           # this session goes on
    assert other.get("/rate/").status_code == 302           # the other one ended
    assert app.test_client().get("/api/v1/", headers=bearer(plain)).status_code == 401
    assert user_service.authenticate(HEAD, "brand-new-pw") is not None
    assert user_service.authenticate(HEAD, "pw") is None
