"""Organization settings and rating criteria, with their defaults."""
from __future__ import annotations

from ..extensions import db
from ..models import Criterion, Setting

DEFAULTS: dict[str, str] = {
    "target": "75",
    "floor": "50",
    "default_locale": "en",
    "hr_sees_comments": "no",
    "small_sample": "5",
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
    """Create the four standard criteria when there are none (idempotent; commits)."""
    if db.session.scalar(db.select(db.func.count()).select_from(Criterion)):
        return
    for position, (key, name, name_ru) in enumerate(DEFAULT_CRITERIA):
        db.session.add(Criterion(key=key, name=name, name_ru=name_ru, weight=1.0, position=position))
    db.session.commit()
