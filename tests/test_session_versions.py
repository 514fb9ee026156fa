"""A logout, a new password or archiving ends every session and remember-me cookie of the user."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tracker.extensions import db
from tracker.models import User

COOKIES = ("session", "remember_token")


def _stolen_cookies(client) -> dict[str, str]:
    """The cookies a thief would copy from the browser."""
    return {name: client.get_cookie(name).value for name in COOKIES if client.get_cookie(name) is not None}


def _replay(app, cookies: dict[str, str], only: str | None = None):
    other = app.test_client()
    for name, value in cookies.items():
        if only is None or name == only:
            other.set_cookie(name, value)
    return other.get("/dashboard/")


def _user(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(db.select(User).where(User.email == email))


def _login(client, email: str):
    response = client.post("/login", data={"email": email, "password": "pw", "remember": "y"})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200


@pytest.mark.parametrize("only", [None, "session", "remember_token"])
def test_cookies_replayed_after_logout_lead_to_the_login_page(app, client, org, only):
    _login(client, "coo@test.local")
    stolen = _stolen_cookies(client)
    assert set(stolen) == set(COOKIES)
    assert _replay(app, stolen, only).status_code == 200  # the copy works while the user is logged in
    client.post("/logout")
    response = _replay(app, stolen, only)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("only", ["session", "remember_token"])
def test_cookies_replayed_after_an_admin_reset_the_password_lead_to_the_login_page(app, client, org, only):
    _login(client, "coo@test.local")
    stolen = _stolen_cookies(client)
    admin = app.test_client()
    admin.post("/login", data={"email": "admin@test.local", "password": "pw"})
    coo = _user("coo@test.local")
    assert admin.post(f"/admin/users/{coo.id}/password", data={"password": "a-new-long-password"}).status_code == 302
    response = _replay(app, stolen, only)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.get("/dashboard/").status_code == 302  # the coo's own browser too


def test_admin_resetting_their_own_password_stays_logged_in(app, client, org):
    client.post("/login", data={"email": "admin@test.local", "password": "pw"})
    admin = _user("admin@test.local")
    assert client.post(f"/admin/users/{admin.id}/password", data={"password": "a-new-long-password"}).status_code \
        == 302
    assert client.get("/admin/").status_code == 200


def test_archived_user_cookie_no_longer_works_even_after_restore(app, client, org):
    _login(client, "coo@test.local")
    stolen = _stolen_cookies(client)
    admin = app.test_client()
    admin.post("/login", data={"email": "admin@test.local", "password": "pw"})
    coo = _user("coo@test.local")
    admin.post(f"/admin/users/{coo.id}/archive")
    admin.post(f"/admin/users/{coo.id}/restore")
    assert _user("coo@test.local").archived_at is None
    assert _replay(app, stolen).status_code == 302


def test_session_id_carries_the_version_and_plain_ids_are_refused(app, org):
    from tracker.auth.access import user_from_session_id

    coo = _user("coo@test.local")
    assert coo.get_id() == f"{coo.id}:{coo.session_version}"
    assert user_from_session_id(coo.get_id()) == coo
    assert user_from_session_id(str(coo.id)) is None
    assert user_from_session_id(f"{coo.id}:{coo.session_version + 1}") is None
    assert user_from_session_id("99999999999999999999:1") is None
    assert user_from_session_id("x:y") is None


def test_remember_cookie_lasts_fourteen_days(app):
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=14)
