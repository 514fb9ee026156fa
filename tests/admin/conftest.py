"""Fixtures of the admin tests: the worked example with the admin logged in, and audit helpers."""
from __future__ import annotations

import json

import pytest

from tracker.extensions import db
from tracker.models import AuditLog


@pytest.fixture
def admin(client, auth, org):
    """The test client logged in as admin@test.local over the worked example."""
    auth.login("admin@test.local")
    return client


def audit_rows(entity: str, action: str | None = None) -> list[AuditLog]:
    """Audit rows of ``entity`` (and ``action``), oldest first."""
    stmt = db.select(AuditLog).where(AuditLog.entity == entity).order_by(AuditLog.id)
    if action:
        stmt = stmt.where(AuditLog.action == action)
    return list(db.session.scalars(stmt))


def changes(row: AuditLog) -> dict:
    """The ``{field: [old, new]}`` of an audit row."""
    return json.loads(row.changes) if row.changes else {}
