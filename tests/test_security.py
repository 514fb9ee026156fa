"""Security headers, CSRF (with nothing lost on an expired form) and login rate limits."""
import re

import pytest

from tracker import create_app
from tracker.extensions import db, limiter

from . import factories


@pytest.fixture
def strict_app(database_url, app):
    """An app with CSRF and rate limits on, over the same database as ``app``."""
    strict = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test",
                         "WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"})
    factories.worked_example()
    limiter.reset()
    yield strict
    with strict.app_context():
        db.engine.dispose()


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def test_security_headers_on_every_response(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_httponly_and_samesite(client, org):
    response = client.post("/login", data={"email": "admin@test.local", "password": "pw"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_without_csrf_token_is_refused(strict_app):
    client = strict_app.test_client()
    response = client.post("/login", data={"email": "admin@test.local", "password": "pw"})
    assert response.status_code == 400
    assert client.get("/admin/").status_code == 302


def test_forged_logout_does_not_log_out(strict_app):
    client = strict_app.test_client()
    token = _token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": "admin@test.local", "password": "pw", "csrf_token": token})
    assert client.get("/admin/").status_code == 200
    assert client.get("/logout").status_code == 405
    client.post("/logout")  # no token: a forged cross-site POST
    assert client.get("/admin/").status_code == 200


def test_expired_form_comes_back_with_what_was_typed(strict_app):
    client = strict_app.test_client()
    token = _token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": "admin@test.local", "password": "pw", "csrf_token": token})
    long_comment = "The deliveries were late four times; <b>details</b> follow.\n" * 3
    response = client.post("/locale/en", data={"next": "/admin/", "comment": long_comment, "csrf_token": "stale"},
                           headers={"Sec-Fetch-Site": "same-origin"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your form has expired" in html
    assert "&lt;b&gt;details&lt;/b&gt;" in html and "<b>details</b>" not in html
    assert 'name="comment"' in html and 'action="/locale/en"' in html


def test_login_is_rate_limited_per_account(strict_app):
    client = strict_app.test_client()
    token = _token(client.get("/login").get_data(as_text=True))
    statuses = [client.post("/login", data={"email": "coo@test.local", "password": "wrong", "csrf_token": token},
                            environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}).status_code for i in range(5)]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429]
    refused = client.post("/login", data={"email": "coo@test.local", "password": "wrong", "csrf_token": token})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert "Too many login attempts. Wait a minute and try again." in page
    assert "per 1 minute" not in page


def test_rate_limit_storage_comes_from_the_environment(monkeypatch, tmp_path):
    from tracker.config import Config

    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    assert Config.from_env(str(tmp_path))["RATELIMIT_STORAGE_URI"] == "trackerdb://"  # shared by all workers
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://cache:6379/1")
    assert Config.from_env(str(tmp_path))["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/1"


def test_production_config_needs_a_secret_key(monkeypatch, tmp_path):
    from tracker.config import Config, ConfigError

    monkeypatch.setenv("TRACKER_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        Config.from_env(str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "k" * 32)
    settings = Config.from_env(str(tmp_path))
    assert settings["SESSION_COOKIE_SECURE"] is True and settings["SECRET_KEY"] == "k" * 32


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "same-site"},            # another port or intranet app of the same site
    {"Sec-Fetch-Site": "cross-site"},
    {"Origin": "http://evil.example"},
    {},                                          # a client that says nothing of where it came from
])
def test_refused_post_from_another_origin_gets_no_resend_form(strict_app, headers):
    client = strict_app.test_client()
    token = _token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": "admin@test.local", "password": "pw", "csrf_token": token})
    response = client.post("/admin/users/new", data={"email": "mallory@evil.test", "role": "admin"},
                           headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your form has expired" not in html and "mallory@evil.test" not in html


def test_resend_form_needs_a_logged_in_user(strict_app):
    client = strict_app.test_client()
    response = client.post("/locale/en", data={"comment": "x"}, headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 400
    assert "Your form has expired" not in response.get_data(as_text=True)


def test_unknown_account_is_checked_against_a_hash_too(app, monkeypatch):
    from tracker.services import users as user_service

    calls = []
    real = user_service.check_password_hash
    monkeypatch.setattr(user_service, "check_password_hash", lambda h, p: calls.append(h) or real(h, p))
    assert user_service.authenticate("nobody@test.local", "pw") is None
    assert calls == [user_service._dummy_hash()]


def test_refused_cross_site_post_does_not_start_a_new_session(strict_app):
    """The browser sends no Lax cookie on a cross-site POST; a new session cookie would log the user out."""
    client = strict_app.test_client(use_cookies=False)
    response = client.post("/admin/users/new", data={"email": "x@evil.test"}, headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 400
    assert "Set-Cookie" not in response.headers
