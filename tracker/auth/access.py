"""Who may see what: the login manager's user loader, role decorators, and the data rules.

The data rules are the one home of "who may see which agreement and which comment"; the
dashboard pages, the follow-up pages, the JSON API and the exports all ask them:

- :func:`sees_contract` / :func:`contract_scope`: the COO, HR and admin see every agreement;
  a head those their department supplies or receives; a member those they were added to as
  a respondent or have rated.
- :func:`sees_comment` / :func:`comment_rule`: a rating's comment is read by the COO and
  admin, by HR when the setting ``hr_sees_comments`` is ``yes``, by the heads of the
  supplier and the customer, and by the member who gave (or submitted) the rating.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_required
from sqlalchemy import Select, or_, select

from ..extensions import db
from ..models import Contract, ContractRespondent, Rating, User

#: Roles that see every agreement (and its scores).
ALL_SEEING_ROLES = ("coo", "hr", "admin")


def init_login_manager(login_manager: LoginManager) -> None:
    """Configure Flask-Login: load users by id, send anonymous users to the login page."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"

    # Personal API tokens (Authorization: Bearer …) log a request in on /api/ paths only.
    from ..services.tokens import load_user_from_request

    login_manager.request_loader(load_user_from_request)

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        return user_from_session_id(user_id)


def user_from_session_id(session_id: str) -> User | None:
    """The user a session or remember-me cookie names as ``"<id>:<session_version>"``, or None.

    A plain id (a cookie from before session versions), a malformed value or a version
    that no longer matches (the user logged out or got a new password since) names no one.
    """
    user_id, sep, version = (session_id or "").partition(":")
    if not sep or not user_id.isdigit() or not version.isdigit() or len(user_id) > 18:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


def roles_required(*roles: str, login: Callable = login_required) -> Callable:
    """Decorate a view so that only logged-in users with one of ``roles`` reach it (else 403).

    ``login`` is the check for anonymous users: the login redirect for pages, 401 JSON for the API.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


# --- data rules ------------------------------------------------------------------------------


def member_contract_ids(user) -> Select:
    """SQL: ids of the contracts ``user`` was added to as a respondent or has rated."""
    return (
        select(ContractRespondent.contract_id).where(ContractRespondent.user_id == user.id)
        .union(select(Rating.contract_id).where(Rating.respondent_id == user.id))
    )


def contract_scope(user):
    """SQL condition on :class:`Contract` for the agreements ``user`` may see; None for all of them."""
    if user.role in ALL_SEEING_ROLES:
        return None
    if user.role == "member":
        return Contract.id.in_(member_contract_ids(user))
    own = user.department_id if user.role == "head" else None
    if own is None:
        return Contract.id.is_(None)  # nobody's agreement
    return or_(Contract.supplier_id == own, Contract.customer_id == own)


def sees_contract(user, contract: Contract) -> bool:
    """May ``user`` see this agreement, its scores and its follow-ups? (The rule of :func:`contract_scope`.)"""
    if user.role in ALL_SEEING_ROLES:
        return True
    if user.role == "head":
        return user.department_id is not None and user.department_id in (contract.supplier_id, contract.customer_id)
    if user.role == "member":
        return db.session.scalar(
            select(Contract.id).where(Contract.id == contract.id, Contract.id.in_(member_contract_ids(user)))
        ) is not None
    return False


def agreement_comment_rule(user) -> Callable[[int | None, int | None], bool]:
    """A predicate for one reader: may ``user`` read comment text on an agreement (supplier id, customer id)?

    COO and admin always; HR when the organization setting ``hr_sees_comments`` is "yes"; a head
    on the own department's agreements; nobody else (a member reads only the own ratings' comments,
    see :func:`comment_rule`). Reads the setting once.
    """
    role = user.role
    if role in ("coo", "admin"):
        return lambda supplier_id, customer_id: True
    if role == "hr":
        from ..services import settings as settings_service

        allowed = settings_service.get("hr_sees_comments") == "yes"
        return lambda supplier_id, customer_id: allowed
    if role == "head":
        own = user.department_id
        return lambda supplier_id, customer_id: own is not None and own in (supplier_id, customer_id)
    return lambda supplier_id, customer_id: False


def sees_comment_text(user, supplier_id: int | None = None, customer_id: int | None = None) -> bool:
    """May ``user`` read comment text on an agreement between ``supplier_id`` and ``customer_id``? (One rule.)"""
    return agreement_comment_rule(user)(supplier_id, customer_id)


def comment_rule(user) -> Callable[[Rating], bool]:
    """A predicate for one reader: may ``user`` read this rating's comment? (Reads the setting once.)

    The agreement's rule (:func:`agreement_comment_rule`), and for a member the comments of
    the ratings they gave or submitted.
    """
    on_agreement = agreement_comment_rule(user)
    if user.role in ("coo", "admin", "hr", "head"):
        return lambda rating: on_agreement(rating.contract.supplier_id, rating.contract.customer_id)
    user_id = user.id
    return lambda rating: user_id is not None and user_id in (rating.respondent_id, rating.submitted_by_id)


def sees_comment(user, rating: Rating) -> bool:
    """May ``user`` read the comment of ``rating``? See :func:`comment_rule`."""
    return comment_rule(user)(rating)


#: Who may make each kind of download (tracker.downloads): the exports are the admin's, the review pack
#: belongs to the roles that see the whole company.
DOWNLOAD_ROLES = {"ratings": ("admin",), "departments": ("admin",), "org_workbook": ("admin",),
                  "review_pack": ALL_SEEING_ROLES}


def may_download(user, job) -> bool:
    """Whether ``user`` may see download job ``job`` and fetch its file.

    Only the user who asked for it, and only while they still hold a role that may make that
    kind of file (a file made before a demotion is not served after it).
    """
    roles = DOWNLOAD_ROLES.get(job.kind)
    return (roles is not None and getattr(user, "is_authenticated", False) and job.user_id == user.id
            and user.role in roles)


# --- the open period's figures and the respondents who have not rated yet ---------------------


def unrated_open_contract_ids(user, period, contract_ids) -> set[int]:
    """Ids among ``contract_ids`` whose figures of ``period`` are hidden from ``user``.

    Before a respondent has rated an agreement in the open period, the open period's figures of
    that agreement (health, trend, the others' ratings) are not shown to them: they would leak a
    colleague's answer and anchor their own. A respondent is the head of the customer department
    and a member the head added to the agreement; "rated" is a scored rating or "no interaction"
    of their own in the period. Earlier periods and closed periods stay visible; other roles
    (COO, HR, admin, the supplier's head) see everything they saw before.
    """
    ids = {int(cid) for cid in contract_ids}
    if not ids or period is None or getattr(period, "status", None) != "open" or user.role not in ("head", "member"):
        return set()
    if user.role == "head":
        if user.department_id is None:
            return set()
        respondent_of = set(db.session.scalars(
            select(Contract.id).where(Contract.id.in_(ids), Contract.customer_id == user.department_id)))
    else:
        respondent_of = set(db.session.scalars(
            select(ContractRespondent.contract_id).where(ContractRespondent.contract_id.in_(ids),
                                                         ContractRespondent.user_id == user.id)))
    if not respondent_of:
        return set()
    keys = [user.email.strip().lower()] + ([""] if user.role == "head" else [])
    rated = set(db.session.scalars(
        select(Rating.contract_id).where(
            Rating.contract_id.in_(respondent_of), Rating.period_id == period.id,
            or_(Rating.respondent_id == user.id, Rating.respondent_key.in_(keys)),
            or_(Rating.health.is_not(None), Rating.no_interaction.is_(True)))))
    return respondent_of - rated


def hides_open_figures(user, contract, period) -> bool:
    """May ``user`` not yet see ``period``'s figures of ``contract``? See :func:`unrated_open_contract_ids`."""
    return contract.id in unrated_open_contract_ids(user, period, [contract.id])
