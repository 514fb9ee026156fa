"""Respondents of a contract: the colleagues of the customer department its head asked to rate it.

The head of the customer department is always a respondent; these functions keep the
extra ones (:class:`~tracker.models.ContractRespondent`). Each change is audited as an
update of the contract's ``respondents`` (sorted e-mails, old → new) and committed once.
"""
from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from ..models import DEPARTMENT_ROLES, Contract, ContractRespondent, User
from . import audit
from .messages import _

__all__ = ["RespondentError", "add_respondent", "colleagues", "remove_respondent", "respondents_of"]


class RespondentError(ValueError):
    """A respondent cannot be added or removed as asked; the message says why."""


def colleagues(department_id: int) -> list[User]:
    """Active users with role head or member in the department, by name then e-mail."""
    return list(db.session.scalars(
        select(User)
        .where(User.department_id == department_id, User.role.in_(DEPARTMENT_ROLES), User.archived_at.is_(None))
        .order_by(func.lower(User.name), User.email)
    ))


def respondents_of(contract: Contract) -> list[User]:
    """The users added as respondents of ``contract``, by name then e-mail."""
    return list(db.session.scalars(
        select(User)
        .join(ContractRespondent, ContractRespondent.user_id == User.id)
        .where(ContractRespondent.contract_id == contract.id)
        .order_by(func.lower(User.name), User.email)
    ))


def add_respondent(contract: Contract, user: User, *, actor_id: int | None = None) -> ContractRespondent:
    """Add ``user`` as a respondent of ``contract`` and commit.

    Raises
    ------
    RespondentError
        The user is not an active head or member of the contract's customer department,
        or is already a respondent.
    """
    if user.department_id != contract.customer_id or user.role not in DEPARTMENT_ROLES or not user.is_active:
        raise RespondentError(_("%(email)s is not a colleague of the customer department", email=user.email))
    before = _emails(contract)
    if user.email.lower() in before:
        raise RespondentError(_("%(email)s is already a respondent of this agreement", email=user.email))
    link = ContractRespondent(contract_id=contract.id, user_id=user.id, added_by_id=actor_id)
    db.session.add(link)
    db.session.flush()
    audit.record("update", "contract", contract.id, {"respondents": [before, sorted(before + [user.email.lower()])]},
                 user_id=actor_id)
    db.session.commit()
    return link


def remove_respondent(contract: Contract, user: User, *, actor_id: int | None = None) -> None:
    """Remove ``user`` from the respondents of ``contract`` and commit; their ratings stay.

    Raises
    ------
    RespondentError
        The user is not a respondent of the contract.
    """
    link = db.session.scalar(select(ContractRespondent).filter_by(contract_id=contract.id, user_id=user.id))
    if link is None:
        raise RespondentError(_("%(email)s is not a respondent of this agreement", email=user.email))
    before = _emails(contract)
    db.session.delete(link)
    db.session.flush()
    audit.record("update", "contract", contract.id,
                 {"respondents": [before, [e for e in before if e != user.email.lower()]]}, user_id=actor_id)
    db.session.commit()


def _emails(contract: Contract) -> list[str]:
    return sorted(e.lower() for e in db.session.scalars(
        select(User.email).join(ContractRespondent, ContractRespondent.user_id == User.id)
        .where(ContractRespondent.contract_id == contract.id)
    ))
