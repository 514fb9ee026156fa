"""Periods, rating criteria and ratings."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    DDL,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin

PERIOD_STATUSES = ("planned", "open", "closed")
STANDARD_MET = ("met", "partly", "missed")


class Period(TimestampMixin, db.Model):
    """A rating cycle (a month or a quarter): planned → open → closed."""

    __tablename__ = "periods"
    __table_args__ = (
        CheckConstraint("status IN ('planned', 'open', 'closed')", name="status"),
        CheckConstraint("start_date <= end_date", name="dates_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(32), unique=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The organization's target and floor in force when the period closed (None while not closed):
    # the analysis of a closed period uses them, so later settings changes do not rewrite it.
    target: Mapped[float | None] = mapped_column(Float)
    floor: Mapped[float | None] = mapped_column(Float)
    # The KPI targets in force when the period closed, as JSON (see tracker.services.kpi.snapshot).
    kpi_targets: Mapped[str | None] = mapped_column(Text)

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"

    def __repr__(self) -> str:
        return f"<Period {self.label} {self.status}>"


#: The database's own guard that periods never overlap (services check first and say which period;
#: this holds against any other writer). The migration ``b7d1e0a11f01`` installs the same DDL.
PERIOD_OVERLAP_DDL = {
    "postgresql": [
        "ALTER TABLE periods ADD CONSTRAINT ex_periods_no_overlap "
        "EXCLUDE USING gist (daterange(start_date, end_date, '[]') WITH &&)",
    ],
    "sqlite": [
        "CREATE TRIGGER periods_no_overlap_insert BEFORE INSERT ON periods "
        "WHEN EXISTS (SELECT 1 FROM periods WHERE start_date <= NEW.end_date AND end_date >= NEW.start_date) "
        "BEGIN SELECT RAISE(ABORT, 'periods may never overlap'); END",
        "CREATE TRIGGER periods_no_overlap_update BEFORE UPDATE OF start_date, end_date ON periods "
        "WHEN EXISTS (SELECT 1 FROM periods WHERE id != NEW.id AND start_date <= NEW.end_date "
        "AND end_date >= NEW.start_date) "
        "BEGIN SELECT RAISE(ABORT, 'periods may never overlap'); END",
    ],
}

for _dialect, _statements in PERIOD_OVERLAP_DDL.items():
    for _statement in _statements:
        event.listen(Period.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))


class Criterion(TimestampMixin, db.Model):
    """A rating criterion scored 1–5; admins rename, reweight, add or retire them."""

    __tablename__ = "criteria"
    __table_args__ = (CheckConstraint("weight > 0", name="weight_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    name_ru: Mapped[str | None] = mapped_column(String(100))
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def __repr__(self) -> str:
        return f"<Criterion {self.key}>"


class Rating(TimestampMixin, db.Model):
    """One respondent's rating of one contract for one period, from the customer side.

    ``respondent_key`` is the respondent's e-mail or the reference from an imported
    file, lower-cased; empty for the one unnamed respondent of an external customer.
    ``health`` (0–100 points) is computed when the rating is saved, with the weights
    stored beside each score, so later reweighting does not rewrite history.
    """

    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("contract_id", "period_id", "respondent_key"),
        CheckConstraint("recommend IS NULL OR (recommend >= 0 AND recommend <= 10)", name="recommend_range"),
        CheckConstraint(
            "standard_met IS NULL OR standard_met IN ('met', 'partly', 'missed')", name="standard_met_values"
        ),
        CheckConstraint("health IS NULL OR (health >= 0 AND health <= 100)", name="health_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), index=True)
    respondent_key: Mapped[str] = mapped_column(String(254), default="")
    respondent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recommend: Mapped[int | None] = mapped_column(Integer)
    standard_met: Mapped[str | None] = mapped_column(String(8))
    no_interaction: Mapped[bool] = mapped_column(Boolean, default=False)
    comment: Mapped[str | None] = mapped_column(Text)
    health: Mapped[float | None] = mapped_column(Float)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    contract: Mapped["Contract"] = relationship()  # noqa: F821
    period: Mapped[Period] = relationship()
    respondent: Mapped["User | None"] = relationship(foreign_keys=[respondent_id])  # noqa: F821
    scores: Mapped[list[RatingScore]] = relationship(
        back_populates="rating", cascade="all, delete-orphan", order_by="RatingScore.criterion_id"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Rating c{self.contract_id} p{self.period_id} {self.respondent_key!r}>"


class RatingScore(db.Model):
    """A 1–5 score of one criterion in one rating, with the weight it was given then."""

    __tablename__ = "rating_scores"
    __table_args__ = (
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
        CheckConstraint("weight > 0", name="weight_positive"),
    )

    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id"), primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"), primary_key=True)
    score: Mapped[int] = mapped_column(Integer)
    weight: Mapped[float] = mapped_column(Float)

    rating: Mapped[Rating] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship()
