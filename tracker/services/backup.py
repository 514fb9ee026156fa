"""Backups of the embedded SQLite database with SQLite's online backup API.

The online backup copies a consistent snapshot page by page while the app keeps
serving (https://www.sqlite.org/backup.html). PostgreSQL is backed up with
``pg_dump``/``pg_restore`` (see README.md), not here.
"""
from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

from ..extensions import db


class BackupError(RuntimeError):
    """The backup or restore cannot be made; the message says why."""


def _sqlite_path() -> str:
    url = make_url(str(db.engine.url))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError(
            f"backup and restore work on an SQLite file; this app uses {url.get_backend_name()} "
            "(use pg_dump and pg_restore for PostgreSQL, see README.md)"
        )
    return url.database


def schema_version(conn: sqlite3.Connection) -> str | None:
    """The Alembic revision recorded in an SQLite database, or None when it has none."""
    try:
        rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError:  # no alembic_version table: a schema made by create_all
        return None
    return ",".join(sorted(row[0] for row in rows)) or None


def backup(target: str | Path) -> Path:
    """Copy the live database to ``target`` (a new file), safe while the app runs; return its path.

    Raises
    ------
    BackupError
        Not an SQLite database, or ``target`` exists already.
    """
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(_sqlite_path())) as source, closing(sqlite3.connect(str(target))) as dest:
        source.backup(dest)
    return target


def restore(source_path: str | Path) -> None:
    """Replace the live database's content with the backup at ``source_path``.

    Raises
    ------
    BackupError
        Not an SQLite database, the file is missing, it is not a tracker backup, or its
        schema version (``alembic_version``) differs from the live database's.
    """
    source_path = Path(source_path)
    if not source_path.is_file():
        raise BackupError(f"no backup file at {source_path}")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        try:
            tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{source_path} is not an SQLite database: {exc}") from exc
        if not {"departments", "contracts", "ratings"} <= tables:
            raise BackupError(f"{source_path} is not a backup of this app (tables missing)")
        live_path = _sqlite_path()
        db.session.remove()
        db.engine.dispose()
        with closing(sqlite3.connect(live_path)) as live:
            live_version = schema_version(live)
        backup_version = schema_version(source)
        if backup_version != live_version:
            # Another schema would load, then break pages that expect this one's columns.
            raise BackupError(
                f"{source_path} has database schema version {backup_version or 'none'} but this database has "
                f"{live_version or 'none'}; restore it with the app version that made it, or upgrade this "
                "database first (flask db upgrade) so the versions match"
            )
        with closing(sqlite3.connect(live_path)) as dest:
            source.backup(dest)
    finally:
        source.close()
