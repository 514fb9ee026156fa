"""Configuration read from the environment.

``DATABASE_URL`` selects the database (SQLite under ``instance/`` by default),
``SECRET_KEY`` signs sessions and CSRF tokens, ``RATELIMIT_STORAGE_URI`` (default
``memory://``, per worker) is where the login rate limit counts attempts. ``TRACKER_ENV=production`` makes a
missing ``SECRET_KEY`` fatal instead of silently weak.
"""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path


class ConfigError(RuntimeError):
    """Raised when the environment cannot make a safe configuration."""


def _default_sqlite_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "tracker.sqlite")


class Config:
    """Defaults for every environment; ``from_env`` fills the rest."""

    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_SUPPORTED_LOCALES = ("en", "ru")
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"
    TESTING = False

    @classmethod
    def from_env(cls, instance_path: str) -> dict:
        """Return a mapping of settings from ``os.environ``.

        Raises
        ------
        ConfigError
            In production mode (``TRACKER_ENV=production``) when ``SECRET_KEY`` is unset.
        """
        env = os.environ.get("TRACKER_ENV", "development")
        secret = os.environ.get("SECRET_KEY")
        if not secret:
            if env == "production":
                raise ConfigError("SECRET_KEY must be set when TRACKER_ENV=production")
            secret = "dev-only-insecure-key"
        settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        settings.update(
            SECRET_KEY=secret,
            SQLALCHEMY_DATABASE_URI=os.environ.get("DATABASE_URL") or _default_sqlite_url(instance_path),
            TRACKER_ENV=env,
            # The web workers and the Huey consumer must keep uploads in the same folder.
            UPLOAD_FOLDER=os.environ.get("UPLOAD_FOLDER") or None,
            # Shared storage (redis://…) so several gunicorn workers count login attempts together.
            RATELIMIT_STORAGE_URI=os.environ.get("RATELIMIT_STORAGE_URI") or cls.RATELIMIT_STORAGE_URI,
            # E-mail digests (``flask notify``): no MAIL_SERVER means in-app notices only.
            MAIL_SERVER=os.environ.get("MAIL_SERVER") or None,
            MAIL_PORT=int(os.environ.get("MAIL_PORT") or 25),
            MAIL_USE_TLS=os.environ.get("MAIL_USE_TLS", "").lower() in ("1", "true", "yes"),
            MAIL_USERNAME=os.environ.get("MAIL_USERNAME") or None,
            MAIL_PASSWORD=os.environ.get("MAIL_PASSWORD") or None,
            MAIL_FROM=os.environ.get("MAIL_FROM") or "tracker@localhost",
            APP_BASE_URL=os.environ.get("APP_BASE_URL", ""),
        )
        if env == "production":
            settings.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
        return settings


class TestingConfig(Config):
    """Settings for the test suite: CSRF and the login limit are off; the tests that check them turn them on."""

    TESTING = True
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
