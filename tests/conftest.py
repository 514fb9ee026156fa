"""Shared fixtures: ``app``, ``client``, ``runner``, ``auth`` and a tiny organization.

The database is SQLite in a temporary folder unless ``TEST_DATABASE_URL`` names
another (CI runs the suite a second time on PostgreSQL). The schema comes from
``create_all`` here; ``tests/test_migrations.py`` checks that the migrations agree.
"""
from __future__ import annotations

import os

import pytest
from flask import g
from sqlalchemy import text

from tracker import create_app
from tracker.extensions import db
from tracker.services import settings as settings_service

from . import factories

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
_schema_ready: set[str] = set()


def _reset_server_database() -> None:
    """Empty every table of a server database (faster than dropping the schema per test)."""
    if TEST_DATABASE_URL not in _schema_ready:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        _schema_ready.add(TEST_DATABASE_URL)
    else:
        names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def database_url(tmp_path) -> str:
    return TEST_DATABASE_URL or "sqlite:///" + str(tmp_path / "test.sqlite")


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test",
                      "CHART_CACHE_DIR": str(tmp_path / "charts"), "UPLOAD_FOLDER": str(tmp_path / "uploads"),
                      "DOWNLOAD_FOLDER": str(tmp_path / "downloads")})

    # This fixture keeps one app context open for the whole test, and requests reuse it, so
    # ``g`` (where Flask-Login caches the user) would outlive a request; a server starts afresh.
    @app.before_request
    def _forget_cached_user():
        g.pop("_login_user", None)
    yield from prepared_database(app)


def prepared_database(app):
    """Yield ``app`` inside its app context over an empty schema with the default criteria; clean up after."""
    with app.app_context():
        if TEST_DATABASE_URL:
            _reset_server_database()
        else:
            db.create_all()
        settings_service.ensure_defaults()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Log a test client in and out as a given user."""

    def __init__(self, client):
        self._client = client

    def login(self, email: str = "admin@test.local", password: str = "pw"):
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def org(app):
    """The worked example of PRODUCT.md with one user per role; see :func:`factories.worked_example`."""
    return factories.worked_example()


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations():
    """Compile each .po whose .mo is missing or older, so every test reads current translations."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parent.parent / "tracker" / "translations"
    for po in root.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as src, mo.open("wb") as dst:
                write_mo(dst, read_po(src, locale=po.parent.parent.name))
