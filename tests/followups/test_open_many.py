"""Opening follow-ups for a large import's ratings stays under PostgreSQL's 65,535 parameters a statement.

The 10,000-department import (94,614 ratings) failed on PostgreSQL at the apply: one
``IN (…)`` list held every rating id. The lists go in batches now.
"""
from __future__ import annotations

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import FollowUp
from tracker.services import followups as followup_service
from tracker.services import ratings as rating_service


def test_seventy_thousand_pairs_are_asked_in_batches(app, org):
    contract, period = org.contracts[("IT", "WH")], org.period
    answer = rating_service.RatingInput(scores={"quality": 1, "timeliness": 2}, recommend=2, comment="slow")
    rating_service.submit_ratings(period, [(contract, answer)], respondent_key="r@test.local")  # opens one
    pairs = [(contract.id, period.id)] + [(1_000_000 + i, period.id) for i in range(70_000)]

    opened = followup_service.open_for_low_ratings(pairs)  # failed on PostgreSQL: too many parameters

    assert opened == []  # the low rating's follow-up exists already: none twice
    assert db.session.scalar(select(func.count()).select_from(FollowUp)
                             .where(FollowUp.contract_id == contract.id, FollowUp.period_id == period.id)) == 1
