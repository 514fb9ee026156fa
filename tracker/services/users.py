"""Users: authenticate, create, update, reset or change a password, archive and restore."""
from __future__ import annotations

import secrets
from functools import cache

from sqlalchemy import func, or_
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import DEPARTMENT_ROLES, ROLES, Department, User
from ..models.base import utcnow
from . import audit
from . import tokens as token_service
from .org import ConflictError
from .messages import _
from .settings import LOCALES


MIN_PASSWORD_LENGTH = 8
@cache
def _dummy_hash() -> str:
    """A hash to check unknown accounts against; made on first use, not at import (scrypt is slow)."""
    return generate_password_hash("not a password of anyone")


class UserError(ValueError):
    """A user cannot be created or changed as asked; the message says why, ``field`` names the form field.

    ``str(error)`` is the command line's wording (it may name an option such as ``--department``);
    :attr:`web` is the same reason in the web form's words, naming the field (the message itself
    when both read the same).
    """

    def __init__(self, message: str, field: str = "email", web: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.web = web if web is not None else message


def _department_needed(role: str) -> str:
    """The web form's words for "this role needs a department", naming the field."""
    if role == "head":
        return _("A department head belongs to a department: choose it in the Department field.")
    return _("A colleague belongs to a department: choose it in the Department field.")


def find_by_email(email: str) -> User | None:
    """The user with this e-mail, compared case-insensitively, or None."""
    return db.session.scalar(db.select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (no hint which part was wrong)."""
    user = find_by_email(email or "")
    if user is None:
        # Hash anyway, so the answer takes as long as for a real account.
        check_password_hash(_dummy_hash(), password or "")
        return None
    if not user.is_active or not user.check_password(password or ""):
        return None
    return user


def current_head(department: Department, *, besides: User | None = None) -> User | None:
    """The active head of ``department`` other than ``besides``, or None."""
    stmt = db.select(User).where(User.department_id == department.id, User.role == "head",
                                 User.archived_at.is_(None)).order_by(User.id)
    if besides is not None and besides.id is not None:
        stmt = stmt.where(User.id != besides.id)
    return db.session.scalars(stmt).first()


def _check_one_head(role: str, department: Department | None, user: User | None) -> None:
    """Refuse a second active head of ``department`` (a department has one head)."""
    if role != "head" or department is None:
        return
    head = current_head(department, besides=user)
    if head is not None:
        raise UserError(_("%(code)s already has a head: %(email)s; make them a member first",
                          code=department.code, email=head.email), "department_id")


def create_user(
    email: str,
    role: str,
    *,
    department_code: str | None = None,
    name: str = "",
    password: str | None = None,
    actor_id: int | None = None,
) -> tuple[User, str | None]:
    """Create a user and commit; return ``(user, generated_password or None)``.

    Raises
    ------
    UserError
        Unknown role, duplicate e-mail, unknown department, a head/member without one, or a
        head of a department that already has an active head.
    """
    email = email.strip().lower()
    if role not in ROLES:
        raise UserError(_("unknown role %(role)r; expected one of %(roles)s", role=role, roles=", ".join(ROLES)),
                        "role")
    if not email or "@" not in email:
        raise UserError(_("not an e-mail address: %(email)r", email=email))
    if find_by_email(email) is not None:
        raise UserError(_("a user with e-mail %(email)s already exists", email=email))
    department = None
    if department_code:
        department = db.session.scalar(db.select(Department).where(Department.code == department_code.strip()))
        if department is None:
            raise UserError(_("unknown department code %(code)r", code=department_code), "department_id")
    if role in DEPARTMENT_ROLES and department is None:
        raise UserError(_("role %(role)s needs a department (--department CODE)", role=role), "department_id",
                        web=_department_needed(role))
    if role not in DEPARTMENT_ROLES and department is not None:
        raise UserError(_("role %(role)s belongs to no department; leave the department empty", role=role),
                        "department_id")
    if department is not None and department.is_external:
        raise UserError(_("%(code)s is an external customer: it has no heads or colleagues", code=department.code),
                        "department_id")
    if password and len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(_("a password needs at least %(n)d characters", n=MIN_PASSWORD_LENGTH), "password")
    _check_one_head(role, department, None)
    generated = None
    if not password:
        password = generated = secrets.token_urlsafe(12)
    user = User(email=email, role=role, department=department, name=name)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("create", "user", user.id, {"email": [None, email], "role": [None, role]}, user_id=actor_id)
    db.session.commit()
    return user, generated


USER_SORTS = {
    "email": User.email,
    "-email": User.email.desc(),
    "name": User.name,
    "-name": User.name.desc(),
    "role": User.role,
    "-role": User.role.desc(),
}


def user_query(q: str = "", role: str = "", department_id: int | None = None, show_archived: bool = False,
               sort: str = "email"):
    """A select of users matching text ``q`` (e-mail or name), ``role`` and department, ordered by ``sort``."""
    stmt = db.select(User).options(joinedload(User.department))
    if q:
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(User.email).like(like), func.lower(User.name).like(like)))
    if role in ROLES:
        stmt = stmt.where(User.role == role)
    if department_id:
        stmt = stmt.where(User.department_id == department_id)
    if not show_archived:
        stmt = stmt.where(User.archived_at.is_(None))
    return stmt.order_by(USER_SORTS.get(sort, User.email), User.id)


def user_snapshot(user: User) -> dict:
    """The editable fields of ``user`` as plain values (for conflicts and the audit log)."""
    return {"name": user.name, "role": user.role,
            "department": user.department.code if user.department is not None else None}


def update_user(
    user: User,
    *,
    name: str,
    role: str,
    department_id: int | None,
    expected_version: int | None = None,
    actor_id: int | None = None,
) -> User:
    """Change a user's name, role and department and commit.

    Raises
    ------
    UserError
        Unknown role or department, a head/member without a department, a head of a
        department that already has another active head, or an admin taking away their
        own admin role.
    tracker.services.org.ConflictError
        The user changed since version ``expected_version`` was loaded.
    """
    if expected_version is not None and user.version != expected_version:
        raise ConflictError(user_snapshot(user), user.version)
    if role not in ROLES:
        raise UserError(_("unknown role %(role)r; expected one of %(roles)s", role=role, roles=", ".join(ROLES)),
                        "role")
    department = db.session.get(Department, department_id) if department_id else None
    if department_id and department is None:
        raise UserError(_("unknown department id %(id)r", id=department_id), "department_id")
    if role in DEPARTMENT_ROLES and department is None:
        raise UserError(_("role %(role)s needs a department", role=role), "department_id",
                        web=_department_needed(role))
    if actor_id is not None and user.id == actor_id and user.role == "admin" and role != "admin":
        raise UserError(_("you cannot take away your own admin role"), "role")
    _check_one_head(role, department, user)
    before = user_snapshot(user)
    user.name, user.role, user.department = (name or "").strip(), role, department
    after = user_snapshot(user)
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changes:
        audit.record("update", "user", user.id, changes, user_id=actor_id)
        db.session.commit()
    return user


def reset_password(user: User, password: str | None = None, *, actor_id: int | None = None) -> str | None:
    """Set a new password (generated when none is given) and commit; return the generated one or None."""
    generated = None
    if not password:
        password = generated = secrets.token_urlsafe(12)
    user.set_password(password)
    user.session_version = (user.session_version or 1) + 1  # every existing session and cookie ends
    token_service.revoke_all(user.id, actor_id=actor_id)  # and every API token
    # The hash itself never goes to the audit log.
    audit.record("update", "user", user.id, {"password": ["***", "***"]}, user_id=actor_id)
    db.session.commit()
    return generated


def change_password(user: User, current: str, new: str) -> None:
    """The user changes their own password and commits; every other session and API token ends.

    The caller logs the current request in again with the new session version.

    Raises
    ------
    UserError
        ``current`` is not the user's password (field ``current``), or ``new`` is shorter
        than 8 characters or equal to the current one (field ``password``).
    """
    if not user.check_password(current or ""):
        raise UserError(_("the current password is wrong"), "current")
    if not new or len(new) < MIN_PASSWORD_LENGTH:
        raise UserError(_("a password needs at least %(n)d characters", n=MIN_PASSWORD_LENGTH), "password")
    if new == current:
        raise UserError(_("the new password is the same as the current one"), "password")
    user.set_password(new)
    user.session_version = (user.session_version or 1) + 1
    token_service.revoke_all(user.id, actor_id=user.id)
    audit.record("update", "user", user.id, {"password": ["***", "***"]}, user_id=user.id)
    db.session.commit()


def archive_user(user: User, *, actor_id: int | None = None) -> None:
    """Archive a user (they can no longer log in) and commit. Idempotent.

    Raises
    ------
    UserError
        An admin archiving their own account.
    """
    if user.archived_at is not None:
        return
    if actor_id is not None and user.id == actor_id:
        raise UserError(_("you cannot archive your own account"))
    now = utcnow()
    user.archived_at = now
    user.session_version = (user.session_version or 1) + 1
    token_service.revoke_all(user.id, actor_id=actor_id)  # restoring the user does not revive them
    audit.record("archive", "user", user.id, {"archived_at": [None, now]}, user_id=actor_id)
    db.session.commit()


def restore_user(user: User, *, actor_id: int | None = None) -> None:
    """Restore an archived user (they can log in again) and commit. Idempotent."""
    if user.archived_at is None:
        return
    audit.record("restore", "user", user.id, {"archived_at": [user.archived_at, None]}, user_id=actor_id)
    user.archived_at = None
    db.session.commit()


def end_sessions(user: User) -> None:
    """Invalidate every session and remember-me cookie of ``user`` (logout) and commit.

    Not audited: it changes no business data, only which cookies still log the user in.
    """
    user.session_version = (user.session_version or 1) + 1
    db.session.commit()


def set_locale(user: User, locale: str | None, *, actor_id: int | None = None) -> User:
    """Save the user's interface language (``en``, ``ru`` or None for the browser's) and commit.

    Raises
    ------
    UserError
        A locale the app does not offer.
    """
    if locale is not None and locale not in LOCALES:
        raise UserError(_("unknown locale %(locale)r; expected one of %(locales)s", locale=locale,
                          locales=", ".join(LOCALES)), "locale")
    if user.locale != locale:
        audit.record("update", "user", user.id, {"locale": [user.locale, locale]}, user_id=actor_id)
        user.locale = locale
        db.session.commit()
    return user


def create_heads(heads: dict[str, str], department_ids: dict[str, int], *, actor_id: int | None, now) -> list[str]:
    """Create a ``head`` user with no usable password for each ``{department code: e-mail}`` (an import).

    Written in the session (the caller commits), one audit row each; an admin sets the
    passwords. Returns the e-mails, in the order given.
    """
    if not heads:
        return []
    table = User.__table__
    db.session.execute(table.insert(), [
        {"email": email, "role": "head", "department_id": department_ids[code], "name": "", "password_hash": "",
         "version": 1, "session_version": 1, "created_at": now, "updated_at": now}
        for code, email in heads.items()])
    ids = dict(db.session.execute(db.select(table.c.email, table.c.id)
                                  .where(table.c.email.in_(list(heads.values())))).all())
    audit.record_many("create", "user", (
        (ids[email], {"email": [None, email], "role": [None, "head"], "department": [None, code]})
        for code, email in heads.items()), at=now, user_id=actor_id)
    return list(heads.values())
