"""The bulk paths for new and changed ratings store and audit exactly what save_rating would."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import event, select, update

from tracker.extensions import db
from tracker.importer import service
from tracker.models import AuditLog, Contract, Criterion, Period, Rating, User
from tracker.models.base import utcnow
from tracker.services import ratings as rating_service

from .helpers import row_counts, small_folder


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


# IT → LOG changes; LOG → EXT is unchanged: communication, retired meanwhile, is blank and its score is kept.
CHANGED = """period,supplier_code,customer_code,service,respondent,quality,timeliness,communication,value,recommend,standard_met,no_interaction,comment
2026-Q3,IT,LOG,IT support,,2,3,,4,5,partly,,too slow
2026-Q3,LOG,EXT,delivery,,4,4,,4,,,,
"""


def _scores(rating: Rating) -> dict[str, tuple[int, float]]:
    return {s.criterion.key: (s.score, s.weight) for s in rating.scores}


def _update_entry(rating_id: int) -> dict:
    row = db.session.scalars(select(AuditLog).where(AuditLog.entity == "rating", AuditLog.entity_id == rating_id,
                                                    AuditLog.action == "update")).one()
    return json.loads(row.changes)


def test_bulk_changed_rating_matches_save_rating_and_dry_run_writes_nothing(app, tmp_path):
    today = date(2026, 8, 1)  # 2026-Q3 is open
    assert service.import_path(small_folder(tmp_path / "first"), today=today).ok
    imported = db.session.scalars(select(Rating).where(Rating.respondent_key == "", Rating.recommend == 9)).one()
    contract, period = db.session.get(Contract, imported.contract_id), db.session.get(Period, imported.period_id)
    # A twin rating with the same answers, saved through the form's service.
    twin, _ = rating_service.save_rating(
        contract, period, rating_service.RatingInput(scores={"quality": 5, "timeliness": 3, "communication": 4},
                                                     recommend=9, standard_met="met"),
        respondent_key="twin@example.com", require_open=False)
    db.session.commit()
    twin_id, imported_id = twin.id, imported.id
    # The admin retires communication, doubles quality's weight and triples value's.
    criteria = {c.key: c for c in db.session.scalars(select(Criterion))}
    criteria["communication"].retired_at = utcnow()
    criteria["quality"].weight, criteria["value"].weight = 2.0, 3.0
    db.session.commit()

    # The dry run counts the changed rating and issues no write at all (no SQLite write lock).
    folder = small_folder(tmp_path / "changed", ratings=CHANGED)
    before = row_counts()
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement.lstrip().split(None, 1)[0].upper())

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        dry = service.import_path(folder, dry_run=True, today=today)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert dry.ok and str(dry.counts["ratings"]) == "0 added, 1 changed, 1 unchanged"
    assert "SELECT" in statements and not {"INSERT", "UPDATE", "DELETE"} & set(statements)
    assert row_counts() == before

    applied = service.import_path(folder, today=today)
    assert applied.ok and str(applied.counts["ratings"]) == "0 added, 1 changed, 1 unchanged"
    db.session.expire_all()
    twin = db.session.get(Rating, twin_id)
    rating_service.save_rating(
        contract, period, rating_service.RatingInput(scores={"quality": 2, "timeliness": 3, "value": 4},
                                                     recommend=5, standard_met="partly", comment="too slow"),
        respondent_key="twin@example.com", require_open=False)
    db.session.commit()
    db.session.expire_all()
    imported, twin = db.session.get(Rating, imported_id), db.session.get(Rating, twin_id)
    # Retired communication kept; quality keeps its stored weight 1.0; value, new, takes today's 3.0.
    assert _scores(imported) == _scores(twin) == {"quality": (2, 1.0), "timeliness": (3, 1.0),
                                                  "communication": (4, 1.0), "value": (4, 3.0)}
    fields = ("recommend", "standard_met", "no_interaction", "comment", "health", "respondent_id",
              "submitted_by_id", "version")
    assert {f: getattr(imported, f) for f in fields} == {f: getattr(twin, f) for f in fields}
    assert imported.version == 2 and imported.comment == "too slow"
    assert _update_entry(imported_id) == _update_entry(twin_id)
    assert _update_entry(imported_id)["score.quality"] == [5, 2]

    # The same file again changes nothing, dry run or not.
    again = service.import_path(folder, dry_run=True, today=today)
    assert str(again.counts["ratings"]) == "0 added, 0 changed, 2 unchanged"


def test_bulk_update_refuses_a_rating_saved_meanwhile(app, tmp_path, monkeypatch):
    today = date(2026, 8, 1)
    assert service.import_path(small_folder(tmp_path / "first"), today=today).ok
    imported = db.session.scalars(select(Rating).where(Rating.respondent_key == "", Rating.recommend == 9)).one()
    imported_id = imported.id
    stored = service._stored_ratings

    def overtaken(period_ids):  # a form save lands between the import's read and its write
        rows = stored(period_ids)
        db.session.execute(update(Rating).where(Rating.id == imported_id).values(version=Rating.version + 1))
        return rows

    monkeypatch.setattr(service, "_stored_ratings", overtaken)
    result = service.import_path(small_folder(tmp_path / "changed", ratings=CHANGED), today=today)
    assert not result.ok and "changed while the import ran" in result.problems[0].reason
    db.session.expire_all()
    assert db.session.get(Rating, imported_id).recommend == 9
