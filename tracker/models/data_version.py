"""The data version: one row whose token changes whenever data the analysis reads changes."""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class DataVersion(db.Model):
    """The single row ``id = 1``; ``token`` is a fresh random hex string after every such commit.

    Computed results (a period's analysis, a drawn graph) are cached under the token they were
    computed from, so a new rating, agreement or setting makes every copy stale in every worker.
    """

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
