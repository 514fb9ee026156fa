"""Departments, the services they supply, and the contracts between them."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import ArchiveMixin, TimestampMixin

DEPARTMENT_KINDS = ("internal", "external")
CRITICALITY_NAMES = {1: "low", 2: "medium", 3: "high"}


def utc_naive(moment: datetime) -> datetime:
    """``moment`` as a naive UTC datetime (SQLite gives naive ones back), so any two compare."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


class Department(TimestampMixin, ArchiveMixin, db.Model):
    """An organizational unit (internal) or a segment of real customers (external): a graph node."""

    __tablename__ = "departments"
    __table_args__ = (CheckConstraint("kind IN ('internal', 'external')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="internal")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    parent: Mapped[Department | None] = relationship(remote_side=[id])
    services: Mapped[list[Service]] = relationship(back_populates="department")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_external(self) -> bool:
        return self.kind == "external"

    def is_shown_in(self, period: "Period") -> bool:  # noqa: F821
        """True when the department belongs to ``period``'s analysis: not archived, or archived after it closed."""
        if self.archived_at is None:
            return True
        closed_at = period.closed_at if period.status == "closed" else None
        return closed_at is not None and utc_naive(self.archived_at) > utc_naive(closed_at)

    def __repr__(self) -> str:
        return f"<Department {self.code}>"


class Service(TimestampMixin, ArchiveMixin, db.Model):
    """An internal product or service that one supplier department provides."""

    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("department_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)

    department: Mapped[Department] = relationship(back_populates="services")

    def __repr__(self) -> str:
        return f"<Service {self.name!r}>"


class Contract(TimestampMixin, ArchiveMixin, db.Model):
    """An agreement: supplier delivers a service to customer; a directed edge supplier → customer."""

    __tablename__ = "contracts"
    __table_args__ = (
        CheckConstraint("supplier_id <> customer_id", name="distinct_parties"),
        CheckConstraint("criticality BETWEEN 1 AND 3", name="criticality_range"),
        CheckConstraint("target IS NULL OR (target >= 0 AND target <= 100)", name="target_range"),
        CheckConstraint("floor IS NULL OR (floor >= 0 AND floor <= 100)", name="floor_range"),
        CheckConstraint("start_date IS NULL OR end_date IS NULL OR start_date <= end_date", name="dates_order"),
        # One active contract per (supplier, customer, service); archived ones keep their history.
        Index(
            "uq_contracts_active_link",
            "supplier_id",
            "customer_id",
            "service_id",
            unique=True,
            sqlite_where=text("archived_at IS NULL"),
            postgresql_where=text("archived_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    criticality: Mapped[int] = mapped_column(Integer, default=2)
    target: Mapped[float | None]
    floor: Mapped[float | None]
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    transfer_price: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    standard: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    supplier: Mapped[Department] = relationship(foreign_keys=[supplier_id])
    customer: Mapped[Department] = relationship(foreign_keys=[customer_id])
    service: Mapped[Service] = relationship()
    respondents: Mapped[list["ContractRespondent"]] = relationship(back_populates="contract")

    __mapper_args__ = {"version_id_col": version}

    def is_active_in(self, period: "Period | date", end: date | None = None) -> bool:  # noqa: F821
        """True when the contract is active in ``period`` (or in the dates ``[start, end]``).

        Its validity dates (if any) overlap the period, and it is not archived — except that a
        closed period is read-only: a contract archived after the period was closed is still
        active in it, and one created after the period was closed is not. The SQL twin is
        :func:`tracker.services.analysis.active_contracts_condition`.
        """
        if end is None:
            start, end = period.start_date, period.end_date
            closed_at = period.closed_at if period.status == "closed" else None
        else:
            start, closed_at = period, None
        if self.start_date is not None and self.start_date > end:
            return False
        if self.end_date is not None and self.end_date < start:
            return False
        if closed_at is None:
            return self.archived_at is None
        if self.created_at is not None and utc_naive(self.created_at) > utc_naive(closed_at):
            return False
        return self.archived_at is None or utc_naive(self.archived_at) > utc_naive(closed_at)

    @property
    def label(self) -> str:
        return f"{self.supplier.code} → {self.customer.code}: {self.service.name}"

    def __repr__(self) -> str:
        return f"<Contract {self.id} {self.supplier_id}->{self.customer_id}>"


class ContractRespondent(TimestampMixin, db.Model):
    """A colleague of the customer department whom the head added as a respondent of a contract."""

    __tablename__ = "contract_respondents"
    __table_args__ = (UniqueConstraint("contract_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    contract: Mapped[Contract] = relationship(back_populates="respondents")
    user: Mapped["User"] = relationship(foreign_keys=[user_id])  # noqa: F821
