"""Scorecard views: the company and department scorecards, KPI targets, exports.

Thin views: they call one service function and render; the KPI targets form goes
form → validate → service → flash → redirect.
"""
from __future__ import annotations

from decimal import Decimal

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from .. import downloads
from ..analysis import round_half_away
from ..analysis.scorecard import METRICS, sort_scorecards
from ..auth import roles_required
from ..auth.forms import EmptyForm
from ..charts.trends import trend_chart
from .charts import chart_words, company_trend_panels, heatmap_chart_of
from ..formerrors import show_errors
from ..importer.export import csv_bytes, xlsx_bytes
from ..services import analysis as analysis_service
from ..services import kpi as kpi_service
from ..services import scorecard as scorecard_service
from ..views import period_or_404
from . import bp
from .forms import METRIC_LABELS, DepartmentTargetsForm, OrganizationTargetsForm

VIEWERS = ("coo", "hr", "admin")
EDITORS = ("coo", "admin")
#: Scorecard columns the table sorts by (``?sort=key``, ``-key`` descending).
SORTS = ("code", "name", "met", "missed", *METRICS)


@bp.route("/")
@roles_required(*VIEWERS)
def index():
    """Company scorecard: every department × every KPI of a period, sortable by each column."""
    period = period_or_404()
    board = scorecard_service.company_scorecard(period)
    sort = request.args.get("sort", "code")
    if sort.lstrip("-") not in SORTS:
        sort = "code"
    return render_template("scorecard/index.html", board=board, cards=sort_scorecards(board.cards, sort),
                           sort=sort, period=period, periods=analysis_service.known_periods(),
                           labels=METRIC_LABELS, metrics=METRICS, can_edit=current_user.role in EDITORS)


@bp.route("/departments/<code>")
@roles_required("head", *VIEWERS)
def department(code: str):
    """One department's scorecard for a period: value, target, verdict, change and N per KPI."""
    dep = kpi_department_or_404(code)
    if current_user.role == "head" and current_user.department_id != dep.id:
        abort(403)
    period = period_or_404()
    board = scorecard_service.company_scorecard(period)
    return render_template("scorecard/department.html", dep=dep, card=board.card(code), board=board,
                           period=period, periods=analysis_service.known_periods(), labels=METRIC_LABELS,
                           metrics=METRICS, can_edit=current_user.role in EDITORS)


@bp.route("/targets", methods=["GET", "POST"])
@roles_required(*EDITORS)
def targets():
    """The organization's default KPI targets, and the departments that have their own."""
    current = kpi_service.current_targets()
    form = OrganizationTargetsForm(data={m: Decimal(f"{v:g}") for m, v in current.defaults.items()})
    if form.validate_on_submit():
        try:
            changes = kpi_service.set_organization_targets(
                {m: float(getattr(form, m).data) for m in METRICS}, actor_id=current_user.id)
        except kpi_service.KpiTargetError as exc:
            show_errors(form, exc.errors)
        else:
            flash(_("Targets saved.") if changes else _("Nothing changed."), "success")
            return redirect(url_for("scorecard.targets"))
    departments = kpi_service.target_departments()
    return render_template("scorecard/targets.html", form=form, current=current, departments=departments,
                           labels=METRIC_LABELS, metrics=METRICS)


@bp.route("/targets/<code>", methods=["GET", "POST"])
@roles_required(*EDITORS)
def department_targets(code: str):
    """One department's own KPI targets; a blank field uses the organization default."""
    dep = kpi_department_or_404(code)
    current = kpi_service.current_targets()
    own = current.overrides.get(code, {})
    form = DepartmentTargetsForm(data={m: Decimal(f"{v:g}") for m, v in own.items()})
    if form.validate_on_submit():
        values = {m: None if getattr(form, m).data is None else float(getattr(form, m).data) for m in METRICS}
        try:
            changes = kpi_service.set_department_targets(dep, values, actor_id=current_user.id)
        except kpi_service.KpiTargetError as exc:
            show_errors(form, exc.errors)
        else:
            flash(_("Targets of %(code)s saved.", code=dep.code) if changes else _("Nothing changed."), "success")
            back = request.args.get("period")
            return redirect(url_for("scorecard.department", code=dep.code, **({"period": back} if back else {})))
    return render_template("scorecard/department_targets.html", dep=dep, form=form, current=current,
                           labels=METRIC_LABELS, metrics=METRICS)


@bp.route("/export.csv")
@roles_required(*EDITORS)
def export_csv():
    """The company scorecard as an Excel-safe CSV (UTF-8 with BOM)."""
    period = period_or_404()
    rows = scorecard_rows(scorecard_service.company_scorecard(period))
    return _download(csv_bytes(rows), "text/csv; charset=utf-8", f"scorecard-{period.label}.csv")


@bp.route("/export.xlsx")
@roles_required(*EDITORS)
def export_xlsx():
    """The company scorecard as an XLSX workbook (numbers as numbers, text neutralised)."""
    period = period_or_404()
    rows = scorecard_rows(scorecard_service.company_scorecard(period))
    return _download(xlsx_bytes({_("Scorecard"): rows}),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     f"scorecard-{period.label}.xlsx")


def scorecard_rows(board: scorecard_service.CompanyScorecard) -> list[list]:
    """``[header, *rows]`` of the company scorecard: per KPI its value (one decimal), target, verdict, N, change."""
    header = ["period", "code", "name"]
    for metric in METRICS:
        header += [metric, f"{metric}_target", f"{metric}_verdict", f"{metric}_n", f"{metric}_change"]
    rows = [header]
    for card in board.cards:
        row = [board.period.label, card.code, card.name]
        for metric in METRICS:
            line = card.lines[metric]
            row += [_round(line.value), line.target, line.verdict, line.n, _round(line.change)]
        rows.append(row)
    return rows


def kpi_department_or_404(code: str):
    """The internal department with ``code``, or 404."""
    dep = kpi_service.department_by_code(code)
    if dep is None or dep.is_external:
        abort(404)
    return dep


def _round(value: float | None) -> float | None:
    return None if value is None else round_half_away(value, 1)


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- trends, heatmap, period compare ------------------------------------------------------------------------

# A chart document: its own inline styles, nothing else; framed by our own pages only (as the dashboard's).
CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"


def _chart(data: bytes) -> Response:
    response = Response(data, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


@bp.route("/trends")
@roles_required(*VIEWERS)
def trends():
    """The company over all periods up to the chosen one: one chart, and its figures as a table."""
    period = period_or_404()
    points = scorecard_service.company_trend(period)
    return render_template("scorecard/trends.html", period=period, periods=analysis_service.known_periods(),
                           points=points)


@bp.route("/trend.svg")
@roles_required(*VIEWERS)
def trend_svg():
    """The company trend chart as SVG."""
    period = period_or_404()
    points = scorecard_service.company_trend(period)
    pa = analysis_service.period_analysis(period)
    return _chart(trend_chart([p.period for p in points], company_trend_panels(points, pa.target, pa.floor),
                              labels=chart_words(), title=_("The company over the periods")))


@bp.route("/heatmap")
@roles_required(*VIEWERS)
def heatmap():
    """Supplier × customer heatmap of a period (cells = agreement health), ordered so clusters show."""
    period = period_or_404()
    return render_template("scorecard/heatmap.html", period=period, periods=analysis_service.known_periods())


@bp.route("/heatmap.svg")
@roles_required(*VIEWERS)
def heatmap_svg():
    """The heatmap as SVG; each cell links to its agreement (the weakest one where a pair has several)."""
    period = period_or_404()
    return _chart(heatmap_chart_of(period))


@bp.route("/compare")
@roles_required(*VIEWERS)
def compare():
    """Two periods compared: links better or worse, weak links appeared or fixed, chain strength movers."""
    current, a_label, b_label = _compare_labels()
    try:
        pa_a, pa_b, result = scorecard_service.compare(a_label, b_label)
    except LookupError:
        abort(404)
    return render_template("scorecard/compare.html", periods=analysis_service.known_periods(), period=current,
                           a=a_label, b=b_label, pa_a=pa_a, pa_b=pa_b, result=result)


def _compare_labels() -> tuple[object, str, str]:
    """The page's period and the two periods compared (``?a=`` before, ``?b=`` after; by default the
    period before the chosen one, and the chosen one)."""
    periods = analysis_service.known_periods()
    if not periods:
        abort(404)
    current = period_or_404()
    earlier = [p for p in periods if p.start_date < current.start_date]
    default_a = earlier[-1].label if earlier else current.label
    return current, request.args.get("a", "").strip() or default_a, request.args.get("b", "").strip() or current.label


@bp.route("/compare/graph")
@roles_required(*VIEWERS)
def compare_graph():
    """Two periods compared on the dependency graph: each link coloured by its change."""
    current, a_label, b_label = _compare_labels()
    try:
        analysis_service.resolve_period(a_label)
        analysis_service.resolve_period(b_label)
    except LookupError:
        abort(404)
    return render_template("scorecard/compare_graph.html", periods=analysis_service.known_periods(),
                           period=current, a=a_label, b=b_label)


@bp.route("/compare/graph.json")
@roles_required(*VIEWERS)
def compare_graph_json():
    """The compare graph's data: the later period's graph, each link with its change since the earlier one."""
    _current, a_label, b_label = _compare_labels()
    try:
        view = scorecard_service.compare_graph(a_label, b_label)
    except LookupError:
        abort(404)
    view["urls"] = {
        "department": url_for("dashboard.department", code="__CODE__", period=b_label),
        "contract": url_for("dashboard.contract", contract_id=0, period=b_label).replace("/0?", "/__ID__?"),
    }
    response = jsonify(view)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/review-pack.pdf")
@roles_required(*VIEWERS)
def review_pack():
    """The review pack of a period as a PDF download made in this request, in the reader's language (``?lang=``).

    For links and scripts; the dashboard's button makes it in the background (:func:`review_pack_job`).
    """
    made = downloads.build("review_pack", _pack_params())
    return _download(made.data, made.mimetype, made.filename)


@bp.post("/review-pack")
@roles_required(*VIEWERS)
def review_pack_job():
    """Start making the review pack in the background (a second click joins the first) and show its progress."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    job = downloads.start("review_pack", _pack_params(), user_id=current_user.id)
    return redirect(url_for("main.download_job", token=job.token))


def _pack_params() -> dict:
    """The pack's period (``?period=``, default the current one) and language (``?lang=``, default the reader's)."""
    lang = request.values.get("lang") or str(get_locale())
    return {"period": period_or_404().label, "lang": "ru" if lang == "ru" else "en"}
