"""Users and their roles."""
from __future__ import annotations

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from .base import ArchiveMixin, TimestampMixin

ROLES = ("admin", "coo", "hr", "head", "member")
DEPARTMENT_ROLES = ("head", "member")


class User(UserMixin, TimestampMixin, ArchiveMixin, db.Model):
    """A person who logs in; ``head`` and ``member`` belong to one department."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'coo', 'hr', 'head', 'member')", name="role"),
        CheckConstraint(
            "role NOT IN ('head', 'member') OR department_id IS NOT NULL", name="department_role_has_department"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(256), default="")
    role: Mapped[str] = mapped_column(String(16))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Part of every session and remember-me cookie (see get_id); bumping it logs out every device.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    department: Mapped["Department | None"] = relationship()  # noqa: F821

    __mapper_args__ = {"version_id_col": version}

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """Flask-Login's alternative id ``"<id>:<session_version>"``: a cookie outlives no logout or new password."""
        return f"{self.id}:{self.session_version or 1}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses archived users
        return self.archived_at is None

    @property
    def display_name(self) -> str:
        return self.name or self.email

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
