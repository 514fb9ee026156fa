"""Follow-ups, rotations, KPI targets, settings and the audit log."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin, utcnow


#: Follow-up states in lifecycle order; ``confirmed`` and ``cancelled`` (closed without action) are final.
FOLLOW_UP_STATES = ("open", "acknowledged", "planned", "resolved", "confirmed", "cancelled")
FOLLOW_UP_FINAL = ("confirmed", "cancelled")


class FollowUp(TimestampMixin, db.Model):
    """An action item opened on a low rating, owned by a person of the supplier department.

    One per (contract, period): later low ratings of the same agreement in the period are
    listed on it, never a second follow-up (the unique constraint holds under concurrency).
    ``ack_due`` is when the owner must acknowledge it, ``due_date`` when it must be resolved.
    """

    __tablename__ = "follow_ups"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'acknowledged', 'planned', 'resolved', 'confirmed', 'cancelled')",
                        name="status"),
        CheckConstraint("opened_by IN ('rating', 'close', 'manual')", name="opened_by"),
        UniqueConstraint("contract_id", "period_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"))
    rating_id: Mapped[int | None] = mapped_column(ForeignKey("ratings.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    root_cause: Mapped[str | None] = mapped_column(Text)
    response: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    opened_by: Mapped[str] = mapped_column(String(16), default="manual", server_default="manual")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    ack_due: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    contract: Mapped["Contract"] = relationship()  # noqa: F821
    period: Mapped["Period"] = relationship()  # noqa: F821
    owner: Mapped["User | None"] = relationship(foreign_keys=[owner_id])  # noqa: F821
    actions: Mapped[list["FollowUpAction"]] = relationship(back_populates="follow_up",
                                                           order_by="FollowUpAction.id")
    events: Mapped[list["FollowUpEvent"]] = relationship(back_populates="follow_up", order_by="FollowUpEvent.id")

    @property
    def is_final(self) -> bool:
        return self.status in FOLLOW_UP_FINAL


class FollowUpAction(TimestampMixin, db.Model):
    """One planned action of a follow-up: what, who, by when."""

    __tablename__ = "follow_up_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(ForeignKey("follow_ups.id"), index=True)
    what: Mapped[str] = mapped_column(Text)
    who: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    follow_up: Mapped[FollowUp] = relationship(back_populates="actions")


class FollowUpEvent(db.Model):
    """One step of a follow-up's timeline: who moved it from which state to which, and what they wrote."""

    __tablename__ = "follow_up_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(ForeignKey("follow_ups.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(Text)

    follow_up: Mapped[FollowUp] = relationship(back_populates="events")
    user: Mapped["User | None"] = relationship()  # noqa: F821


class Notification(db.Model):
    """An in-app notice to one user; ``key`` makes the same notice unique, ``emailed_at`` marks it sent."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))
    follow_up_id: Mapped[int | None] = mapped_column(ForeignKey("follow_ups.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


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
