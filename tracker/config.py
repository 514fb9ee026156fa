"""Configuration read from the environment.

``DATABASE_URL`` selects the database (SQLite under ``instance/`` by default),
``SECRET_KEY`` signs sessions and CSRF tokens (unset outside production: a random key kept in
the instance folder), ``RATELIMIT_STORAGE_URI`` (default
``trackerdb://``: the app's own database, shared by every worker; ``redis://…`` also works) is
where the login rate limit counts attempts. ``TRACKER_ENV=production`` makes a
missing ``SECRET_KEY`` fatal instead of silently weak.
"""
from __future__ import annotations

import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

#: The file in the instance folder that holds the development key made by :func:`instance_secret_key`.
SECRET_KEY_FILE = "secret_key"


class ConfigError(RuntimeError):
    """Raised when the environment cannot make a safe configuration."""


def instance_secret_key(instance_path: str) -> str:
    """The random key of this install, made on first use and kept in ``instance/secret_key``.

    Every restart and every worker of the install reads the same key, so sessions survive a
    restart; no key ever comes from the source. The file is created exclusively (``O_EXCL``,
    mode 0600), so two workers starting at once agree on the first one written.
    """
    path = Path(instance_path) / SECRET_KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    for _attempt in range(50):  # another worker may be between creating and writing the file
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.02)
    raise ConfigError(f"{path} is empty; delete it or set SECRET_KEY")


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
    # Rows of changes (and of problems) an import preview lists; the rest are counted.
    IMPORT_PREVIEW_ROWS = 200
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_SUPPORTED_LOCALES = ("en", "ru")
    # The app's database (tracker/services/ratelimit.py), so every worker counts login attempts together.
    RATELIMIT_STORAGE_URI = "trackerdb://"
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
            secret = instance_secret_key(instance_path)
        settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        settings.update(
            SECRET_KEY=secret,
            SQLALCHEMY_DATABASE_URI=os.environ.get("DATABASE_URL") or _default_sqlite_url(instance_path),
            TRACKER_ENV=env,
            # The web workers and the Huey consumer must keep uploads in the same folder.
            UPLOAD_FOLDER=os.environ.get("UPLOAD_FOLDER") or None,
            # …and the files they make for download (tracker.downloads); above this many rows an export is a job.
            DOWNLOAD_FOLDER=os.environ.get("DOWNLOAD_FOLDER") or None,
            DOWNLOAD_BACKGROUND_ROWS=int(os.environ.get("DOWNLOAD_BACKGROUND_ROWS") or 20_000),
            # redis://… instead of the database, where there is one.
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
    RATELIMIT_STORAGE_URI = "memory://"  # a test that turns the limit on resets it with ``limiter.reset()``
