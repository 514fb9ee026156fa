"""Rows that guard the app against its own concurrency: one-time form tokens and shared rate-limit counters."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import utcnow


class FormSubmission(db.Model):
    """A one-time form token that was used: a create form sent twice (a double click) finds it here.

    The primary key is the token itself, so two concurrent claims of one token cannot both
    commit (see :mod:`tracker.services.once`). Rows older than a day are pruned.
    """

    __tablename__ = "form_submissions"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<FormSubmission {self.token[:8]}… user={self.user_id}>"


class RateLimitCounter(db.Model):
    """One fixed-window rate-limit counter (the login limit), shared by every worker through the database.

    ``expires_at`` is seconds since the epoch (UTC) when the window ends; see
    :mod:`tracker.services.ratelimit`.
    """

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float, index=True)

    def __repr__(self) -> str:
        return f"<RateLimitCounter {self.key} {self.count}>"
