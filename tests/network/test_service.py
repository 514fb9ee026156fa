"""Storing a survey: one upload is one survey, even when two requests race; problems write nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.importer.network import read_network
from tracker.models import AuditLog, NetworkSurvey
from tracker.services import network as network_service

PEOPLE = b"id;dept\n1;A\n2;B\n"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_same_token_is_stored_once(app):
    read = read_network("t.csv", b"ego;alter\n1;2\n", "p.csv", PEOPLE, department_column="dept")
    first = network_service.store_survey(read, token="a" * 32)
    again = network_service.store_survey(read, token="a" * 32)
    assert first.id == again.id and _count(NetworkSurvey) == 1 and _count(AuditLog) == 1
    volumes = {(v.supplier_code, v.customer_code): v.volume for v in first.volumes}
    assert volumes == {("B", "A"): 1, ("A", "A"): 0, ("B", "B"): 0}


def test_a_concurrent_store_of_the_same_upload_returns_the_stored_one(app, monkeypatch):
    read = read_network("t.csv", b"ego;alter\n1;2\n", "p.csv", PEOPLE, department_column="dept")
    winner = network_service.store_survey(read, token="b" * 32)
    real_scalar = db.session.scalar
    calls = []

    def first_lookup_misses(statement, *args, **kwargs):
        calls.append(statement)
        return None if len(calls) == 1 else real_scalar(statement, *args, **kwargs)

    monkeypatch.setattr(db.session, "scalar", first_lookup_misses)  # the other request had not committed yet
    loser = network_service.store_survey(read, token="b" * 32)
    monkeypatch.undo()
    assert loser.id == winner.id and _count(NetworkSurvey) == 1


def test_a_read_with_problems_is_refused(app):
    read = read_network("t.csv", b"ego;alter\n1;9\n", "p.csv", PEOPLE, department_column="dept")
    with pytest.raises(network_service.NetworkError, match="t.csv:2: advisor '9'"):
        network_service.store_survey(read)
    assert _count(NetworkSurvey) == 0 and _count(AuditLog) == 0
