"""The audit log: every write records who, when, and what changed (old → new)."""
from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable, Iterable

from sqlalchemy import Table

from flask_login import current_user

from ..extensions import db
from ..models import AuditLog


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list]:
    """Return ``{field: [old, new]}`` for every field of ``after`` whose value differs from ``before``'s.

    The one diff of plain snapshots (``before`` None or empty: a creation, every non-None value).
    """
    if not before:
        return {k: [None, v] for k, v in after.items() if v is not None}
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def _plain_or_refuse(value: Any) -> Any:
    plain = _plain(value)
    if plain is value:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
    return plain


#: One encoder for every audit row (``json.dumps`` with options builds a new one per call).
_JSON = json.JSONEncoder(ensure_ascii=False, default=_plain_or_refuse)


def as_json(changes: dict | None) -> str | None:
    """``changes`` as the audit log stores them (JSON, dates and decimals as text), None when empty."""
    if not changes:
        return None
    return _JSON.encode(changes)


def diff(obj: Any, fields: list[str], new_values: dict[str, Any]) -> dict[str, list]:
    """Return ``{field: [old, new]}`` for the fields of ``new_values`` that differ from ``obj``."""
    changes = {}
    for field in fields:
        if field not in new_values:
            continue
        old, new = getattr(obj, field), new_values[field]
        if old != new:
            changes[field] = [_plain(old), _plain(new)]
    return changes


def record(
    action: str,
    entity: str,
    entity_id: int | None,
    changes: dict | None = None,
    *,
    reason: str | None = None,
    user_id: int | None = None,
) -> AuditLog:
    """Add an audit row to the current session (the caller commits with its own write).

    ``action`` is one of create, update, archive, restore, open, close, reopen, import;
    ``changes`` maps a field to ``[old, new]``. The acting user defaults to the logged-in one.
    """
    if user_id is None and current_user and getattr(current_user, "is_authenticated", False):
        user_id = current_user.id
    row = AuditLog(
        action=action,
        entity=entity,
        entity_id=entity_id,
        changes=as_json(changes),
        reason=reason,
        user_id=user_id,
    )
    db.session.add(row)
    return row


def add_created(entity: str, obj: Any, snapshot: Callable[[Any], dict[str, Any]], *,
                user_id: int | None = None) -> AuditLog:
    """Add the new row ``obj``, flush for its id, and audit its creation from ``snapshot(obj)`` (plain values).

    The snapshot is taken after the flush, so relationships set by id read as loaded. The one
    way a service adds a row it creates one at a time; the caller commits.
    """
    db.session.add(obj)
    db.session.flush()
    return record("create", entity, obj.id, changes({}, snapshot(obj)), user_id=user_id)


def record_many(action: str, entity: str, entries: Iterable[tuple[int, dict | None]], *, at: datetime,
                reason: str | None = None, user_id: int | None = None) -> int:
    """Insert one audit row per ``(entity id, changes)`` of ``entries`` in executemany batches; return how many.

    The bulk twin of :func:`record` (same columns, same JSON): for imports of many rows.
    """
    return insert_rows(AuditLog.__table__, ("at", "user_id", "action", "entity", "entity_id", "reason", "changes"),
                       ((at, user_id, action, entity, entity_id, reason, as_json(changes))
                        for entity_id, changes in entries))


def insert_rows(table: Table, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
    """INSERT ``rows`` (tuples of ``columns``' values) into ``table`` in executemany batches of :data:`BATCH`.

    The bulk writers' one INSERT: plain tuples go to the driver's ``executemany`` with
    each column type's bind conversion applied, without SQLAlchemy building and processing
    a parameter dict per row (which cost more than the database's own work). Returns how many.
    """
    missing = [c.name for c in table.c if c.default is not None and c.name not in columns]
    if missing:  # Core's insert() would fill these in; a plain INSERT must be given them
        raise ValueError(f"insert_rows into {table.name}: give the columns with a default: {', '.join(missing)}")
    connection = db.session.connection()
    dialect = connection.dialect
    quote = dialect.identifier_preparer
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {quote.format_table(table)} ({', '.join(quote.format_column(table.c[n]) for n in columns)}) "
           f"VALUES ({', '.join([mark] * len(columns))})")
    convert = [(i, proc) for i, proc in enumerate(table.c[n].type._cached_bind_processor(dialect) for n in columns)
               if proc is not None]
    count = 0
    batch: list[tuple] = []
    last: dict[int, tuple[Any, Any]] = {}  # column → (value, converted): the same time stamp on every row
    for row in rows:
        if convert:
            row = list(row)
            for i, proc in convert:
                value = row[i]
                seen = last.get(i)
                if seen is not None and seen[0] is value:
                    row[i] = seen[1]
                else:
                    row[i] = proc(value)
                    last[i] = (value, row[i])
        batch.append(tuple(row))
        if len(batch) == BATCH:
            connection.exec_driver_sql(sql, batch)
            count += len(batch)
            batch = []
    if batch:
        connection.exec_driver_sql(sql, batch)
        count += len(batch)
    return count


#: Rows per executemany batch of the bulk writers.
BATCH = 5000
