"""KPI targets: organization defaults (settings ``kpi.<metric>``) and per-department overrides.

Edited by the admin and the COO, every change audited. A closed period keeps the targets in
force when it closed (``Period.kpi_targets``, written by :func:`snapshot` from
:func:`tracker.services.periods.close_period`), as it keeps target and floor.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select

from ..analysis.scorecard import METRICS
from ..extensions import db
from ..models import Department, KpiTarget, Period, Setting
from . import audit
from .settings import _

__all__ = ["DEFAULTS", "RANGES", "KpiTargetError", "Targets", "current_targets", "targets_for",
           "set_organization_targets", "set_department_targets", "snapshot", "department_by_code",
           "target_departments"]

#: Organization defaults when none is saved (NPS -100..100; percentages and points 0..100).
DEFAULTS: dict[str, float] = {
    "nps": 20.0,
    "csat": 70.0,
    "standard_met": 80.0,
    "response_rate": 90.0,
    "followups_on_time": 80.0,
    "mean_health": 75.0,
}
#: Allowed range of each target.
RANGES: dict[str, tuple[float, float]] = {m: (0.0, 100.0) for m in METRICS}
RANGES["nps"] = (-100.0, 100.0)

_KEY = "kpi.{}"


class KpiTargetError(ValueError):
    """A target is refused; ``errors`` maps a form field (the metric) to the reason."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


@dataclass(frozen=True)
class Targets:
    """The KPI targets of a period: organization ``defaults`` and per-department ``overrides`` by code."""

    defaults: dict[str, float]
    overrides: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"defaults": self.defaults, "overrides": self.overrides}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Targets:
        data = json.loads(text)
        defaults = dict(DEFAULTS)
        defaults.update({k: float(v) for k, v in data.get("defaults", {}).items() if k in DEFAULTS})
        overrides = {code: {k: float(v) for k, v in own.items() if k in DEFAULTS}
                     for code, own in data.get("overrides", {}).items()}
        return cls(defaults, overrides)


def current_targets() -> Targets:
    """The targets in force now (two queries)."""
    stored = dict(db.session.execute(
        select(Setting.key, Setting.value).where(Setting.key.in_([_KEY.format(m) for m in METRICS]))
    ).all())
    defaults = {m: float(stored.get(_KEY.format(m), DEFAULTS[m])) for m in METRICS}
    overrides: dict[str, dict[str, float]] = {}
    for code, metric, target in db.session.execute(
        select(Department.code, KpiTarget.metric, KpiTarget.target).join(Department,
                                                                         KpiTarget.department_id == Department.id)
    ):
        overrides.setdefault(code, {})[metric] = float(target)
    return Targets(defaults, overrides)


def department_by_code(code: str) -> Department | None:
    """The department with ``code``, or None."""
    return db.session.scalar(select(Department).where(Department.code == code))


def target_departments() -> list[Department]:
    """Internal departments not archived, by code: those whose targets can be set."""
    return list(db.session.scalars(
        select(Department).where(Department.kind == "internal", Department.archived_at.is_(None))
        .order_by(Department.code)
    ))


def targets_for(period: Period) -> Targets:
    """The targets that apply to ``period``: those it closed with, else the current ones."""
    if period.is_closed and period.kpi_targets:
        return Targets.from_json(period.kpi_targets)
    return current_targets()


def snapshot(period: Period) -> None:
    """Store the current targets with ``period`` (the caller, closing it, commits)."""
    period.kpi_targets = current_targets().to_json()


def _check(values: dict[str, float | None], *, allow_blank: bool) -> dict[str, float | None]:
    errors, clean = {}, {}
    for metric, value in values.items():
        if metric not in DEFAULTS:
            raise KpiTargetError({metric: _("Unknown KPI “%(metric)s”.", metric=metric)})
        if value is None:
            if not allow_blank:
                errors[metric] = _("Enter a target.")
            clean[metric] = None
            continue
        low, high = RANGES[metric]
        if not low <= float(value) <= high:
            errors[metric] = _("Enter a number from %(low)s to %(high)s.", low=f"{low:g}", high=f"{high:g}")
        clean[metric] = float(value)
    if errors:
        raise KpiTargetError(errors)
    return clean


def set_organization_targets(values: dict[str, float | None], *, actor_id: int | None = None) -> dict[str, list]:
    """Save organization default targets ``{metric: value}`` and commit with one audit row.

    Returns the changes ``{metric: [old, new]}`` (empty when nothing changed: no audit row).

    Raises
    ------
    KpiTargetError
        A metric is unknown, blank, or outside its range (NPS -100..100, the rest 0..100).
    """
    clean = _check(values, allow_blank=False)
    current = current_targets().defaults
    changes = {m: [current[m], v] for m, v in clean.items() if current[m] != v}
    for metric, (_old, new) in changes.items():
        row = db.session.get(Setting, _KEY.format(metric))
        if row is None:
            db.session.add(Setting(key=_KEY.format(metric), value=f"{new:g}"))
        else:
            row.value = f"{new:g}"
    if changes:
        audit.record("update", "kpi_target", None, changes, user_id=actor_id)
        db.session.commit()
    return changes


def set_department_targets(department: Department, values: dict[str, float | None], *,
                           actor_id: int | None = None) -> dict[str, list]:
    """Save ``department``'s own targets ``{metric: value or None}`` and commit with one audit row.

    None removes the department's own target (the organization default applies again).
    Saving the same values again changes nothing and writes no audit row.

    Raises
    ------
    KpiTargetError
        A metric is unknown or a value is outside its range; or the department is external.
    """
    if department.is_external:
        raise KpiTargetError({"": _("External customers have no KPI targets.")})
    clean = _check(values, allow_blank=True)
    rows = {r.metric: r for r in db.session.scalars(select(KpiTarget).where(KpiTarget.department_id == department.id))}
    changes = {}
    for metric, value in clean.items():
        row = rows.get(metric)
        old = None if row is None else float(row.target)
        if old == value:
            continue
        changes[metric] = [old, value]
        if value is None:
            db.session.delete(row)  # the override is a setting, its history is the audit log
        elif row is None:
            db.session.add(KpiTarget(department_id=department.id, metric=metric, target=value))
        else:
            row.target = value
    if changes:
        audit.record("update", "kpi_target", department.id, changes, user_id=actor_id)
        db.session.commit()
    return changes
