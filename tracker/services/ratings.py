"""Ratings: validate, compute health, save with an audit trail.

One rating per (contract, period, respondent). ``respondent_key`` is the respondent's
e-mail (lower case) or an imported reference; ``""`` is the one unnamed respondent.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from ..analysis import rating_health
from ..extensions import db
from ..models import STANDARD_MET, Contract, Criterion, Period, Rating, RatingScore
from . import audit, followups
from . import settings as settings_service
from .messages import _


class RatingError(ValueError):
    """A rating is refused; ``errors`` maps a field name to the reason (``""`` for the whole rating)."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in errors.items()))


@dataclass
class RatingInput:
    """What one respondent answered about one contract (scores keyed by criterion key; None is N/A)."""

    scores: dict[str, int | None] = field(default_factory=dict)
    recommend: int | None = None
    standard_met: str | None = None
    no_interaction: bool = False
    comment: str | None = None


#: A criterion scored at most this (1–5) needs a comment on the form.
COMMENT_SCORE_AT_MOST = 2
#: A 0–10 answer of at most this needs a comment on the form.
COMMENT_RECOMMEND_AT_MOST = 6


def comment_required(answer: RatingInput) -> bool:
    """True when the answer needs a comment: a criterion scored 1 or 2, or a 0–10 answer of 6 or below.

    The one home of the rule; the forms' script reads the two limits from the page
    (:data:`COMMENT_SCORE_AT_MOST`, :data:`COMMENT_RECOMMEND_AT_MOST`).
    """
    if answer.no_interaction:
        return False
    low_score = any(s is not None and s <= COMMENT_SCORE_AT_MOST for s in answer.scores.values())
    low_recommend = answer.recommend is not None and answer.recommend <= COMMENT_RECOMMEND_AT_MOST
    return low_score or low_recommend


def validate(answer: RatingInput, criteria: dict[str, Criterion], *, require_comment: bool = True) -> dict[str, str]:
    """Return ``{field: reason}`` for every problem of ``answer`` (empty when it is valid).

    ``require_comment`` is the form's nudge (:func:`comment_required`); imported history
    passes False: a low rating without a comment is data, counted in the preview.
    """
    errors: dict[str, str] = {}
    for key, score in answer.scores.items():
        if key not in criteria:
            errors[key] = f"unknown criterion {key!r}"
        elif score is not None and not (isinstance(score, int) and 1 <= score <= 5):
            errors[key] = f"score must be 1–5 or N/A, got {score!r}"
    if answer.recommend is not None and not (isinstance(answer.recommend, int) and 0 <= answer.recommend <= 10):
        errors["recommend"] = f"must be 0–10, got {answer.recommend!r}"
    if answer.standard_met is not None and answer.standard_met not in STANDARD_MET:
        errors["standard_met"] = f"must be met, partly or missed, got {answer.standard_met!r}"
    if require_comment and not errors and comment_required(answer) and not (answer.comment or "").strip():
        errors["comment"] = "a comment is required when a score is 1 or 2 or the 0–10 answer is 6 or below"
    if not errors and is_empty(answer):
        errors[""] = _("Answer at least one question, or tick “no interaction this period”.")
    return errors


def is_empty(answer: RatingInput) -> bool:
    """True when nothing was answered: every criterion N/A, no 0–10, no standard, no comment, no "no interaction"."""
    return (
        not answer.no_interaction
        and all(s is None for s in answer.scores.values())
        and answer.recommend is None
        and answer.standard_met is None
        and not (answer.comment or "").strip()
    )


def contract_active_in(contract: Contract, period: Period) -> bool:
    """True when ``contract`` is active in ``period`` (see :meth:`Contract.is_active_in`)."""
    return contract.is_active_in(period)


def save_rating(
    contract: Contract,
    period: Period,
    answer: RatingInput,
    *,
    respondent_key: str = "",
    respondent_id: int | None = None,
    actor_id: int | None = None,
    require_open: bool = True,
    criteria: dict[str, Criterion] | None = None,
) -> tuple[Rating, bool]:
    """Create or update one rating in the session (the caller commits); return ``(rating, changed)``.

    Health is :func:`tracker.analysis.rating_health` over the answered criteria with the
    current weights, which are stored beside each score.

    Raises
    ------
    RatingError
        The period is not open (when ``require_open``), the contract is not active in the
        period, or the answer is invalid (see :func:`validate`).
    """
    refusal = _refusal(contract, period, require_open=require_open)
    if refusal:
        raise RatingError({"": refusal})
    if criteria is None:
        criteria = {c.key: c for c in settings_service.active_criteria()}
    errors = validate(answer, criteria)
    if errors:
        raise RatingError(errors)
    respondent_key = (respondent_key or "").strip().lower()
    rating = _locked_rating(contract.id, period.id, respondent_key)
    if rating is None:
        change = rating_write(answer, respondent_id, criteria, None)
        rating_id = _insert_unless_present(contract.id, period.id, respondent_key,
                                           change.values | {"submitted_by_id": actor_id})
        if rating_id is not None:
            rating = db.session.get(Rating, rating_id)
            rating.scores = [RatingScore(criterion_id=cid, score=s, weight=w) for cid, s, w in change.scores.values()]
            db.session.flush()
            audit.record("create", "rating", rating.id, change.changes, user_id=actor_id)
            return rating, True
        # A concurrent request (double click, second tab, another worker) created it first: update that one.
        rating = _locked_rating(contract.id, period.id, respondent_key)

    change = rating_write(answer, respondent_id, criteria, stored_rating(rating))
    if change is None:
        return rating, False
    for key, value in change.values.items():
        setattr(rating, key, value)
    rating.submitted_by_id = actor_id
    rating.scores = [RatingScore(criterion_id=cid, score=s, weight=w) for cid, s, w in change.scores.values()]
    db.session.flush()
    audit.record("update", "rating", rating.id, change.changes, user_id=actor_id)
    return rating, True


# --- what a rating stores: the one rule of the form and the import ------------------------------

#: The stored fields of a rating that an answer sets, in audit order.
RATING_FIELDS = ("recommend", "standard_met", "no_interaction", "comment", "respondent_id", "health")


@dataclass
class RatingWrite:
    """What one rating stores after an answer, and its audit diff.

    ``values`` has the :data:`RATING_FIELDS`; ``scores`` maps a criterion key to
    ``(criterion id, score 1–5, weight)``; ``changes`` is the audit row's ``{field: [old, new]}``
    (scores as ``score.<key>``).
    """

    values: dict[str, Any]
    scores: dict[str, tuple[int, int, float]]
    changes: dict[str, list]


def stored_rating(rating: Rating) -> dict[str, Any]:
    """A saved rating as the plain dict :func:`rating_write` compares with (fields and ``scores``)."""
    return ({name: getattr(rating, name) for name in RATING_FIELDS}
            | {"scores": {s.criterion.key: (s.criterion_id, s.score, s.weight) for s in rating.scores}})


def rating_write(answer: RatingInput, respondent_id: int | None, criteria: dict[str, Criterion],
                 stored: dict[str, Any] | None) -> RatingWrite | None:
    """What saving ``answer`` stores over ``stored`` (None: a new rating); None when nothing would change.

    Pure: the single-row :func:`save_rating` and the bulk :func:`write_ratings` both ask it.
    History keeps the criteria it used: a retired criterion's stored score (its key not in
    ``criteria``) stays unless the answer says "no interaction"; a criterion scored before
    keeps the weight it was given then; one answered for the first time takes today's.
    Health is :func:`tracker.analysis.rating_health` (points 0–100) over the resulting
    scores and weights, None without scores.
    """
    old = stored["scores"] if stored else {}
    answered = {} if answer.no_interaction else {k: s for k, s in answer.scores.items() if s is not None}
    kept = {} if answer.no_interaction else {k: v for k, v in old.items() if k not in criteria}
    scores = kept | {k: (criteria[k].id, s, old[k][2] if k in old else criteria[k].weight)
                     for k, s in answered.items()}
    values = {
        "recommend": None if answer.no_interaction else answer.recommend,
        "standard_met": None if answer.no_interaction else answer.standard_met,
        "no_interaction": bool(answer.no_interaction),
        "comment": (answer.comment or "").strip() or None,
        "respondent_id": respondent_id,
        "health": (rating_health({k: s for k, (_c, s, _w) in scores.items()},
                                 {k: w for k, (_c, _s, w) in scores.items()}) if scores else None),
    }
    changes = audit.changes({name: stored[name] for name in RATING_FIELDS} if stored else {}, values)
    old_scores = {k: s for k, (_c, s, _w) in old.items()}
    new_scores = {k: s for k, (_c, s, _w) in scores.items()}
    changes |= {f"score.{k}": [old_scores.get(k), new_scores.get(k)]
                for k in (*old_scores, *(k for k in new_scores if k not in old_scores))
                if old_scores.get(k) != new_scores.get(k)}
    if stored is not None and not changes:
        return None
    return RatingWrite(values, scores, changes)


@dataclass
class NewRating:
    """One rating to create in bulk: its key and the answer (see :func:`write_ratings`)."""

    contract_id: int
    period_id: int
    respondent_key: str
    answer: RatingInput
    respondent_id: int | None = None


@dataclass
class RatingUpdate:
    """One stored rating to change in bulk: its id, the version read, and :func:`rating_write`'s result."""

    rating_id: int
    version: int
    write: RatingWrite


def write_ratings(new: Iterable[NewRating], updates: list[RatingUpdate], criteria: dict[str, Criterion], *,
                  actor_id: int | None, now: datetime) -> tuple[list[int], list[int]]:
    """Create and change many ratings in the session (the caller commits); return (new ids, changed ids).

    The bulk twin of :func:`save_rating`: the same :func:`rating_write` decides what is
    stored and audited; rows go in executemany batches of :data:`audit.BATCH` (no ORM
    object per rating). The answers must have passed :func:`validate` already.

    Raises
    ------
    RatingConflict
        A rating of ``updates`` was saved by someone else since its version was read
        (checked where the driver reports row counts of executemany).
    """
    changed = _update_ratings(updates, actor_id=actor_id, now=now) if updates else []
    created: list[int] = []
    batch: list[NewRating] = []
    for item in new:
        batch.append(item)
        if len(batch) == audit.BATCH:
            created += _insert_ratings(batch, criteria, actor_id=actor_id, now=now)
            batch = []
    if batch:
        created += _insert_ratings(batch, criteria, actor_id=actor_id, now=now)
    return created, changed


def _insert_ratings(batch: list[NewRating], criteria: dict[str, Criterion], *, actor_id: int | None,
                    now: datetime) -> list[int]:
    """INSERT one batch of new ratings, their scores and a ``create`` audit row each."""
    writes = [rating_write(item.answer, item.respondent_id, criteria, None) for item in batch]
    table = Rating.__table__
    # Plain tuples to the driver (audit.insert_rows): the ORM's bulk path with RETURNING spliced its batches in
    # quadratic time on SQLite, and Core's per-row parameter dicts cost more than the database's work.
    audit.insert_rows(table, (*RATING_FIELDS, "contract_id", "period_id", "respondent_key", "submitted_by_id",
                              "version", "created_at", "updated_at"),
                      ((*(w.values[name] for name in RATING_FIELDS), i.contract_id, i.period_id, i.respondent_key,
                        actor_id, 1, now, now) for i, w in zip(batch, writes)))
    ids = {tuple(row[1:]): row[0] for row in db.session.execute(
        select(table.c.id, table.c.contract_id, table.c.period_id, table.c.respondent_key)
        .where(table.c.period_id.in_({i.period_id for i in batch}),
               table.c.contract_id.in_({i.contract_id for i in batch})))}
    rating_ids = [ids[(i.contract_id, i.period_id, i.respondent_key)] for i in batch]
    audit.insert_rows(RatingScore.__table__, ("rating_id", "criterion_id", "score", "weight"),
                      ((rid, cid, s, w) for rid, write in zip(rating_ids, writes) for cid, s, w in write.scores.values()))
    audit.record_many("create", "rating", ((rid, w.changes) for rid, w in zip(rating_ids, writes)),
                      at=now, user_id=actor_id)
    return rating_ids


def _update_ratings(updates: list[RatingUpdate], *, actor_id: int | None, now: datetime) -> list[int]:
    """UPDATE changed ratings (guarded by the version read), replace their scores, audit each."""
    ratings, scores_table = Rating.__table__, RatingScore.__table__
    statement = (ratings.update()
                 .where(ratings.c.id == bindparam("b_id"), ratings.c.version == bindparam("b_version"))
                 .values({name: bindparam(f"b_{name}") for name in RATING_FIELDS}
                         | {"submitted_by_id": bindparam("b_submitted_by_id"), "version": ratings.c.version + 1,
                            "updated_at": bindparam("b_updated_at")}))
    connection = db.session.connection()
    check_rows = connection.dialect.supports_sane_multi_rowcount
    for start in range(0, len(updates), audit.BATCH):
        batch = updates[start:start + audit.BATCH]
        done = connection.execute(statement, [
            {"b_id": u.rating_id, "b_version": u.version, "b_submitted_by_id": actor_id, "b_updated_at": now}
            | {f"b_{name}": u.write.values[name] for name in RATING_FIELDS} for u in batch])
        if check_rows and done.rowcount != len(batch):
            raise RatingConflict("ratings were changed while the import ran; nothing was imported, try again")
        connection.execute(scores_table.delete().where(scores_table.c.rating_id == bindparam("b_id")),
                           [{"b_id": u.rating_id} for u in batch])
        scores = [{"rating_id": u.rating_id, "criterion_id": cid, "score": score, "weight": weight}
                  for u in batch for cid, score, weight in u.write.scores.values()]
        if scores:
            connection.execute(scores_table.insert(), scores)
        audit.record_many("update", "rating", ((u.rating_id, u.write.changes) for u in batch),
                          at=now, user_id=actor_id)
    return [u.rating_id for u in updates]


#: How often a bulk submission is redone when a concurrent save of the same rating overtook it.
SAVE_ATTEMPTS = 5


class RatingsError(ValueError):
    """A bulk submission is refused as a whole; ``errors`` maps a contract id to ``{field: reason}``."""

    def __init__(self, errors: dict[int, dict[str, str]]):
        self.errors = errors
        super().__init__("; ".join(f"contract {cid}: {RatingError(errs)}" for cid, errs in errors.items()))


class RatingConflict(RuntimeError):
    """A concurrent save of the same rating kept overtaking this one; nothing of it was saved."""


class PeriodNotOpen(RatingsError):
    """The period is not open (any more): nothing was saved; ``errors`` has the reason under ``""``."""


def check_answers(
    period: Period,
    answers: list[tuple[Contract, RatingInput]],
    *,
    criteria: dict[str, Criterion] | None = None,
) -> dict[int, dict[str, str]]:
    """Return ``{contract id: {field: reason}}`` for every answer that :func:`save_rating` would refuse.

    Nothing is written; an empty dict means every answer may be saved.
    """
    if criteria is None:
        criteria = {c.key: c for c in settings_service.active_criteria()}
    errors: dict[int, dict[str, str]] = {}
    for contract, answer in answers:
        refusal = _refusal(contract, period, require_open=True)
        errs = {"": refusal} if refusal else validate(answer, criteria)
        if errs:
            errors[contract.id] = errs
    return errors


def submit_ratings(
    period: Period,
    answers: list[tuple[Contract, RatingInput]],
    *,
    respondent_key: str,
    respondent_id: int | None = None,
    actor_id: int | None = None,
    respondent_keys: dict[int, str] | None = None,
) -> int:
    """Save one respondent's ratings of several contracts as ONE transaction; return how many changed.

    ``respondent_keys`` overrides ``respondent_key`` per contract id (a head editing the
    blank-respondent rating ``""`` an import stored for them).

    Every answer is checked first (:func:`check_answers`); when any is refused nothing
    is written. Each created or changed rating gets its audit row in the same commit.

    Raises
    ------
    RatingsError
        At least one answer is refused; ``errors`` has the reasons of every refused answer.
    PeriodNotOpen
        (a RatingsError) the period closed before the ratings could be written.
    RatingConflict
        Concurrent saves of the same rating kept overtaking this one (after ``SAVE_ATTEMPTS``).
    """
    status = db.session.scalar(select(Period.status).where(Period.id == period.id))
    if status != "open":
        raise PeriodNotOpen({contract.id: {"": _refusal_text(period, status)} for contract, _a in answers})
    criteria = {c.key: c for c in settings_service.active_criteria()}
    errors = check_answers(period, answers, criteria=criteria)
    if errors:
        raise RatingsError(errors)
    for attempt in range(1, SAVE_ATTEMPTS + 1):
        changed = 0
        try:
            if attempt > 1:
                _serialize_writers()
            # FOR SHARE (PostgreSQL): closing the period waits until these ratings are committed.
            status = db.session.scalar(select(Period.status).where(Period.id == period.id)
                                       .with_for_update(read=True))
            if status != "open":
                db.session.rollback()
                raise PeriodNotOpen({contract.id: {"": _refusal_text(period, status)} for contract, _a in answers})
            for contract, answer in answers:
                _rating, was_changed = save_rating(
                    contract, period, answer,
                    respondent_key=(respondent_keys or {}).get(contract.id, respondent_key),
                    respondent_id=respondent_id, actor_id=actor_id, criteria=criteria,
                )
                changed += was_changed
            # A low rating opens the agreement's follow-up in this same transaction (one per period).
            followups.open_for_low_ratings([(contract.id, period.id) for contract, _a in answers], actor_id=actor_id)
            db.session.commit()
            return changed
        except (StaleDataError, OperationalError) as exc:
            # The same respondent's other tab or request saved one of these ratings between our
            # read and our write (its version moved on), or SQLite stayed locked past its busy
            # timeout: forget what was read, read the ratings again and redo the whole.
            db.session.rollback()
            db.session.expire_all()
            if isinstance(exc, OperationalError) and not _is_lock_error(exc):
                raise
            if attempt == SAVE_ATTEMPTS:
                raise RatingConflict(str(exc)) from exc
            time.sleep(0.01 * attempt)
        except PeriodNotOpen:
            raise
        except RatingError as exc:  # pragma: no cover - check_answers refuses the same answers first
            db.session.rollback()
            raise RatingsError({contract.id: exc.errors}) from exc
        except Exception:
            db.session.rollback()
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def _is_lock_error(exc: OperationalError) -> bool:
    """True for SQLite's "database is locked" (a busy writer), the only operational error worth a retry."""
    return "locked" in str(exc.orig).lower() or "busy" in str(exc.orig).lower()


def _locked_rating(contract_id: int, period_id: int, respondent_key: str) -> Rating | None:
    """The saved rating of (contract, period, respondent), freshly read and locked for this transaction.

    ``FOR UPDATE`` (PostgreSQL; SQLite serializes writers anyway) makes a concurrent save of
    the same rating wait and then see this one's result; ``populate_existing`` replaces what
    the session loaded earlier (the form's view of the rating), scores included.
    """
    return db.session.scalar(
        db.select(Rating).filter_by(contract_id=contract_id, period_id=period_id, respondent_key=respondent_key)
        .options(selectinload(Rating.scores).joinedload(RatingScore.criterion)).with_for_update(of=Rating)
        .execution_options(populate_existing=True)
    )


def _serialize_writers() -> None:
    """On SQLite, take the database's write lock now, before the rating is read (a row lock emulation).

    Used when a save is redone after a concurrent one overtook it, so the redo cannot be overtaken.

    pysqlite reads outside a transaction and begins one only at the first write, so two
    requests could both read version n and the later write would fail with a stale version.
    A no-op UPDATE begins the write transaction first: a concurrent save waits (busy
    timeout) until this one commits and then reads its result. PostgreSQL needs nothing
    here: ``FOR UPDATE`` in :func:`_locked_rating` locks the row.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(update(Rating).where(Rating.id == -1).values(version=Rating.version)
                           .execution_options(synchronize_session=False))


def _insert_unless_present(contract_id: int, period_id: int, respondent_key: str, values: dict) -> int | None:
    """INSERT the rating row unless (contract, period, respondent) already has one; return the new id or None.

    ``ON CONFLICT DO NOTHING`` waits for a concurrent transaction that inserts the same key
    and then yields to it, so two simultaneous submissions never raise an IntegrityError.
    (A SAVEPOINT around a plain INSERT would do on PostgreSQL, but pysqlite commits the
    whole transaction when a savepoint opened it, which would break all-or-nothing.)
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(Rating)
        .values(contract_id=contract_id, period_id=period_id, respondent_key=respondent_key, **values)
        .on_conflict_do_nothing(index_elements=["contract_id", "period_id", "respondent_key"])
        .returning(Rating.id)
    )
    return db.session.execute(stmt).scalar()


def _refusal_text(period: Period, status: str | None) -> str:
    return f"period {period.label} is {status}; ratings can be changed only while it is open"


def _refusal(contract: Contract, period: Period, *, require_open: bool) -> str | None:
    """Why no rating of ``contract`` may be saved for ``period``, or None."""
    if require_open and not period.is_open:
        return _refusal_text(period, period.status)
    if not contract_active_in(contract, period):
        return f"the agreement is not active in period {period.label}"
    return None
