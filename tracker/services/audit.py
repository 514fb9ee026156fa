"""The audit log: every write records who, when, and what changed (old → new)."""
from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_login import current_user

from ..extensions import db
from ..models import AuditLog


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


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
        changes=json.dumps({k: [_plain(v) for v in pair] for k, pair in (changes or {}).items()}, ensure_ascii=False)
        if changes
        else None,
        reason=reason,
        user_id=user_id,
    )
    db.session.add(row)
    return row
