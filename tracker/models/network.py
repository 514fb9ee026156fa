"""Informal network surveys: who goes to whom for advice, kept as department-level volumes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow


class NetworkSurvey(db.Model):
    """One imported network survey ("whom do you go to for help or advice?").

    Only the department roll-up is kept (see :class:`NetworkVolume`); the person-level
    answers are read, counted and dropped, so the survey's respondents stay anonymous.
    ``token`` makes one upload one survey, however often its form is submitted.
    Department codes are the survey's own; they meet the organization's departments
    by code when the survey is compared with the agreements.
    """

    __tablename__ = "network_surveys"
    __table_args__ = (CheckConstraint("people >= 0 AND ties >= 0", name="counts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    relation: Mapped[str | None] = mapped_column(String(100))
    department_column: Mapped[str] = mapped_column(String(100), default="")
    people: Mapped[int] = mapped_column(Integer)
    ties: Mapped[int] = mapped_column(Integer)
    self_pairs: Mapped[int] = mapped_column(Integer, default=0)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    volumes: Mapped[list[NetworkVolume]] = relationship(back_populates="survey", cascade="all, delete-orphan",
                                                         order_by="NetworkVolume.id")

    def __repr__(self) -> str:
        return f"<NetworkSurvey {self.id} {self.name!r}>"


class NetworkVolume(db.Model):
    """Ties from ``customer_code``'s people to ``supplier_code``'s people in one survey.

    A row whose two codes are equal holds the ties inside that department; a department
    with people but no tie at all has a row with volume 0, so the survey remembers which
    departments took part.
    """

    __tablename__ = "network_volumes"
    __table_args__ = (
        UniqueConstraint("survey_id", "supplier_code", "customer_code"),
        CheckConstraint("volume >= 0", name="volume_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("network_surveys.id", ondelete="CASCADE"), index=True)
    supplier_code: Mapped[str] = mapped_column(String(64))
    customer_code: Mapped[str] = mapped_column(String(64))
    volume: Mapped[int] = mapped_column(Integer)

    survey: Mapped[NetworkSurvey] = relationship(back_populates="volumes")
