"""Organization settings and rating criteria, with their defaults."""
from __future__ import annotations

import re
from collections.abc import Iterable

from ..extensions import db
from ..models import Criterion, Setting
from ..models.base import utcnow
from . import audit
from .messages import _

DEFAULTS: dict[str, str] = {
    "target": "75",
    "floor": "50",
    "default_locale": "en",
    "hr_sees_comments": "no",
    # Answers below which a figure says "small sample" instead of a verdict (scorecards, issue 13).
    "small_sample": "5",
    # Rotations (issue 16): people a department sends / hosts per week, unless a
    # "rotation_sends_per_week:CODE" or "rotation_hosts_per_week:CODE" row overrides it;
    # periods a pair's last rotation keeps it out of the suggestions; the calendar's zone.
    "rotation_sends_per_week": "2",
    "rotation_hosts_per_week": "2",
    "rotation_skip_periods": "2",
    "timezone": "Europe/Moscow",
    # Follow-up due dates, in working days from the opening; notices "period ends soon", in days.
    "followup_ack_days": "5",
    "followup_resolve_days": "20",
    "notify_ending_days": "7",
    "shadow_threshold": "3",  # informal ties that make a shadow service (tracker.services.network)
}

DEFAULT_CRITERIA = (
    ("quality", "Quality", "Качество"),
    ("timeliness", "Timeliness", "Своевременность"),
    ("communication", "Communication", "Коммуникация"),
    ("value", "Value for money", "Соотношение цены и качества"),
)


def get(key: str) -> str:
    """The setting ``key`` as text, or its default. Raises KeyError for an unknown key."""
    row = db.session.get(Setting, key)
    return row.value if row is not None else DEFAULTS[key]


def all_settings() -> dict[str, str]:
    """Every setting, defaults filled in."""
    values = dict(DEFAULTS)
    values.update({row.key: row.value for row in db.session.scalars(db.select(Setting))})
    return values


def time_zone():
    """The organization's time zone, setting ``timezone`` (a :class:`zoneinfo.ZoneInfo`; UTC if unknown here)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(get("timezone"))
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def target() -> float:
    """Organization health target T, points 0–100."""
    return float(get("target"))


def floor() -> float:
    """Organization quality floor F, points 0–100."""
    return float(get("floor"))


def active_criteria() -> list[Criterion]:
    """Criteria not retired, in form order."""
    return list(
        db.session.scalars(
            db.select(Criterion).where(Criterion.retired_at.is_(None)).order_by(Criterion.position, Criterion.id)
        )
    )


def ensure_defaults() -> None:
    """Create the four standard criteria when there are none, and the data-version row (idempotent; commits)."""
    from ..models import DataVersion
    from .data_version import new_token

    if db.session.get(DataVersion, 1) is None:
        db.session.add(DataVersion(id=1, token=new_token()))
        db.session.commit()
    if db.session.scalar(db.select(db.func.count()).select_from(Criterion)):
        return
    for position, (key, name, name_ru) in enumerate(DEFAULT_CRITERIA):
        db.session.add(Criterion(key=key, name=name, name_ru=name_ru, weight=1.0, position=position))
    db.session.commit()


class SettingsError(ValueError):
    """Settings or a criterion change is refused; ``errors`` maps a form field (``""``: whole form) to the reason."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in errors.items()))


LOCALES = ("en", "ru")


def set_organization(
    *, target: float, floor: float, hr_sees_comments: bool, default_locale: str, actor_id: int | None = None
) -> dict[str, list]:
    """Save target T and floor F (points 0–100, F < T), HR's access to comments and the default locale.

    Commits once with one audit row of the changed settings; returns ``{key: [old, new]}``.

    Raises
    ------
    SettingsError
        A value outside 0–100, floor not below target, or an unknown locale.
    """
    errors: dict[str, str] = {}
    for key, value in (("target", target), ("floor", floor)):
        if value is None or not 0 <= value <= 100:
            errors[key] = _("Enter a number from 0 to 100.")
    if not errors and floor >= target:
        errors["floor"] = _("The floor must be below the target.")
    if default_locale not in LOCALES:
        errors["default_locale"] = _("Choose English or Russian.")
    if errors:
        raise SettingsError(errors)
    new = {
        "target": f"{float(target):g}",
        "floor": f"{float(floor):g}",
        "hr_sees_comments": "yes" if hr_sees_comments else "no",
        "default_locale": default_locale,
    }
    return save_settings(new, actor_id=actor_id)


def save_settings(new: dict[str, str], *, remove: Iterable[str] = (), actor_id: int | None = None
                  ) -> dict[str, list]:
    """Store ``new`` (``{key: text}``) and delete the stored keys of ``remove``, already validated.

    One audit row of what changed (``{key: [old, new]}``, ``None`` for a removed key), one commit
    when anything changed; returns the changes. The one writer of settings rows.
    """
    current = all_settings()
    removed = [k for k in remove if k in current and k not in new]
    changes = {k: [current.get(k), v] for k, v in new.items() if current.get(k) != v}
    changes |= {k: [current[k], None] for k in removed}
    for key in removed:
        row = db.session.get(Setting, key)
        if row is not None:
            db.session.delete(row)
    for key, value in new.items():
        if key not in changes:
            continue
        row = db.session.get(Setting, key)
        if row is None:
            db.session.add(Setting(key=key, value=value))
        else:
            row.value = value
    if changes:
        audit.record("update", "setting", None, changes, user_id=actor_id)
        db.session.commit()
    return changes


def all_criteria() -> list[Criterion]:
    """Every criterion, active ones first in form order, then retired ones."""
    return list(
        db.session.scalars(
            db.select(Criterion).order_by(Criterion.retired_at.is_not(None), Criterion.position, Criterion.id)
        )
    )


def _validate_criterion(name: str, weight: float | None, name_ru: str | None = None,
                        criterion: Criterion | None = None) -> dict[str, str]:
    errors = {}
    if not name:
        errors["name"] = _("Enter the criterion's name.")
    elif len(name) > 100:
        errors["name"] = _("A name has at most 100 characters.")
    if weight is None or not weight > 0:
        errors["weight"] = _("The weight must be greater than 0.")
    # Two criteria of one name make the rating form and the reports ambiguous, in either language.
    # Compared in Python: a handful of rows, and SQL lower() does not fold Cyrillic on SQLite.
    others = db.session.scalars(db.select(Criterion).where(Criterion.id != (criterion.id if criterion else -1)))
    taken = {}
    for other in others:
        for other_name in (other.name, other.name_ru):
            if other_name:
                taken.setdefault(other_name.casefold(), other_name)
    for field, value in (("name", name), ("name_ru", name_ru)):
        if value and field not in errors and value.casefold() in taken:
            errors[field] = _("Another criterion is already called “%(name)s”.", name=taken[value.casefold()])
    return errors


def add_criterion(name: str, name_ru: str = "", weight: float = 1.0, *, actor_id: int | None = None) -> Criterion:
    """Add a criterion at the end of the rating form and commit; its key is made from the English name.

    Raises
    ------
    SettingsError
        Empty name, a name (English or Russian) another criterion has (case-insensitive), or
        weight not above 0.
    """
    name, name_ru = (name or "").strip(), (name_ru or "").strip()
    errors = _validate_criterion(name, weight, name_ru)
    if errors:
        raise SettingsError(errors)
    base = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:24] or "criterion"
    taken = set(db.session.scalars(db.select(Criterion.key)))
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    position = (db.session.scalar(db.select(db.func.max(Criterion.position))) or 0) + 1
    criterion = Criterion(key=key, name=name, name_ru=name_ru or None, weight=float(weight), position=position)
    db.session.add(criterion)
    db.session.flush()
    audit.record("create", "criterion", criterion.id,
                 {"key": [None, key], "name": [None, name], "name_ru": [None, name_ru or None],
                  "weight": [None, float(weight)]}, user_id=actor_id)
    db.session.commit()
    return criterion


def update_criterion(criterion: Criterion, *, name: str, name_ru: str, weight: float,
                     actor_id: int | None = None) -> Criterion:
    """Rename or reweight a criterion and commit; ratings already saved keep the weights stored with them.

    Raises
    ------
    SettingsError
        Empty name, a name (English or Russian) another criterion has (case-insensitive), or
        weight not above 0.
    """
    name, name_ru = (name or "").strip(), (name_ru or "").strip() or None
    errors = _validate_criterion(name, weight, name_ru, criterion)
    if errors:
        raise SettingsError(errors)
    changes = audit.diff(criterion, ["name", "name_ru", "weight"],
                         {"name": name, "name_ru": name_ru, "weight": float(weight)})
    if changes:
        criterion.name, criterion.name_ru, criterion.weight = name, name_ru, float(weight)
        audit.record("update", "criterion", criterion.id, changes, user_id=actor_id)
        db.session.commit()
    return criterion


def retire_criterion(criterion: Criterion, *, actor_id: int | None = None) -> None:
    """Take a criterion off the rating form and commit; old ratings keep its scores. Idempotent.

    Raises
    ------
    SettingsError
        It is the last active criterion (the form needs at least one).
    """
    if criterion.retired_at is not None:
        return
    if len(active_criteria()) <= 1:
        raise SettingsError({"": _("The rating form needs at least one criterion.")})
    now = utcnow()
    criterion.retired_at = now
    audit.record("archive", "criterion", criterion.id, {"retired_at": [None, now]}, user_id=actor_id)
    db.session.commit()


def restore_criterion(criterion: Criterion, *, actor_id: int | None = None) -> None:
    """Put a retired criterion back on the rating form and commit. Idempotent."""
    if criterion.retired_at is None:
        return
    audit.record("restore", "criterion", criterion.id, {"retired_at": [criterion.retired_at, None]},
                 user_id=actor_id)
    criterion.retired_at = None
    db.session.commit()
