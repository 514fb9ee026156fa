"""Follow-ups, rotations, KPI targets, settings and the audit log."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin, utcnow


class FollowUp(TimestampMixin, db.Model):
    """An action item opened on a low rating, owned by the supplier's head."""

    __tablename__ = "follow_ups"
    __table_args__ = (CheckConstraint("status IN ('open', 'done', 'cancelled')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"))
    rating_id: Mapped[int | None] = mapped_column(ForeignKey("ratings.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    response: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    due_date: Mapped[date | None] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    contract: Mapped["Contract"] = relationship()  # noqa: F821
    period: Mapped["Period"] = relationship()  # noqa: F821


class Rotation(TimestampMixin, db.Model):
    """A person of one department spends half a day or a day in another."""

    __tablename__ = "rotations"
    __table_args__ = (
        CheckConstraint("from_department_id <> to_department_id", name="distinct_departments"),
        CheckConstraint("duration IN ('half_day', 'day')", name="duration"),
        CheckConstraint("status IN ('planned', 'done', 'cancelled')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    from_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    to_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    person: Mapped[str] = mapped_column(String(200))
    on_date: Mapped[date] = mapped_column(Date)
    duration: Mapped[str] = mapped_column(String(16), default="day")
    status: Mapped[str] = mapped_column(String(16), default="planned")
    notes: Mapped[str | None] = mapped_column(Text)
    # Issue 16: the person may be a user (else a name, with from_department as home), the plan's
    # period, why, which agreement it should help, what each side noted and why it was cancelled.
    person_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    period_id: Mapped[int | None] = mapped_column(ForeignKey("periods.id"), index=True)
    purpose: Mapped[str | None] = mapped_column(Text)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    visitor_note: Mapped[str | None] = mapped_column(Text)
    host_note: Mapped[str | None] = mapped_column(Text)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # The form's one-time token: a double click posts it twice, the database keeps one row.
    request_token: Mapped[str | None] = mapped_column(String(64), unique=True)


class KpiTarget(TimestampMixin, db.Model):
    """A department's own customer-orientation target, overriding the organization default for one KPI.

    Organization defaults are settings (``kpi.<metric>``, see :mod:`tracker.services.kpi`); a closed
    period keeps the targets in force when it closed in ``Period.kpi_targets``.
    """

    __tablename__ = "kpi_targets"
    __table_args__ = (
        UniqueConstraint("department_id", "metric"),
        CheckConstraint(
            "metric IN ('nps', 'csat', 'standard_met', 'response_rate', 'followups_on_time', 'mean_health')",
            name="metric",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    metric: Mapped[str] = mapped_column(String(32))
    target: Mapped[float] = mapped_column(Float)


class Setting(db.Model):
    """An organization setting (target, floor, default locale, …) as text."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class AuditLog(db.Model):
    """Who changed what, when: ``changes`` is JSON ``{field: [old, new]}``."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(32), index=True)
    entity_id: Mapped[int | None] = mapped_column(Integer)
    changes: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)

    user: Mapped["User | None"] = relationship()  # noqa: F821
