"""The data version: which state of the analysed data a cached result belongs to.

Every commit that wrote a table the analysis reads (departments, services, agreements,
periods, ratings, settings) gives the single :class:`~tracker.models.DataVersion` row a fresh
random token, as the very last statement before COMMIT, whichever way the rows were written
(ORM flush, ``session.execute`` of a bulk statement, or the session's connection): a listener on
the engine sees every INSERT, UPDATE and DELETE that reaches the database. Taking the row lock
last means a transaction holding it only waits to commit, so it cannot be part of a deadlock.

:func:`current` answers the token to cache under, or ``None`` when caching must not be used:
the row is missing (a schema made without the migrations), or the running transaction has
itself written such a table and not committed yet (its own changes are not in any cache).
"""
from __future__ import annotations

import re
import uuid

from sqlalchemy import event, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import DataVersion

__all__ = ["ANALYSED_TABLES", "current", "watch", "new_token"]

#: Tables whose rows the analysis of a period reads.
ANALYSED_TABLES = frozenset({"departments", "services", "contracts", "periods", "ratings", "settings"})

_DML = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)
_FLAG = "tracker_data_changed"


def new_token() -> str:
    """A fresh random token (32 hex digits)."""
    return uuid.uuid4().hex


def current() -> str | None:
    """The token of the data this transaction sees, or ``None`` when results must not be cached."""
    token = db.session.scalar(select(DataVersion.token).where(DataVersion.id == 1))
    if token is None or db.session.connection().info.get(_FLAG):
        return None
    return token


def watch(engine: Engine) -> None:
    """Track writes on ``engine`` and bump the token at commit (idempotent)."""
    if not event.contains(engine, "before_cursor_execute", _note_write):
        event.listen(engine, "before_cursor_execute", _note_write)
        event.listen(engine, "commit", _forget)
        event.listen(engine, "rollback", _forget)
    if not event.contains(Session, "before_commit", _bump_before_commit):
        event.listen(Session, "before_commit", _bump_before_commit)


def _note_write(conn, cursor, statement, parameters, context, executemany) -> None:
    match = _DML.match(statement)
    if match and match.group(1).lower() in ANALYSED_TABLES:
        conn.info[_FLAG] = True


def _forget(conn) -> None:
    conn.info.pop(_FLAG, None)


def _bump_before_commit(session: Session) -> None:
    # Flush first, so that what the commit is about to write is seen, then take the row last.
    if session.get_transaction() is None:
        return
    session.flush()
    conn = session.connection()
    if conn.info.get(_FLAG):
        conn.execute(update(DataVersion).where(DataVersion.id == 1).values(token=new_token()))
