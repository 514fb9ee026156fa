"""Per-connection database settings and the engine listeners every app gets."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine


def _on_sqlite_connect(dbapi_connection, connection_record) -> None:
    # SQLite keeps these per connection, so each new pooled connection must set them.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def configure_engine(engine: Engine) -> None:
    """Attach the SQLite connect listener to ``engine`` (no-op for other databases)."""
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _on_sqlite_connect):
        event.listen(engine, "connect", _on_sqlite_connect)


def init_app(app: Flask) -> None:
    """Configure the app's engine as soon as it exists, and track writes for the data version."""
    from .extensions import db
    from .services import data_version

    with app.app_context():
        configure_engine(db.engine)
        data_version.watch(db.engine)
