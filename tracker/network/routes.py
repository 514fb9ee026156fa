"""Informal network views: import a survey with a preview, compare it with the agreements, export, overlay.

Thin views: reading and checking in :mod:`tracker.importer.network`, the one write in
:mod:`tracker.services.network`, the rules in :mod:`tracker.analysis.network`. The COO
and the customer-experience office (admin) use these pages; only the admin saves the
organization's threshold.
"""
from __future__ import annotations

import re
from pathlib import Path

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import roles_required
from ..charts import dependency_graph
from ..dashboard import queries as dashboard_queries
from ..importer import export as exporter
from ..importer.network import NETWORK_EXTENSIONS, read_network
from ..importer.uploads import ImportFileError, store_upload, upload_folder
from ..services import analysis as analysis_service
from ..services import network as service
from ..views import period_or_404
from . import bp
from .forms import NetworkApplyForm, NetworkUploadForm, ThresholdForm
from .overlay import overlay_svg

ROLES = ("coo", "admin")
TABLES = ("shadow", "dormant", "reliance")
# A chart document may carry its own inline styles and nothing else (as the dashboard's graph).
CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"


def _threshold() -> int | None:
    raw = request.args.get("threshold", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= service.MAX_THRESHOLD:
        abort(400)
    return int(raw)


def _comparison() -> service.Comparison:
    return service.comparison(period_or_404(required=False), threshold_value=_threshold())


@bp.route("/")
@roles_required(*ROLES)
def index():
    """The latest survey beside the agreements: shadow services, dormant agreements, informal reliance."""
    cmp = _comparison()
    form = ThresholdForm(formdata=None, prefix="t", threshold=service.threshold())
    return render_template("network/index.html", cmp=cmp, upload=NetworkUploadForm(), threshold_form=form,
                           periods=analysis_service.known_periods(), can_save=current_user.role == "admin")


@bp.route("/preview", methods=["POST"])
@roles_required(*ROLES)
def preview():
    """Read the uploaded survey and show what it read (people, ties, volumes) and every bad row; write nothing."""
    form = NetworkUploadForm()
    if not form.validate_on_submit():
        return _index_with(form), 400
    edges = form.edges.data
    people = form.people.data if form.people.data and form.people.data.filename else None
    edges_name = Path(edges.filename or "edges").name
    people_name = Path(people.filename).name if people else None
    edges_data = edges.read()
    people_data = people.read() if people else None
    try:
        stored_edges = store_upload(edges_name, edges_data, allowed=NETWORK_EXTENSIONS)
        stored_people = store_upload(people_name, people_data, allowed=(".csv", ".txt")) if people else ""
    except ImportFileError as exc:
        form.edges.errors = [*form.edges.errors, str(exc)]
        return _index_with(form), 400
    read = read_network(edges_name, edges_data, people_name, people_data,
                        department_column=form.department_column.data or None, relation=form.relation.data or None)
    rollup = read.rollup() if read.ok else None
    apply = NetworkApplyForm(formdata=None, edges_stored=stored_edges, people_stored=stored_people,
                             edges_name=edges_name, people_name=people_name or "",
                             department_column=form.department_column.data or "", relation=form.relation.data or "")
    matched = service.match_codes(rollup.within) if rollup else {}
    top = sorted(rollup.in_degree.items(), key=lambda kv: -kv[1])[:10] if rollup else []
    return render_template("network/preview.html", read=read, rollup=rollup, apply=apply, matched=matched,
                           top=top, edges_name=edges_name, people_name=people_name)


@bp.route("/import", methods=["POST"])
@roles_required(*ROLES)
def apply():
    """Store the previewed survey (one upload is one survey, however often the button is pressed)."""
    form = NetworkApplyForm()
    if not form.validate_on_submit():
        flash(_("The preview has expired; upload the files again."), "danger")
        return redirect(url_for("network.index"))
    try:
        edges_path = _stored(form.edges_stored.data, NETWORK_EXTENSIONS)
        people_path = _stored(form.people_stored.data, (".csv", ".txt")) if form.people_stored.data else None
    except ImportFileError:
        flash(_("The preview has expired; upload the files again."), "danger")
        return redirect(url_for("network.index"))
    edges_name = Path(form.edges_name.data or edges_path.name).name
    read = read_network(edges_name, edges_path.read_bytes(),
                        Path(form.people_name.data or "people.csv").name if people_path else None,
                        people_path.read_bytes() if people_path else None,
                        department_column=form.department_column.data or None, relation=form.relation.data or None)
    if read.problems:
        flash(_("The survey has %(n)d problem(s); nothing was imported.", n=len(read.problems)), "danger")
        return redirect(url_for("network.index"))
    survey = service.store_survey(read, name=edges_name, token=form.edges_stored.data[:32], actor_id=current_user.id)
    flash(_("Survey %(name)s imported: %(people)d people, %(ties)d ties.", name=survey.name, people=survey.people,
            ties=survey.ties), "success")
    return redirect(url_for("network.index"))


@bp.route("/threshold", methods=["POST"])
@roles_required("admin")
def threshold():
    """Save the organization's shadow-service threshold."""
    form = ThresholdForm(prefix="t")
    if not form.validate_on_submit():
        cmp = _comparison()
        return render_template("network/index.html", cmp=cmp, upload=NetworkUploadForm(formdata=None),
                               threshold_form=form, periods=analysis_service.known_periods(), can_save=True), 400
    if service.set_threshold(form.threshold.data, actor_id=current_user.id):
        flash(_("Threshold saved."), "success")
    return redirect(url_for("network.index"))


@bp.route("/overlay.json")
@roles_required(*ROLES)
def overlay():
    """The graph overlay as JSON: shadow edges (supplier, customer, volume) and dormant agreement ids."""
    return jsonify(_comparison().overlay_json())


@bp.route("/graph.svg")
@roles_required(*ROLES)
def graph_svg():
    """The dependency graph of the period with the informal network drawn over it, as SVG."""
    period = period_or_404()
    cmp = service.comparison(period, threshold_value=_threshold())
    pa = analysis_service.period_analysis(period)
    nodes, links = dashboard_queries.graph_data(pa)
    data = overlay_svg(nodes, links, cmp, pa, dependency_graph, labels=dashboard_queries.graph_labels(),
                       words={"shadow": _("Shadow service"), "dormant": _("Dormant agreement"),
                              "ties": _("informal ties")},
                       shadow_url=url_for("network.index", period=period.label))
    response = Response(data, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.route("/export.csv")
@roles_required(*ROLES)
def export_csv():
    """One table (``?table=shadow|dormant|reliance``) as an Excel-safe CSV."""
    table = request.args.get("table", "shadow")
    if table not in TABLES:
        abort(404)
    rows = export_rows(_comparison())[table]
    return _download(exporter.csv_bytes(rows), "text/csv; charset=utf-8", f"informal-network-{table}.csv")


@bp.route("/export.xlsx")
@roles_required(*ROLES)
def export_xlsx():
    """The three tables as one workbook."""
    sheets = export_rows(_comparison())
    return _download(exporter.xlsx_bytes(sheets),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "informal-network.xlsx")


def export_rows(cmp: service.Comparison) -> dict[str, list[list]]:
    """``{table: [header, *rows]}`` of the comparison, typed values (numbers stay numbers)."""
    shadow = [["supplier_code", "supplier", "customer_code", "customer", "informal_ties"]]
    shadow += [[s.supplier, cmp.names.get(s.supplier), s.customer, cmp.names.get(s.customer), s.volume]
               for s in cmp.shadow]
    dormant = [["agreement_id", "supplier_code", "customer_code", "service"]]
    dormant += [[d.contract_id, d.supplier, d.customer, cmp.contracts[d.contract_id][2]] for d in cmp.dormant]
    reliance = [["code", "name", "informal_ties_in", "ties_within", "chain_strength", "dominates",
                 "agreements_supplied"]]
    reliance += [[r.code, r.name, r.incoming, r.within, r.chain_strength, r.dominates, r.agreements_supplied]
                 for r in cmp.reliance]
    return {"shadow": shadow, "dormant": dormant, "reliance": reliance}


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _stored(name: str, allowed: tuple[str, ...]) -> Path:
    """The path of an upload stored by the preview; only names it makes (32 hex digits and an extension)."""
    match = re.fullmatch(r"([0-9a-f]{32})(\.[a-z]+)", name or "")
    if match is None or match.group(2) not in allowed:
        raise ImportFileError("unknown upload")
    path = upload_folder() / name
    if not path.is_file():
        raise ImportFileError("unknown upload")
    return path


def _index_with(form: NetworkUploadForm) -> str:
    cmp = _comparison()
    return render_template("network/index.html", cmp=cmp, upload=form,
                           threshold_form=ThresholdForm(formdata=None, prefix="t", threshold=service.threshold()),
                           periods=analysis_service.known_periods(), can_save=current_user.role == "admin")
