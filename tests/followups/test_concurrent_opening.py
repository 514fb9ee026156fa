"""Low ratings of one agreement submitted at the same moment open ONE follow-up (the unique constraint holds)."""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from tests.test_concurrency import _run_together
from tracker.extensions import db
from tracker.models import Contract, FollowUp, FollowUpEvent, Notification, Period
from tracker.services import followups as followup_service
from tracker.services import ratings as rating_service

THREADS = 6


def test_simultaneous_low_ratings_open_one_follow_up(app, org):
    contract_id, period_id = org.contracts[("IT", "WH")].id, org.period.id

    def work(i: int) -> int:
        contract = db.session.get(Contract, contract_id)
        period = db.session.get(Period, period_id)
        answer = rating_service.RatingInput(scores={"quality": 1, "timeliness": 2}, recommend=2,
                                            comment=f"respondent {i}: tickets wait for days")
        return rating_service.submit_ratings(period, [(contract, answer)], respondent_key=f"r{i}@test.local")

    results = _run_together(app, work, THREADS)

    assert not [r for r in results if isinstance(r, Exception)], results
    db.session.expire_all()
    assert db.session.scalar(select(func.count(FollowUp.id))) == 1
    fu = db.session.scalar(select(FollowUp))
    assert db.session.scalar(select(func.count(FollowUpEvent.id))) == 1
    assert db.session.scalar(select(func.count(Notification.id))) == 1
    assert len(followup_service.low_ratings_of(fu.contract, fu.period)) == THREADS


def test_opening_yields_to_a_concurrent_insert_of_the_same_pair(app, org, monkeypatch):
    """Both transactions find no follow-up and insert at once: one opens it, the other yields quietly."""
    contract_id, period_id = org.contracts[("IT", "WH")].id, org.period.id
    barrier = threading.Barrier(2)
    original = followup_service._insert_follow_up

    def racing_insert(values):
        barrier.wait(10)
        return original(values)

    rating_service.submit_ratings(org.period, [(org.contracts[("IT", "WH")], rating_service.RatingInput(
        scores={"quality": 1}, recommend=1, comment="no"))], respondent_key="first@test.local")
    db.session.execute(FollowUpEvent.__table__.delete())
    db.session.execute(Notification.__table__.delete())
    db.session.execute(FollowUp.__table__.delete())
    db.session.commit()
    monkeypatch.setattr(followup_service, "_insert_follow_up", racing_insert)

    def work(i: int) -> list[int]:
        # Both read "no follow-up yet" before either writes (the barrier is inside the insert).
        opened = followup_service.open_for_low_ratings([(contract_id, period_id)])
        db.session.commit()
        return opened

    results = _run_together(app, work, 2)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(len(r) for r in results) == [0, 1]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(FollowUp.id))) == 1
    assert db.session.scalar(select(func.count(FollowUpEvent.id))) == 1
