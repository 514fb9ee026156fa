"""The login limit's counters in the app's database, so every worker and process counts together.

:class:`DatabaseStorage` is a storage backend of the ``limits`` package (which Flask-Limiter
uses) under the URI ``trackerdb://``, the default of ``RATELIMIT_STORAGE_URI``: without
Redis, several gunicorn workers once counted per worker (28 of 45 wrong passwords got through
before a 429 under 4 workers). Each hit is one atomic ``INSERT … ON CONFLICT DO UPDATE …
RETURNING`` on table ``rate_limit_counters`` (SQLite ≥ 3.35 and PostgreSQL), in its own
short transaction, apart from the request's session. Fixed windows only (Flask-Limiter's
default strategy).
"""
from __future__ import annotations

import time

from limits.storage import Storage
from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..models import RateLimitCounter

__all__ = ["SCHEME", "DatabaseStorage"]

SCHEME = "trackerdb"
#: Counters whose window ended this long ago are deleted by the next hit.
PRUNE_AFTER = 3600.0

_table = RateLimitCounter.__table__


class DatabaseStorage(Storage):
    """Fixed-window counters keyed by the limit's key, with the window's end as epoch seconds."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to the counter of ``key`` (a new window of ``expiry`` seconds when none is open); return it."""
        now = time.time()
        with db.engine.begin() as conn:
            insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
            stmt = insert(_table).values(key=key, count=amount, expires_at=now + expiry)
            expired = _table.c.expires_at <= now
            stmt = stmt.on_conflict_do_update(
                index_elements=[_table.c.key],
                set_={"count": case((expired, amount), else_=_table.c.count + amount),
                      "expires_at": case((expired, now + expiry), else_=_table.c.expires_at)},
            ).returning(_table.c.count)
            count = conn.execute(stmt).scalar_one()
            conn.execute(delete(_table).where(_table.c.expires_at < now - PRUNE_AFTER))
        return count

    def get(self, key: str) -> int:
        """The count in the open window of ``key``, 0 when none is open."""
        with db.engine.connect() as conn:
            count = conn.execute(select(_table.c.count).where(_table.c.key == key,
                                                              _table.c.expires_at > time.time())).scalar()
        return count or 0

    def get_expiry(self, key: str) -> float:
        """When the open window of ``key`` ends (epoch seconds); now when none is open."""
        now = time.time()
        with db.engine.connect() as conn:
            expires = conn.execute(select(_table.c.expires_at).where(_table.c.key == key)).scalar()
        return expires if expires is not None and expires > now else now

    def check(self) -> bool:
        """True when the database answers."""
        try:
            with db.engine.connect() as conn:
                conn.execute(select(1))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        """Delete every counter; return how many there were."""
        with db.engine.begin() as conn:
            return conn.execute(delete(_table)).rowcount

    def clear(self, key: str) -> None:
        """Delete the counter of ``key``."""
        with db.engine.begin() as conn:
            conn.execute(delete(_table).where(_table.c.key == key))
