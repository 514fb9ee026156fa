"""Admin views for imports and exports: upload → preview (a dry run) → apply, survey mappings, downloads.

Thin views: the upload is checked and kept by :mod:`tracker.importer.jobs`, which runs
the preview and the apply (in a background thread); the status page polls a fragment
with htmx until the run ends.
"""
from __future__ import annotations

import json
from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from werkzeug.datastructures import ImmutableMultiDict
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, Regexp

from .. import downloads
from ..extensions import db
from ..forms import Form
from ..importer import jobs
from ..importer.service import COUNTED
from ..importer.survey import check_mapping
from ..importer.uploads import ImportFileError
from ..models import ImportJob, SurveyMapping
from ..services import analysis as analysis_service
from ..services import imports as import_service
from ..views import period_or_404
from . import bp

RECENT_JOBS = 20


class UploadForm(Form):
    """An organization workbook, a ZIP of its CSV files, or one of those CSV files."""

    file = FileField(_l("Workbook (.xlsx), ZIP of CSV files, or one CSV file"), validators=[FileRequired()])
    submit = SubmitField(_l("Upload and preview"))


class SurveyForm(Form):
    """A survey-tool export and the mapping of its columns to rating fields."""

    file = FileField(_l("Survey export (.csv or .xlsx)"), validators=[FileRequired()])
    saved = SelectField(_l("Saved mapping"), choices=[], validate_choice=False)
    recommend_column = StringField(_l("Column of the 0–10 question"), validators=[Optional(), Length(max=500)])
    comment_column = StringField(_l("Column of the comment"), validators=[Optional(), Length(max=500)])
    timestamp_column = StringField(_l("Column of the timestamp"), validators=[Optional(), Length(max=500)])
    period_by = SelectField(_l("Period from the timestamp"),
                            choices=[SelectChoice("month", _l("month (YYYY-MM)")),
                                     SelectChoice("quarter", _l("quarter (YYYY-Qn)"))])
    date_order = SelectField(_l("Dates written with slashes"),
                             choices=[SelectChoice("mdy", _l("month/day/year")),
                                      SelectChoice("dmy", _l("day/month/year"))])
    period = StringField(_l("Period label, fixed for the file"), validators=[Optional(), Length(max=32)])
    period_column = StringField(_l("Column of the period label"), validators=[Optional(), Length(max=500)])
    respondent_column = StringField(_l("Column of the respondent"), validators=[Optional(), Length(max=500)])
    supplier = StringField(_l("Supplier code, fixed for the file"), validators=[Optional(), Length(max=32)])
    supplier_column = StringField(_l("Column of the supplier code"), validators=[Optional(), Length(max=500)])
    customer = StringField(_l("Customer code, fixed for the file"), validators=[Optional(), Length(max=32)])
    customer_column = StringField(_l("Column of the customer code"), validators=[Optional(), Length(max=500)])
    service = StringField(_l("Internal product, fixed for the file"), validators=[Optional(), Length(max=200)])
    service_column = StringField(_l("Column of the internal product"), validators=[Optional(), Length(max=500)])
    criteria = TextAreaField(_l("Criteria (JSON)"), validators=[Optional(), Length(max=20000)])
    missing_comment = StringField(_l("Comment for a low answer without one"), validators=[Optional(), Length(max=200)])
    save_as = StringField(_l("Save this mapping as"), validators=[
        Optional(), Length(max=100), Regexp(r"^[\w .\-]+$", message=_l("Letters, digits, spaces, dots and dashes."))])
    submit = SubmitField(_l("Upload and preview"))

    MAPPING_FIELDS = ("recommend_column", "comment_column", "timestamp_column", "period_by", "date_order", "period",
                      "period_column", "respondent_column", "supplier", "supplier_column", "customer",
                      "customer_column", "service", "service_column", "missing_comment")

    def mapping(self) -> dict:
        """The mapping the admin filled in (criteria parsed from their JSON).

        Raises
        ------
        ImportFileError
            The criteria are not valid JSON.
        """
        mapping = {name: (getattr(self, name).data or "").strip() for name in self.MAPPING_FIELDS}
        text = (self.criteria.data or "").strip()
        if text:
            try:
                mapping["criteria"] = json.loads(text)
            except ValueError as exc:
                raise ImportFileError(f"criteria: not valid JSON ({exc})") from exc
        return {k: v for k, v in mapping.items() if v}


@bp.before_request
def _refuse_too_large_uploads():
    """Answer 413 for a body over MAX_CONTENT_LENGTH before anything parses it.

    The admin context processor builds a form, which parses the body; on an oversized
    body that parse raises again while the error page renders, which became a 500. So
    the body is marked empty first.
    """
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and request.content_length and request.content_length > limit:
        request.__dict__["form"] = ImmutableMultiDict()
        request.__dict__["files"] = ImmutableMultiDict()
        abort(413)


def _saved_mappings() -> list[SurveyMapping]:
    return list(db.session.scalars(select(SurveyMapping).order_by(SurveyMapping.name)))


def _survey_form() -> SurveyForm:
    form = SurveyForm()
    form.saved.choices = [SelectChoice("", _("— fill in the fields below —"))] + [
        SelectChoice(m.name, m.name) for m in _saved_mappings()]
    return form


def _page(upload_form: UploadForm | None = None, survey_form: SurveyForm | None = None, status: int = 200):
    recent = list(db.session.scalars(select(ImportJob).where(ImportJob.kind.not_in(downloads.KINDS)).order_by(ImportJob.id.desc()).limit(RECENT_JOBS)))
    return render_template("admin/imports/index.html", upload_form=upload_form or UploadForm(),
                           survey_form=survey_form or _survey_form(), recent=recent,
                           mappings=_saved_mappings()), status


@bp.get("/imports")
def imports():
    """The import page: organization upload, survey upload with its mapping, recent imports."""
    return _page()


@bp.post("/imports")
def import_upload():
    """Keep an organization upload and preview it (a dry run)."""
    form = UploadForm()
    if not form.validate_on_submit():
        return _page(upload_form=form, status=400)
    upload = form.file.data
    try:
        job = jobs.create_job(upload.filename or "upload", upload.read(), user_id=current_user.id)
    except ImportFileError as exc:
        form.file.errors.append(str(exc))
        return _page(upload_form=form, status=400)
    jobs.start(job, dry_run=True)
    return redirect(url_for("admin.import_job", id=job.token))


@bp.post("/imports/survey")
def import_survey_upload():
    """Keep a survey export with its mapping (saved by name if asked) and preview it."""
    form = _survey_form()
    if not form.validate_on_submit():
        return _page(survey_form=form, status=400)
    try:
        if form.saved.data:
            saved = db.session.scalar(select(SurveyMapping).where(SurveyMapping.name == form.saved.data))
            if saved is None:
                raise ImportFileError(_("That saved mapping no longer exists."))
            mapping = saved.config_data
        else:
            mapping = check_mapping(form.mapping())
        upload = form.file.data
        job = jobs.create_job(upload.filename or "survey", upload.read(), kind="survey", mapping=mapping,
                              user_id=current_user.id)
    except ImportFileError as exc:
        form.file.errors.append(str(exc))
        return _page(survey_form=form, status=400)
    name = (form.save_as.data or "").strip()
    if name and not form.saved.data:
        import_service.save_survey_mapping(name, mapping, actor_id=current_user.id)
        flash(_("Mapping %(name)s saved.", name=name), "success")
    jobs.start(job, dry_run=True)
    return redirect(url_for("admin.import_job", id=job.token))


def _job_or_404() -> ImportJob:
    # The job's opaque token travels as ?id=… so that every admin URL builds without arguments.
    token = request.args.get("id", "")
    job = jobs.get_job(token) if token else None
    if job is None:
        abort(404)
    return job


def _job_context(job: ImportJob) -> dict:
    result = job.result_data
    counts = {name: result.get("counts", {}).get(name, [0, 0, 0]) for name in COUNTED}
    if job.kind == "survey":
        # A survey adds responses; the headline counts them, the table also shows periods it creates.
        counts = {"ratings": counts["ratings"], "periods": counts["periods"]}
        totals = counts["ratings"]
    else:
        totals = [sum(c[i] for c in counts.values()) for i in range(3)]
    return {"job": job, "result": result, "counts": counts, "totals": totals, "progress": jobs.progress_of(job),
            "problems": result.get("problems", []),
            "problems_total": result.get("problems_total", len(result.get("problems", [])))}


@bp.get("/imports/job")
def import_job():
    """The status of an import (``?id=TOKEN``): progress while it runs, then the preview or the applied counts."""
    job = _job_or_404()
    return render_template("admin/imports/job.html", **_job_context(job))


@bp.get("/imports/job/status")
def import_job_status():
    """The status fragment that the job page polls with htmx."""
    job = _job_or_404()
    return render_template("admin/imports/_status.html", **_job_context(job))


@bp.post("/imports/job/apply")
def import_apply():
    """Apply a previewed upload: checked again from the kept file, then written in one transaction."""
    job = _job_or_404()
    from ..auth.forms import EmptyForm

    if not EmptyForm().validate_on_submit():
        abort(400)
    if not job.dry_run:
        flash(_("This import was already applied.") if job.status == "done"
              else _("This import is being applied already."), "info")
        return redirect(url_for("admin.import_job", id=job.token))
    if not job.finished or job.result_data.get("problems"):
        flash(_("Only a finished preview without problems can be applied."), "warning")
        return redirect(url_for("admin.import_job", id=job.token))
    if not jobs.start_apply(job):  # a second click that lost the race to the first
        flash(_("This import was already applied."), "info")
    return redirect(url_for("admin.import_job", id=job.token))


DOCS = Path(__file__).resolve().parent.parent.parent / "docs" / "import"
SAMPLES = ("departments.csv", "contracts.csv", "periods.csv", "ratings.csv")


@bp.get("/imports/layout")
def import_layout():
    """The import layout (docs/import/README.md, every column), as plain text."""
    return Response((DOCS / "README.md").read_text(encoding="utf-8"), mimetype="text/plain",
                    headers={"X-Content-Type-Options": "nosniff"})


@bp.get("/imports/sample/<name>")
def import_sample(name: str):
    """One of the sample files of docs/import/sample/, to copy and edit."""
    if name not in SAMPLES:
        abort(404)
    return _download((DOCS / "sample" / name).read_bytes(), name, "text/csv")


@bp.post("/imports/job/retry")
def import_retry():
    """Run a failed preview or apply again (its worker died, or a bug stopped it): checked afresh from the kept file."""
    job = _job_or_404()
    from ..auth.forms import EmptyForm

    if not EmptyForm().validate_on_submit():
        abort(400)
    if job.status != "failed":
        flash(_("Only a failed import can be run again."), "warning")
    else:
        jobs.start(job, dry_run=job.dry_run)
    return redirect(url_for("admin.import_job", id=job.token))


# --- exports -------------------------------------------------------------------------------


@bp.get("/exports")
def exports():
    """Downloads: a period's ratings and department figures (CSV, XLSX), the whole organization (XLSX)."""
    periods = analysis_service.known_periods()
    current = analysis_service.current_period()
    return render_template("admin/imports/exports.html", periods=periods, current=current)


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "X-Content-Type-Options": "nosniff"})



def _made_now_or_job(kind: str, params: dict):
    """The file made in this request, or, when it is large (:func:`tracker.downloads.in_background`), its job's page."""
    if downloads.in_background(kind, params):
        job = downloads.start(kind, params, user_id=current_user.id)
        return redirect(url_for("main.download_job", token=job.token))
    made = downloads.build(kind, params)
    return _download(made.data, made.filename, made.mimetype)


def export_period(what: str, fmt: str):
    """A period's ratings or per-department figures (``?period=LABEL``, default the current one)."""
    return _made_now_or_job(what, {"period": period_or_404().label, "fmt": fmt})


for _what in ("ratings", "departments"):
    for _fmt in ("csv", "xlsx"):
        bp.add_url_rule(f"/exports/{_what}.{_fmt}", f"export_{_what}_{_fmt}", export_period,
                        defaults={"what": _what, "fmt": _fmt})


@bp.get("/exports/organization.xlsx")
def export_organization():
    """The whole organization as the import's workbook (departments, contracts, periods, ratings)."""
    return _made_now_or_job("org_workbook", {})


# --- the survey mapping form: one select per column ------------------------------------------------------

class SurveyMappingForm(Form):
    """What a survey mapping fixes for the whole file, and its name; the per-column selects are
    read from ``role-<i>``, ``criterion-<i>`` and ``scale-<i>`` (one row per column of the header)."""

    file = FileField(_l("Survey export whose header to map (.csv or .xlsx)"))
    name = StringField(_l("Save this mapping as"), validators=[
        Optional(), Length(max=100), Regexp(r"^[\w .\-]+$", message=_l("Letters, digits, spaces, dots and dashes."))])
    supplier = StringField(_l("Supplier code, fixed for the file"), validators=[Optional(), Length(max=32)])
    customer = StringField(_l("Customer code, fixed for the file"), validators=[Optional(), Length(max=32)])
    service = StringField(_l("Internal product, fixed for the file"), validators=[Optional(), Length(max=200)])
    period = StringField(_l("Period label, fixed for the file"), validators=[Optional(), Length(max=32)])
    period_by = SelectField(_l("Period from the timestamp"),
                            choices=[SelectChoice("month", _l("month (YYYY-MM)")),
                                     SelectChoice("quarter", _l("quarter (YYYY-Qn)"))], default="month")
    date_order = SelectField(_l("Dates written with slashes"),
                             choices=[SelectChoice("mdy", _l("month/day/year")),
                                      SelectChoice("dmy", _l("day/month/year"))], default="mdy")
    submit = SubmitField(_l("Save mapping"))

    FIXED = ("supplier", "customer", "service", "period", "period_by", "date_order")


def _role_words() -> dict[str, str]:
    return {"ignore": _("ignore"), "criterion": _("criterion"), "recommend": _("0–10 question"),
            "comment": _("comment"), "respondent": _("respondent"), "supplier": _("supplier department"),
            "customer": _("customer department"), "service": _("internal product"), "period": _("period label"),
            "timestamp": _("date and time")}


def _mapping_page(form: SurveyMappingForm, columns: list[str], rows: list[tuple[str, str, str]],
                  error: str | None = None, status: int = 200):
    from ..importer.survey import COLUMN_ROLES, FORM_SCALES
    from ..services import settings as settings_service

    return render_template("admin/imports/survey_mapping.html", form=form, columns=list(zip(columns, rows)),
                           roles=[(r, _role_words()[r]) for r in COLUMN_ROLES], scales=FORM_SCALES,
                           criteria=settings_service.active_criteria(), error=error,
                           mappings=_saved_mappings()), status


@bp.get("/imports/survey-mapping")
def survey_mapping():
    """The mapping form: upload a survey for its header, or open a saved mapping (``?saved=NAME``)."""
    from ..importer.survey import roles_of_mapping

    form = SurveyMappingForm()
    name = request.args.get("saved", "").strip()
    if not name:
        return _mapping_page(form, [], [])
    saved = db.session.scalar(select(SurveyMapping).where(SurveyMapping.name == name))
    if saved is None:
        abort(404)
    mapping = saved.config_data
    columns = [mapping[k] for k in sorted(mapping) if k.endswith("_column")] + [
        spec["column"] for spec in (mapping.get("criteria") or {}).values()]
    form.name.data = saved.name
    for key in SurveyMappingForm.FIXED:
        if mapping.get(key):
            getattr(form, key).data = mapping[key]
    return _mapping_page(form, columns, roles_of_mapping(columns, mapping))


@bp.post("/imports/survey-mapping")
def survey_mapping_save():
    """Read an uploaded survey's header into one row per column, or save the mapping the rows describe."""
    from ..importer.survey import mapping_from_columns, survey_header

    form = SurveyMappingForm()
    if not form.validate_on_submit():
        return _mapping_page(form, [], [], status=400)
    upload = form.file.data
    if upload is not None and getattr(upload, "filename", ""):
        try:
            header = survey_header(upload.filename, upload.read())
        except ImportFileError as exc:
            return _mapping_page(form, [], [], error=str(exc), status=400)
        return _mapping_page(form, header, [("ignore", "", "")] * len(header))
    columns = []
    while f"column-{len(columns)}" in request.form:
        columns.append(request.form[f"column-{len(columns)}"])
    rows = [(request.form.get(f"role-{i}", "ignore"), request.form.get(f"criterion-{i}", ""),
             request.form.get(f"scale-{i}", "")) for i in range(len(columns))]
    name = (form.name.data or "").strip()
    try:
        if not columns:
            raise ImportFileError(_("Upload a survey export first: its header gives the columns to map."))
        if not name:
            raise ImportFileError(_("Give the mapping a name to save it by."))
        mapping = mapping_from_columns(columns, *map(list, zip(*rows)),
                                       fixed={k: getattr(form, k).data or "" for k in SurveyMappingForm.FIXED})
    except ImportFileError as exc:
        return _mapping_page(form, columns, rows, error=str(exc), status=400)
    import_service.save_survey_mapping(name, mapping, actor_id=current_user.id)
    flash(_("Mapping %(name)s saved.", name=name), "success")
    return redirect(url_for("admin.imports"))
