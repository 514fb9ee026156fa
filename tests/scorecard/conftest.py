"""The worked example with ratings in 2026-Q3 and a closed 2026-Q2 before it, for the scorecard tests."""
from __future__ import annotations

from datetime import date

import pytest

from tracker.extensions import db
from tracker.models import Rating

from .. import factories

# 0-10 answers of the product brief's NPS example, and "standard met" answers
RECOMMEND = {("IT", "WH"): 7, ("IT", "LOG"): 9, ("IT", "SALES"): 5, ("IT", "MKT"): 2}
STANDARD = {("IT", "WH"): "met", ("IT", "LOG"): "partly", ("IT", "SALES"): "missed", ("IT", "MKT"): "met"}
#: Health of the links in 2026-Q2: WH→LOG was fine then (fixed → weak), IT→SALES was worse.
Q2_HEALTH = {("WH", "LOG"): 80.0, ("IT", "SALES"): 30.0, ("LOG", "EXT"): 90.0, ("IT", "LOG"): 85.0}


@pytest.fixture
def scored(org):
    """The worked example rated in 2026-Q3 (open) and partly in 2026-Q2 (closed)."""
    q2 = factories.period("2026-Q2", date(2026, 4, 1), date(2026, 6, 30), status="closed")
    db.session.flush()
    for sup, cus, health, _crit in factories.WORKED_EXAMPLE:
        con = org.contracts[(sup, cus)]
        if health is not None:
            db.session.add(Rating(contract_id=con.id, period_id=org.period.id, respondent_key=f"head.{cus.lower()}",
                                  health=float(health), recommend=RECOMMEND.get((sup, cus)),
                                  standard_met=STANDARD.get((sup, cus)),
                                  comment=f"Comment on {sup} → {cus}"))
        if (sup, cus) in Q2_HEALTH:
            db.session.add(Rating(contract_id=con.id, period_id=q2.id, respondent_key=f"head.{cus.lower()}",
                                  health=Q2_HEALTH[(sup, cus)], recommend=9 if sup == "IT" else None))
    db.session.commit()
    org.q2 = q2
    return org
