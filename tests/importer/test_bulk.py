"""The bulk path for new ratings stores and audits exactly what save_rating would."""
from __future__ import annotations

import json

from sqlalchemy import select

from tracker.extensions import db
from tracker.importer import service
from tracker.models import AuditLog, Contract, Period, Rating, User
from tracker.services import ratings as rating_service

from .helpers import small_folder


def _entry(rating_id: int) -> dict:
    row = db.session.scalars(select(AuditLog).where(AuditLog.entity == "rating", AuditLog.entity_id == rating_id,
                                                    AuditLog.action == "create")).one()
    return json.loads(row.changes)


def test_bulk_created_rating_matches_save_rating(app, tmp_path):
    assert service.import_path(small_folder(tmp_path)).ok
    # A blank respondent is stored as "" with no user: the head is resolved when they open the form.
    imported = db.session.scalars(select(Rating).where(Rating.respondent_key == "", Rating.recommend == 9)).one()
    head = db.session.scalars(select(User).where(User.email == "head.log@example.com")).one()
    assert imported.respondent_id is None and imported.version == 1
    assert {s.criterion.key: (s.score, s.weight) for s in imported.scores} == {
        "quality": (5, 1.0), "timeliness": (4 - 1, 1.0), "communication": (4, 1.0)}

    # The same answers through the form's service, by another respondent: same fields, same audit.
    contract, period = db.session.get(Contract, imported.contract_id), db.session.get(Period, imported.period_id)
    saved, _ = rating_service.save_rating(
        contract, period, rating_service.RatingInput(scores={"quality": 5, "timeliness": 3, "communication": 4},
                                                     recommend=9, standard_met="met"),
        respondent_key="other@example.com", respondent_id=None, require_open=False)
    db.session.commit()
    fields = ("recommend", "standard_met", "no_interaction", "comment", "health", "respondent_id")
    assert {f: getattr(saved, f) for f in fields} == {f: getattr(imported, f) for f in fields}
    assert _entry(saved.id) == _entry(imported.id)
