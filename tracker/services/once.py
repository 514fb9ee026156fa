"""Create forms that are safe to send twice: the one mechanism every create form uses.

Two things make a double click, a resubmit or five identical concurrent POSTs give one row
and a clear answer for the rest, never a 500:

1. :func:`submit` runs a service's create function with a one-time **form token** (the
   hidden field of :class:`tracker.forms.CreateForm`): the token is stored in the same
   transaction as the new row (table ``form_submissions``, the token its primary key),
   so only one request can use it; the others get :class:`AlreadySubmitted`.
2. It also retries the create when the database refuses it for a concurrent writer (a
   unique key taken meanwhile: ``UniqueViolation`` on PostgreSQL, ``IntegrityError`` or
   "database is locked" after a stale read on SQLite). The retry runs the service's own
   checks again, which now see the committed row and say "… already exists".

Usage in a view (one service call)::

    fu = once.submit(form.form_token.data, service.open_follow_up, con, period, title, actor_id=user.id)

A create form without a natural unique key (rotations) relies on (1); one with a unique key
the database enforces (departments, users, periods; a follow-up is unique per agreement and
period) on (2). No create form has a mechanism of its own.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Callable, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, OperationalError

from ..extensions import db
from ..models import FormSubmission
from ..models.base import utcnow
from .settings import _

__all__ = ["AlreadySubmitted", "ATTEMPTS", "TOKEN_MAX", "submit"]

T = TypeVar("T")
#: How often a create refused for a concurrent writer is tried again (each try re-runs the service's checks).
ATTEMPTS = 6
TOKEN_MAX = 64
#: Tokens are kept this long: a resubmit after a day is a new submission.
KEEP = timedelta(days=1)


class AlreadySubmitted(ValueError):
    """The form with this one-time token was already sent and saved; nothing was created again."""

    def __init__(self) -> None:
        super().__init__(_("This form was already sent and saved once; it was not saved again."))


def submit(token: str | None, create: Callable[..., T], *args: Any, submitter_id: int | None = None,
           **kwargs: Any) -> T:
    """Run ``create(*args, **kwargs)`` (a service function that commits) once per form token.

    ``token`` empty or None skips the token (the create is still retried on a conflict).
    ``submitter_id`` (the user) is kept with the token for the record.

    Raises
    ------
    AlreadySubmitted
        The token was used by an earlier (or a concurrent, now committed) request.
    Exception
        Whatever ``create`` raises for bad input (its "already exists" included); the
        transaction is rolled back, so the token stays unused and the form can be sent again.
    """
    token = (token or "").strip()[:TOKEN_MAX]
    for attempt in range(ATTEMPTS):
        try:
            if token:
                _claim(token, submitter_id)
            return create(*args, **kwargs)
        except (IntegrityError, OperationalError) as exc:
            db.session.rollback()
            if attempt == ATTEMPTS - 1 or not _is_conflict(exc):
                raise
        except Exception:
            db.session.rollback()
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def _claim(token: str, user_id: int | None) -> None:
    """Store the token in the current transaction, or raise AlreadySubmitted when it is stored already."""
    if db.session.scalar(select(FormSubmission.token).where(FormSubmission.token == token)) is not None:
        raise AlreadySubmitted()
    db.session.execute(delete(FormSubmission).where(FormSubmission.created_at < utcnow() - KEEP))
    db.session.add(FormSubmission(token=token, user_id=user_id))
    db.session.flush()


def _is_conflict(exc: Exception) -> bool:
    """A refusal caused by a concurrent writer: a unique key taken, two periods overlapping, or SQLite's busy lock."""
    if isinstance(exc, IntegrityError):
        # A unique key, or the guard that periods never overlap (SQLite trigger; PostgreSQL exclusion, 23P01).
        text = str(exc.orig).lower()
        return "unique" in text or "duplicate" in text or "never overlap" in text or \
            getattr(exc.orig, "sqlstate", None) in ("23505", "23P01")
    return "database is locked" in str(exc.orig).lower()
