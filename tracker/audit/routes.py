"""Browse the audit log: filter by entity, action, user and dates; paged on the server.

Read-only; the rows are written by the services (:mod:`tracker.services.audit`).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from ..auth import roles_required
from ..extensions import db
from ..models import AuditLog, User
from . import bp
from .names import load_names

PER_PAGE = 50
MAX_YEAR = 9998
AUDIT_ROLES = ("admin", "coo")

# What a reader sees for the codes the services record; an unknown code is shown as it is.
ACTION_LABELS = {
    "create": _l("created"), "update": _l("changed"), "archive": _l("archived"), "restore": _l("restored"),
    "open": _l("opened"), "close": _l("closed"), "reopen": _l("reopened"), "import": _l("imported"),
    "revoke": _l("revoked"), "delete": _l("deleted"),
}
ENTITY_LABELS = {
    "department": _l("department"), "contract": _l("agreement"), "service": _l("service"),
    "period": _l("period"), "rating": _l("rating"), "user": _l("user"), "criterion": _l("criterion"),
    "setting": _l("setting"), "follow_up": _l("follow-up"), "rotation": _l("rotation"),
    "api_token": _l("API token"), "survey_mapping": _l("survey mapping"), "import": _l("import"),
    "import_job": _l("import job"), "demo": _l("demo data"), "network_survey": _l("network survey"),
    "kpi_target": _l("KPI target"),
}


def action_label(code: str) -> str:
    """The reader's word for an audit action code (``create`` → "created"); the code itself if unknown."""
    return str(ACTION_LABELS.get(code, code))


def entity_label(code: str) -> str:
    """The reader's word for an audit entity code (``contract`` → "agreement"); the code itself if unknown."""
    return str(ENTITY_LABELS.get(code, code))


def audit_query(entity: str = "", action: str = "", user_id: int | None = None, since: date | None = None,
                until: date | None = None, entity_id: int | None = None) -> Select:
    """Audit rows matching the filters, newest first (``until`` is inclusive, dates in UTC)."""
    stmt = select(AuditLog).options(joinedload(AuditLog.user)).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    if entity:
        stmt = stmt.where(AuditLog.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(AuditLog.entity_id == entity_id)
    if action:
        stmt = stmt.where(AuditLog.action == action)
    if user_id is not None:
        stmt = stmt.where(AuditLog.user_id == user_id)
    if since is not None:
        stmt = stmt.where(AuditLog.at >= datetime.combine(since, time.min, tzinfo=timezone.utc))
    if until is not None:
        stmt = stmt.where(AuditLog.at < datetime.combine(until + timedelta(days=1), time.min, tzinfo=timezone.utc))
    return stmt


def _date_arg(name: str, errors: list[str]) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        errors.append(_("“%(value)s” is not a date (YYYY-MM-DD).", value=raw))
        return None
    if value.year > MAX_YEAR:  # the day after 9999-12-31 does not exist
        errors.append(_("“%(value)s” is too far in the future.", value=raw))
        return None
    return value


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    return int(raw) if raw.isdigit() else None


@bp.route("/")
@roles_required(*AUDIT_ROLES)
def index():
    """The audit log, newest first, with filters; 50 rows a page."""
    errors: list[str] = []
    filters = {
        "entity": request.args.get("entity", "").strip(),
        "action": request.args.get("action", "").strip(),
        "user_id": _int_arg("user"),
        "entity_id": _int_arg("entity_id"),
        "since": _date_arg("since", errors),
        "until": _date_arg("until", errors),
    }
    page = db.paginate(audit_query(**filters), page=max(request.args.get("page", 1, type=int) or 1, 1),
                       per_page=PER_PAGE, error_out=False)
    # The kinds and actions the services record, by their words: no scan of the whole log for the two lists.
    entities = sorted(set(ENTITY_LABELS) | ({filters["entity"]} - {""}), key=entity_label)
    actions = sorted(set(ACTION_LABELS) | ({filters["action"]} - {""}), key=action_label)
    users = db.session.scalars(
        select(User).where(User.id.in_(select(AuditLog.user_id).distinct())).order_by(User.email)).all()
    # The names of what this page's entries mention, in a fixed number of batch queries.
    names = load_names(page.items)
    return render_template("audit/index.html", page=page, filters=filters, args=request.args, errors=errors,
                           entities=entities, actions=actions, users=users, names=names,
                           action_label=action_label, entity_label=entity_label)
