"""In-app notifications and the e-mail digest: who must act, told once.

A notice is one row per user and ``key``; the key names the occasion (the follow-up and
its step, the period and its stage), so the same notice is never made twice, however
often :func:`scan` runs, and :func:`send_digests` mails each notice at most once
(``emailed_at``). Writers here flush into the caller's transaction, except :func:`scan`,
:func:`mark_read` and :func:`send_digests`, which commit.
"""
from __future__ import annotations

import smtplib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import (FOLLOW_UP_FINAL, Contract, ContractRespondent, FollowUp, FollowUpEvent, Notification,
                      Period, Rating, User)
from ..models.base import utcnow
from . import settings as settings_service
from .settings import _

__all__ = ["Digest", "follow_up_moved", "follow_ups_assigned", "mark_read", "period_opened", "recent",
           "scan", "send_digests", "unread_count"]

#: Notices a user is told about (``Notification.kind``).
KINDS = ("period_opened", "period_ending", "assigned", "overdue", "awaiting_confirmation", "reopened")


def _add(user_id: int | None, key: str, kind: str, text: str, *, link: str | None = None,
         follow_up_id: int | None = None) -> bool:
    """Insert a notice unless this user already has one with ``key``; True when inserted."""
    if user_id is None:
        return False
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (insert(Notification).values(user_id=user_id, key=key[:120], kind=kind, text=text, link=link,
                                        follow_up_id=follow_up_id, created_at=utcnow())
            .on_conflict_do_nothing(index_elements=["user_id", "key"]).returning(Notification.id))
    return db.session.execute(stmt).scalar() is not None


def _link(fu_id: int) -> str:
    return f"/follow-ups/{fu_id}"


def _customer_heads(fu: FollowUp) -> list[int]:
    if fu.contract.customer.kind == "external":
        return list(db.session.scalars(select(User.id).where(User.role == "admin", User.archived_at.is_(None))))
    return list(db.session.scalars(select(User.id).where(User.role == "head", User.archived_at.is_(None),
                                                         User.department_id == fu.contract.customer_id)))


def follow_ups_assigned(ids: Iterable[int]) -> None:
    """Tell each new follow-up's owner it is theirs (flushes)."""
    rows = db.session.scalars(select(FollowUp).where(FollowUp.id.in_(list(ids))).options(
        joinedload(FollowUp.contract).joinedload(Contract.supplier),
        joinedload(FollowUp.contract).joinedload(Contract.customer),
        joinedload(FollowUp.contract).joinedload(Contract.service), joinedload(FollowUp.period))).unique()
    for fu in rows:
        _add(fu.owner_id, f"fu{fu.id}:assigned:{fu.owner_id}", "assigned",
             _("Follow-up assigned to you: %(label)s (%(period)s).", label=fu.contract.label, period=fu.period.label),
             link=_link(fu.id), follow_up_id=fu.id)


def follow_up_moved(fu: FollowUp, action: str) -> None:
    """Tell whoever must act next after ``action`` on ``fu`` (flushes).

    Resolved → the customer's head (awaiting confirmation); reopened → the owner;
    reassigned → the new owner. The key carries the step's number, so a second
    resolution after a reopening is told again, the same one never twice.
    """
    step = db.session.scalar(select(func.count(FollowUpEvent.id)).where(FollowUpEvent.follow_up_id == fu.id)) or 0
    if action == "resolve":
        for uid in _customer_heads(fu):
            _add(uid, f"fu{fu.id}:resolved:{step}", "awaiting_confirmation",
                 _("Resolved, awaiting your confirmation: %(label)s.", label=fu.contract.label),
                 link=_link(fu.id), follow_up_id=fu.id)
    elif action == "reopen":
        _add(fu.owner_id, f"fu{fu.id}:reopened:{step}", "reopened",
             _("Reopened by the customer: %(label)s.", label=fu.contract.label), link=_link(fu.id), follow_up_id=fu.id)
    elif action == "reassign":
        db.session.flush()
        owner = db.session.scalar(select(FollowUp.owner_id).where(FollowUp.id == fu.id))
        _add(owner, f"fu{fu.id}:assigned:{owner}", "assigned",
             _("Follow-up assigned to you: %(label)s (%(period)s).", label=fu.contract.label, period=fu.period.label),
             link=_link(fu.id), follow_up_id=fu.id)


def _ratings_due(period: Period) -> dict[int, int]:
    """Users who still have ratings to give in ``period``: ``{user id: contracts not yet rated}``.

    A head answers for every active contract of which the department is the customer and
    that has no done rating (a health or "no interaction") from the department yet; a member
    for the contracts the head added them to that they have not rated. Two queries.
    """
    from .analysis import active_contracts_condition
    done = exists().where(Rating.contract_id == Contract.id, Rating.period_id == period.id,
                          or_(Rating.health.is_not(None), Rating.no_interaction.is_(True)))
    open_by_dep = dict(db.session.execute(
        select(Contract.customer_id, func.count(Contract.id))
        .where(active_contracts_condition(period), ~done).group_by(Contract.customer_id)).all())
    out: dict[int, int] = {}
    for uid, dep in db.session.execute(select(User.id, User.department_id).where(
            User.role == "head", User.archived_at.is_(None), User.department_id.in_(list(open_by_dep)))):
        out[uid] = open_by_dep[dep]
    own_done = exists().where(Rating.contract_id == ContractRespondent.contract_id, Rating.period_id == period.id,
                              Rating.respondent_key == func.lower(User.email),
                              or_(Rating.health.is_not(None), Rating.no_interaction.is_(True)))
    for uid, n in db.session.execute(
            select(User.id, func.count(ContractRespondent.id))
            .join(ContractRespondent, ContractRespondent.user_id == User.id)
            .join(Contract, ContractRespondent.contract_id == Contract.id)
            .where(User.role == "member", User.archived_at.is_(None), active_contracts_condition(period), ~own_done)
            .group_by(User.id)):
        out[uid] = n
    return out


def period_opened(period: Period) -> int:
    """Tell everyone with ratings to give that ``period`` is open (flushes); returns notices made."""
    made = 0
    for uid, n in _ratings_due(period).items():
        made += _add(uid, f"period{period.id}:opened", "period_opened",
                     _("Period %(label)s is open: %(num)d ratings to give.", label=period.label, num=n), link="/rate/")
    return made


def scan(today: date | None = None) -> int:
    """Make the notices that time brings, and commit: the open period ends soon, follow-ups overdue.

    "Ends soon": the open period ends within ``notify_ending_days`` (a setting, days) and
    the user still has ratings to give. "Overdue": a follow-up past the due date of its
    current stage (:func:`tracker.services.followups.due_status`), told to its owner once
    per stage and due date. Also makes the "period opened" notices if they are missing.
    Returns how many notices were made.
    """
    from . import followups
    from .periods import the_open_period
    today = today or date.today()
    made = 0
    period = the_open_period()
    if period is not None:
        made += period_opened(period)
        days = int(settings_service.get("notify_ending_days"))
        if period.end_date - today <= timedelta(days=days) and period.end_date >= today:
            for uid, n in _ratings_due(period).items():
                made += _add(uid, f"period{period.id}:ending", "period_ending",
                             _("Period %(label)s ends on %(date)s: %(num)d ratings still to give.",
                               label=period.label, date=period.end_date.isoformat(), num=n), link="/rate/")
    active = db.session.scalars(select(FollowUp).where(FollowUp.status.not_in(FOLLOW_UP_FINAL)).options(
        joinedload(FollowUp.contract).joinedload(Contract.supplier),
        joinedload(FollowUp.contract).joinedload(Contract.customer),
        joinedload(FollowUp.contract).joinedload(Contract.service))).unique()
    for fu in active:
        ds = followups.due_status(fu, today)
        if ds.overdue:
            made += _add(fu.owner_id, f"fu{fu.id}:overdue:{ds.stage}:{ds.due.isoformat()}", "overdue",
                         _("Overdue since %(date)s: %(label)s.", date=ds.due.isoformat(), label=fu.contract.label),
                         link=_link(fu.id), follow_up_id=fu.id)
    db.session.commit()
    return made


def unread_count(user_id: int) -> int:
    """Unread notices of a user. One query."""
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def recent(user_id: int, *, limit: int = 100) -> list[Notification]:
    """A user's notices, newest first (unread ones before read ones)."""
    return list(db.session.scalars(
        select(Notification).where(Notification.user_id == user_id)
        .order_by(Notification.read_at.is_not(None), Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)))


def mark_read(user_id: int, notification_id: int | None = None) -> int:
    """Mark one of a user's notices (or all, when ``notification_id`` is None) as read; commit; return how many."""
    stmt = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    n = db.session.execute(stmt.values(read_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return n


@dataclass
class Digest:
    """What :func:`send_digests` did: users mailed, notices in them; ``skipped`` when no SMTP server is set."""

    users: int = 0
    notices: int = 0
    skipped: bool = False


def send_digests(*, base_url: str = "") -> Digest:
    """Mail each user one digest of their notices not mailed yet, and mark them mailed (commit per user).

    SMTP comes from the app config: ``MAIL_SERVER`` (none: in-app only, nothing sent),
    ``MAIL_PORT`` (25), ``MAIL_USE_TLS``, ``MAIL_USERNAME``/``MAIL_PASSWORD``,
    ``MAIL_FROM``. A notice is marked mailed only after its digest was accepted by the
    server, so a failure sends it next time and a success never again.

    Raises
    ------
    smtplib.SMTPException, OSError
        The server refused or could not be reached (the notices of that user stay unsent).
    """
    cfg = current_app.config
    if not cfg.get("MAIL_SERVER"):
        return Digest(skipped=True)
    pending: dict[int, list[Notification]] = defaultdict(list)
    for n in db.session.scalars(select(Notification).where(Notification.emailed_at.is_(None))
                                .order_by(Notification.user_id, Notification.id)):
        pending[n.user_id].append(n)
    if not pending:
        return Digest()
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(pending)),
                                                                    User.archived_at.is_(None)))}
    result = Digest()
    with smtplib.SMTP(cfg["MAIL_SERVER"], int(cfg.get("MAIL_PORT") or 25), timeout=30) as smtp:
        if cfg.get("MAIL_USE_TLS"):
            smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
        for uid, notices in pending.items():
            user = users.get(uid)
            if user is None:
                continue
            msg = EmailMessage()
            msg["From"] = cfg.get("MAIL_FROM") or "tracker@localhost"
            msg["To"] = user.email
            msg["Subject"] = _("Service tracker: %(num)d new notices", num=len(notices))
            msg.set_content("\n".join(f"- {n.text}" + (f"\n  {base_url}{n.link}" if n.link else "")
                                      for n in notices) + "\n")
            smtp.send_message(msg)
            now = utcnow()
            db.session.execute(update(Notification).where(Notification.id.in_([n.id for n in notices]))
                               .values(emailed_at=now).execution_options(synchronize_session=False))
            db.session.commit()
            result.users += 1
            result.notices += len(notices)
    return result
