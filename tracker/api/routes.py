"""API views: read-only JSON under /api/v1, each list paginated, each row filtered by role.

Heads see their own department, the departments it has contracts with, its contracts
and the ratings of them (as supplier or customer); members see the same departments but
only the contracts they were added to (or rated) and only the ratings they gave; coo, hr
and admin see everything. Which agreements and which comments: :mod:`tracker.auth.access`.
"""
from __future__ import annotations

from flask import Response, abort, request
from flask_login import current_user
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload
from werkzeug.utils import secure_filename

from ..auth import access
from ..extensions import db
from ..models import Contract, Department, Period, Rating, RatingScore
from ..services import analysis as analysis_service
from ..services import graph_export
from ..services import org as org_service
from ..services import periods as periods_service
from . import bp
from .auth import api_login_required, api_roles_required
from .openapi import openapi_document

DEFAULT_PER_PAGE = 50
MAX_PAGE = 10**9
MAX_PER_PAGE = 500
ALL_SEEING_ROLES = access.ALL_SEEING_ROLES
ANALYSIS_ROLES = ("coo", "hr", "admin")


@bp.route("/")
@api_login_required
def index():
    """The API version and who is asking."""
    return {"version": 1, "user": {"email": current_user.email, "role": current_user.role}}


@bp.route("/openapi.json")
@api_login_required
def openapi():
    """The OpenAPI 3.1 description of this API."""
    return openapi_document()


@bp.route("/departments")
@api_login_required
def departments():
    """Departments by code (a head or member: their own and its counterparties)."""
    stmt = select(Department).options(joinedload(Department.parent)).order_by(Department.code, Department.id)
    own = _own_department_id()
    if own is not None:
        counterparties = (
            select(Contract.supplier_id).where(Contract.customer_id == own)
            .union(select(Contract.customer_id).where(Contract.supplier_id == own))
        )
        stmt = stmt.where(or_(Department.id == own, Department.id.in_(counterparties)))
    return _page(stmt, _department_json)


@bp.route("/contracts")
@api_login_required
def contracts():
    """Contracts by supplier, customer and service (a head or member: those of their department)."""
    stmt = org_service.contract_query(show_archived=True)
    scope = access.contract_scope(current_user)
    if scope is not None:
        stmt = stmt.where(scope)
    return _page(stmt, _contract_json)


@bp.route("/periods")
@api_login_required
def periods():
    """Periods, oldest first (every role sees every period)."""
    stmt = select(Period).order_by(Period.start_date, Period.end_date, Period.label)
    return _page(stmt, _period_json)


@bp.route("/ratings")
@api_login_required
def ratings():
    """Ratings, filterable by ``period`` label and ``supplier``/``customer`` code."""
    supplier = aliased(Department)
    customer = aliased(Department)
    stmt = (
        select(Rating)
        .join(Period, Rating.period_id == Period.id)
        .join(Contract, Rating.contract_id == Contract.id)
        .join(supplier, Contract.supplier_id == supplier.id)
        .join(customer, Contract.customer_id == customer.id)
        .options(
            joinedload(Rating.period),
            joinedload(Rating.contract).options(
                joinedload(Contract.supplier), joinedload(Contract.customer), joinedload(Contract.service)
            ),
            selectinload(Rating.scores).joinedload(RatingScore.criterion),
        )
        .order_by(Period.start_date, Period.label, supplier.code, customer.code, Rating.contract_id, Rating.id)
    )
    if current_user.role == "member":  # a member's colleagues' scores are not theirs to read
        stmt = stmt.where(Rating.respondent_id == current_user.id)
    else:
        scope = access.contract_scope(current_user)
        if scope is not None:
            stmt = stmt.where(scope)
    for arg, column in (("period", Period.label), ("supplier", supplier.code), ("customer", customer.code)):
        value = request.args.get(arg, "").strip()
        if value:
            stmt = stmt.where(column == value)
    open_period = periods_service.the_open_period() if current_user.role in ("head", "member") else None
    if open_period is not None:  # a respondent who has not rated yet does not see the others' open answers
        hidden = access.unrated_open_contract_ids(
            current_user, open_period, db.session.scalars(select(Contract.id).where(access.contract_scope(current_user))))
        if hidden:
            stmt = stmt.where(~and_(Rating.period_id == open_period.id, Rating.contract_id.in_(hidden)))
    show_comment = access.comment_rule(current_user)
    return _page(stmt, lambda rating: _rating_json(rating, show_comment(rating)))


@bp.route("/analysis/<label>")
@api_roles_required(*ANALYSIS_ROLES)
def analysis(label: str):
    """The analysis of one period: exactly the JSON of the product brief."""
    return _analyse(label).to_json()


@bp.route("/analysis/<label>/graph.graphml")
@api_roles_required(*ANALYSIS_ROLES)
def graph_graphml(label: str):
    """The period's graph as GraphML, with every attribute."""
    return _graph_download(label, "graphml")


@bp.route("/analysis/<label>/graph.gexf")
@api_roles_required(*ANALYSIS_ROLES)
def graph_gexf(label: str):
    """The period's graph as GEXF, with every attribute."""
    return _graph_download(label, "gexf")


# --- helpers -------------------------------------------------------------------------------


def _analyse(label: str):
    try:
        return analysis_service.period_analysis(label)
    except LookupError as error:
        abort(404, description=str(error))


def _graph_download(label: str, fmt: str) -> Response:
    data = graph_export.export_graph(graph_export.period_graph(_analyse(label)), fmt)
    mimetype, extension = graph_export.FORMATS[fmt]
    filename = secure_filename(f"graph-{label}.{extension}") or f"graph.{extension}"
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _own_department_id() -> int | None:
    """The department a head or member is confined to; None for roles that see everything."""
    if current_user.role in ALL_SEEING_ROLES:
        return None
    if current_user.department_id is None:  # pragma: no cover - a database constraint forbids it
        abort(403)
    return current_user.department_id


def _int_arg(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        abort(400, description=f"{name} must be a whole number, got {raw!r}")
    if value < 1:
        abort(400, description=f"{name} must be 1 or more, got {value}")
    return value


def _page(stmt: Select, to_json) -> dict:
    """One page of ``stmt`` as ``{"items", "page", "per_page", "total"}`` (two queries plus eager loads)."""
    page = _int_arg("page", 1)
    if page > MAX_PAGE:
        abort(400, description=f"page must be at most {MAX_PAGE}, got {page}")
    per_page = min(_int_arg("per_page", DEFAULT_PER_PAGE), MAX_PER_PAGE)
    pagination = db.paginate(stmt, page=page, per_page=per_page, max_per_page=MAX_PER_PAGE, error_out=False)
    return {
        "items": [to_json(row) for row in pagination.items],
        "page": page,
        "per_page": per_page,
        "total": pagination.total,
    }


def _date(value) -> str | None:
    return None if value is None else value.isoformat()


def _department_json(dep: Department) -> dict:
    return {
        "code": dep.code,
        "name": dep.name,
        "kind": dep.kind,
        "parent": dep.parent.code if dep.parent is not None else None,
        "archived": dep.archived_at is not None,
    }


def _contract_json(con: Contract) -> dict:
    return {
        "id": con.id,
        "supplier": con.supplier.code,
        "customer": con.customer.code,
        "service": con.service.name,
        "criticality": con.criticality,
        "target": con.target,
        "floor": con.floor,
        "start_date": _date(con.start_date),
        "end_date": _date(con.end_date),
        "transfer_price": None if con.transfer_price is None else str(con.transfer_price),
        "standard": con.standard,
        "archived": con.archived_at is not None,
    }


def _period_json(per: Period) -> dict:
    return {
        "label": per.label,
        "start_date": per.start_date.isoformat(),
        "end_date": per.end_date.isoformat(),
        "status": per.status,
    }


def _rating_json(rating: Rating, show_comment: bool) -> dict:
    con = rating.contract
    item = {
        "id": rating.id,
        "period": rating.period.label,
        "contract": con.id,
        "supplier": con.supplier.code,
        "customer": con.customer.code,
        "service": con.service.name,
        "health": rating.health,
        "scores": {score.criterion.key: score.score for score in rating.scores},
        "recommend": rating.recommend,
        "standard_met": rating.standard_met,
        "no_interaction": rating.no_interaction,
    }
    if show_comment:
        item["comment"] = rating.comment
    return item
