"""The worked example with its ratings, for the dashboard tests."""
from __future__ import annotations

import pytest

from tracker.extensions import db
from tracker.models import Rating

from .. import factories

# 0-10 answers of the product brief's NPS example
RECOMMEND = {("IT", "WH"): 7, ("IT", "LOG"): 9, ("IT", "SALES"): 5, ("IT", "MKT"): 2}


@pytest.fixture
def rated(org):
    """The worked example with one rating per rated contract carrying the example health."""
    for sup, cus, health, _crit in factories.WORKED_EXAMPLE:
        if health is None:
            continue
        con = org.contracts[(sup, cus)]
        db.session.add(Rating(contract_id=con.id, period_id=org.period.id, respondent_key=f"head.{cus.lower()}",
                              health=float(health), recommend=RECOMMEND.get((sup, cus)),
                              comment=f"Secret remark about {sup} & <b>{cus}</b>"))
    db.session.commit()
    return org
