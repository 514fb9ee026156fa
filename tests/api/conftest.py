"""Fixtures of the API tests: token login and the profile blueprint wired as the factory will wire them."""
from __future__ import annotations

import pytest

from tests import factories
from tracker.extensions import db
from tracker.models import Rating
from tracker.services import tokens as token_service


@pytest.fixture
def rated_org(org):
    """The worked example with one rating per rated contract, health set directly (comments on two)."""
    for sup, cus, health, _crit in factories.WORKED_EXAMPLE:
        if health is None:
            continue
        comment = f"comment on {sup}->{cus}" if (sup, cus) in {("IT", "SALES"), ("PROC", "WH")} else None
        db.session.add(Rating(contract=org.contracts[sup, cus], period=org.period,
                              respondent_key=f"head.{cus.lower()}@test.local", health=float(health), comment=comment))
    db.session.commit()
    return org


@pytest.fixture
def token_for(org):
    """Create a token for the user with this e-mail and return the plain token."""
    from tracker.services import users as user_service

    def make(email: str, name: str = "script") -> str:
        user = user_service.find_by_email(email)
        _token, plain = token_service.create_token(user.id, name)
        return plain

    return make


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
