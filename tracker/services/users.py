"""Users: authenticate, create, update, archive."""
from __future__ import annotations

import secrets

from sqlalchemy import func

from ..extensions import db
from ..models import DEPARTMENT_ROLES, ROLES, Department, User
from . import audit


class UserError(ValueError):
    """A user cannot be created or changed as asked; the message says why."""


def find_by_email(email: str) -> User | None:
    """The user with this e-mail, compared case-insensitively, or None."""
    return db.session.scalar(db.select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (no hint which part was wrong)."""
    user = find_by_email(email or "")
    if user is None or not user.is_active or not user.check_password(password or ""):
        return None
    return user


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
        Unknown role, duplicate e-mail, unknown department, or a head/member without one.
    """
    email = email.strip().lower()
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    if not email or "@" not in email:
        raise UserError(f"not an e-mail address: {email!r}")
    if find_by_email(email) is not None:
        raise UserError(f"a user with e-mail {email} already exists")
    department = None
    if department_code:
        department = db.session.scalar(db.select(Department).where(Department.code == department_code.strip()))
        if department is None:
            raise UserError(f"unknown department code {department_code!r}")
    if role in DEPARTMENT_ROLES and department is None:
        raise UserError(f"role {role} needs a department (--department CODE)")
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
