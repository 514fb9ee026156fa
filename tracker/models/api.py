"""Personal API tokens: a user's bearer credentials for the read-only JSON API."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow


class ApiToken(db.Model):
    """A named personal API token; only the SHA-256 of its secret is stored.

    The plain token reads ``trk_<key>_<secret>``: ``key`` is a public lookup id (hex),
    ``secret_hash`` the hex SHA-256 of ``secret``. The plain token is shown once, when
    it is created, and never again. A revoked token stays for the record.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped["User"] = relationship()  # noqa: F821

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def hint(self) -> str:
        """What the profile page shows of the token: its public part only."""
        return f"trk_{self.key}_…"

    def __repr__(self) -> str:
        return f"<ApiToken {self.key} user={self.user_id}>"
