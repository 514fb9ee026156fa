"""Import jobs (an uploaded file checked and applied in the background) and saved survey mappings."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import TimestampMixin, utcnow

IMPORT_KINDS = ("organization", "survey")
IMPORT_STATUSES = ("queued", "running", "done", "failed")


class ImportJob(db.Model):
    """One uploaded file and its latest run: a preview (dry run) or an apply.

    ``token`` is the opaque id the pages use; ``stored_name`` the file's random name in
    ``instance/uploads`` (the client's file name is only shown, never used as a path).
    ``result`` is JSON: ``{"counts": {kind: [added, changed, unchanged]}, "problems":
    [{"file", "line", "column", "reason"}], "users_created": [...]}``.
    """

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="organization")
    filename: Mapped[str] = mapped_column(String(255), default="")
    stored_name: Mapped[str] = mapped_column(String(64))
    mapping: Mapped[str | None] = mapped_column(Text)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def result_data(self) -> dict[str, Any]:
        """The decoded ``result`` (empty until a run finished)."""
        return json.loads(self.result) if self.result else {}

    @property
    def mapping_data(self) -> dict[str, Any]:
        """The decoded survey mapping (empty for an organization import)."""
        return json.loads(self.mapping) if self.mapping else {}

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    def __repr__(self) -> str:
        return f"<ImportJob {self.token} {self.kind} {self.status}>"


class SurveyMapping(TimestampMixin, db.Model):
    """A named mapping of a survey tool's columns to rating fields, kept as JSON and reused each period."""

    __tablename__ = "survey_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    config: Mapped[str] = mapped_column(Text)

    @property
    def config_data(self) -> dict[str, Any]:
        """The decoded mapping."""
        return json.loads(self.config)

    def __repr__(self) -> str:
        return f"<SurveyMapping {self.name}>"
