"""Dashboard views: the COO's overview, the dependency graph, department and contract pages.

Pages read; nothing here writes. Charts are served from their own routes: matplotlib's SVG
carries ``style`` attributes, which the site-wide Content-Security-Policy forbids, so those
responses (and only those) get a policy of their own, and the pages embed them with
``<object>`` so that the links inside the graph work.
"""
from __future__ import annotations

from flask import Response, abort, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from datetime import date

from .. import formatting
from ..analysis import standard_met_rate
from ..auth import access, roles_required
from ..charts import HistorySeries, dependency_graph, history_chart
from ..services import chart_cache, data_version
from ..scorecard.charts import department_trend_chart
from ..services import followups as followup_service
from ..services import settings as settings_service
from ..views import period_or_404
from . import bp, queries

OVERVIEW_ROLES = ("coo", "hr", "admin")
#: Columns the department list sorts by (``?sort=key`` or ``-key`` for descending).
DEPARTMENT_SORTS = ("code", "chain_strength", "dominates", "nps", "csat", "standard_met", "response_rate")
#: Rows of each list on the overview before "Show all".
LIST_LIMIT = 15
PAGE_ROLES = ("coo", "hr", "admin", "head")

# A chart document: its own inline styles, nothing else; may be framed by our own pages only.
CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"


@bp.route("/")
@roles_required(*OVERVIEW_ROLES)
def index():
    """The COO's overview of one period (``?period=LABEL``, default the current period)."""
    period = period_or_404(required=False)
    periods = queries.analysis_service.known_periods()
    if period is None:
        return render_template("dashboard/index.html", board=None, periods=periods, period=None)
    board = queries.dashboard(period)
    limit = 10**9 if request.args.get("all") else LIST_LIMIT
    melons = followup_service.watermelons(period)
    return render_template("dashboard/index.html", board=board, periods=periods, period=period, limit=limit,
                           follow_ups=followup_service.by_contract(period.id), today=date.today(),
                           watermelons=melons, watermelon_counts=followup_service.watermelons_per_supplier(melons))


@bp.route("/graph")
@roles_required(*OVERVIEW_ROLES)
def graph():
    """The interactive dependency graph of the period (the static picture without JavaScript)."""
    period = period_or_404(required=False)
    periods = queries.analysis_service.known_periods()
    return render_template("dashboard/graph.html", period=period, periods=periods)


@bp.route("/graph.json")
@roles_required(*OVERVIEW_ROLES)
def graph_json():
    """The graph data of the period: the same analysis as the tables (see ``analysis.graph_view``)."""
    period = period_or_404()
    response = jsonify(queries.graph_view(queries.analysis_service.period_analysis(period)))
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/graph.svg")
@roles_required(*OVERVIEW_ROLES)
def graph_svg():
    """The dependency graph of the period as SVG, every node and link a link to its page."""
    return _chart(_graph("svg"), "image/svg+xml")


@bp.route("/graph.png")
@roles_required(*OVERVIEW_ROLES)
def graph_png():
    """The dependency graph as a PNG download."""
    period = period_or_404(required=False)
    response = _chart(_graph("png", title=True), "image/png")
    response.headers["Content-Disposition"] = f'attachment; filename="dependency-graph-{period.label}.png"'
    return response


@bp.route("/departments")
@roles_required(*PAGE_ROLES)
def departments():
    """Every internal department's figures in the period."""
    period = period_or_404(required=False)
    periods = queries.analysis_service.known_periods()
    pa = queries.analysis_service.period_analysis(period) if period else None
    sort = request.args.get("sort", "code")
    if sort.lstrip("-") not in DEPARTMENT_SORTS:
        sort = "code"
    q = request.args.get("q", "").strip()
    show_all = request.args.get("all") == "1"
    rows = queries.department_rows(pa, sort, q, show_all) if pa else []
    return render_template("dashboard/departments.html", pa=pa, rows=rows, period=period, periods=periods,
                           sort=sort, q=q, show_all=show_all)


@bp.route("/departments/<code>")
@roles_required(*PAGE_ROLES)
def department(code: str):
    """One department: chain strength, bottleneck, dominates, NPS, CSAT, response rate, its contracts."""
    dep = queries.department(code)
    if dep is None:
        abort(404)
    period = period_or_404(required=False)
    periods = queries.analysis_service.known_periods()
    pa = queries.analysis_service.period_analysis(period) if period else None
    figures = pa.departments.get(code) if pa else None
    upstream, downstream = [], []
    bottleneck = None
    if pa:
        rank_of = {w.contract.id: w.rank for w in pa.weak_links}
        for cid, cf in sorted(pa.contracts.items(), key=lambda kv: (kv[1].contract.supplier,
                                                                     kv[1].contract.customer, kv[0])):
            if cf.contract.customer == code:
                upstream.append(queries.link_row(pa, cid, rank_of.get(cid)))
            if cf.contract.supplier == code:
                downstream.append(queries.link_row(pa, cid, rank_of.get(cid)))
        if figures is not None and figures.bottleneck is not None:
            bottleneck = queries.link_row(pa, figures.bottleneck, rank_of.get(figures.bottleneck))
    # The agreements this reader rates and has not rated yet: no open-period figures (access.py).
    hidden = access.unrated_open_contract_ids(current_user, period, [r.id for r in upstream + downstream])
    return render_template(
        "dashboard/department.html", dep=dep, pa=pa, figures=figures, upstream=upstream, downstream=downstream,
        bottleneck=bottleneck, period=period, periods=periods, hidden=hidden,
    )


@bp.route("/departments/<code>/history.svg")
@roles_required(*PAGE_ROLES)
def department_history_svg(code: str):
    """Chain strength, what the department gives and gets, and its internal NPS over the periods, as SVG."""
    if queries.department(code) is None:
        abort(404)
    period = period_or_404()
    # Each quantity on its own axis: NPS is not drawn over the health bands (issue 13).
    data = department_trend_chart(code, period)
    return _chart(data, "image/svg+xml")


@bp.route("/contracts/<int:contract_id>")
@roles_required(*PAGE_ROLES)
def contract(contract_id: int):
    """One agreement: standard, criticality, target and floor, health, reach, risk, ratings, follow-ups."""
    con = _contract_or_404(contract_id)
    period = period_or_404(required=False)
    periods = queries.analysis_service.known_periods()
    pa = queries.analysis_service.period_analysis(period) if period else None
    # A respondent who has not rated yet does not see the open period's figures (access.py).
    figures_hidden = access.hides_open_figures(current_user, con, period)
    row = None
    if pa and contract_id in pa.contracts and not figures_hidden:
        rank = next((w.rank for w in pa.weak_links if w.contract.id == contract_id), None)
        row = queries.link_row(pa, contract_id, rank)
    ratings = queries.ratings_of(contract_id, period) if period and not figures_hidden else []
    return render_template(
        "dashboard/contract.html", con=con, row=row, pa=pa, period=period, periods=periods, ratings=ratings,
        follow_ups=queries.follow_ups_of(contract_id), sees_comment=access.comment_rule(current_user),
        today=date.today(), standard_met=standard_met_rate(r.standard_met for r in ratings),
        watermelon=next((w for w in followup_service.watermelons(period) if w.contract_id == contract_id), None)
        if period and not figures_hidden else None, figures_hidden=figures_hidden,
        sees_respondents=current_user.role in ("admin", "coo"),
        target=row.target if row else (con.target if con.target is not None else settings_service.target()),
        floor=row.floor if row else (con.floor if con.floor is not None else settings_service.floor()),
    )


@bp.route("/contracts/<int:contract_id>/history.svg")
@roles_required(*PAGE_ROLES)
def contract_history_svg(contract_id: int):
    """Health of one agreement over the last periods, as SVG."""
    con = _contract_or_404(contract_id)
    period = period_or_404()
    past = queries.history(period)
    values = [pa.contracts[contract_id].health if contract_id in pa.contracts else None for pa in past]
    stale = [contract_id in pa.contracts and pa.contracts[contract_id].stale for pa in past]
    # The open period of an agreement the reader has not rated yet: no point (access.py).
    hidden = {p.label for p in queries.history_periods(period) if access.hides_open_figures(current_user, con, p)}
    for i, pa in enumerate(past):
        if pa.period in hidden:
            values[i], stale[i] = None, False
    cf = past[-1].contracts.get(contract_id)
    target = cf.target if cf else past[-1].target
    floor = cf.floor if cf else past[-1].floor
    data = history_chart([p.period for p in past], [HistorySeries(_("Health"), values, stale=stale)], target=target,
                         floor=floor, title=f"{con.supplier.code} → {con.customer.code}", labels=_history_labels())
    return _chart(data, "image/svg+xml")


@bp.app_template_filter("pts")
def pts(value: float | None) -> str:
    """A figure in points, one decimal at most, in the reader's format (58.3 / 58,3, 45, 2400); ``—`` for none."""
    if value is None:
        return "—"
    return formatting.points(value)


def _graph(fmt: str, title: bool = False) -> bytes:
    period = period_or_404()
    pa = queries.analysis_service.period_analysis(period)
    labels = queries.graph_labels()
    heading = _("Dependency graph — %(period)s", period=pa.period) if title else ""
    token = data_version.current()

    def draw() -> bytes:
        nodes, links = queries.graph_data(pa)
        return dependency_graph(nodes, links, target=pa.target, floor=pa.floor, fmt=fmt, labels=labels,
                                title=heading)

    if token is None:  # data this transaction wrote, or no token row: key by the drawing's input itself
        nodes, links = queries.graph_data(pa)
        version = chart_cache.data_version(nodes, links, pa.target, pa.floor, labels, heading)
    else:
        version = chart_cache.data_version(token, pa.target, pa.floor, labels, heading)
    return chart_cache.cached_chart("graph", pa.period, version, fmt, draw)


def _chart(data: bytes, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Security-Policy"] = CHART_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


def _history_labels() -> dict[str, str]:
    return {"target": _("target"), "floor": _("floor"), "health": _("Health (points)"),
            "nps": _("Internal NPS"), "no_data": _("No data yet"), "stale": _("stale")}


def _contract_or_404(contract_id: int):
    """The agreement, if it exists and the reader may see it (:func:`access.sees_contract`), else 404 as the API."""
    con = queries.contract(contract_id)
    if con is None or not access.sees_contract(current_user, con):
        abort(404)
    return con
