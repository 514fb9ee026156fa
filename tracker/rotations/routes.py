"""Rotation views: HR and admin plan and record; the COO views; heads see their department's.

Thin views: form → validate → service → flash → redirect.
"""
from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..auth import roles_required
from ..auth.access import sees_comment_text
from ..extensions import db
from ..formerrors import show_errors
from ..importer.export import csv_bytes, xlsx_bytes
from ..models import Contract, Department, Rotation, User
from ..services import analysis as analysis_service
from ..services import once
from ..services import rotations as service
from . import bp
from .forms import MoveForm, RotationForm, RotationSettingsForm, StatusForm

PLANNERS = ("hr", "admin")
VIEWERS = ("hr", "coo", "admin")
READERS = ("head", *VIEWERS)


def _own_department() -> int | None:
    """Heads see the rotations of their department only; the other readers see all."""
    return current_user.department_id if current_user.role == "head" else None


def _period():
    """The period of ``?period=LABEL`` (404 when unknown), else the current one (None when there is none)."""
    label = request.args.get("period", "").strip()
    periods = analysis_service.known_periods()
    if label:
        period = next((p for p in periods if p.label == label), None)
        if period is None:
            abort(404)
        return period, periods
    return analysis_service.current_period(), periods


def _with_choices(form: RotationForm, rot: Rotation | None = None) -> RotationForm:
    """People of internal departments to choose from, and the agreements between the two departments chosen."""
    users = db.session.execute(
        select(User, Department.code).join(Department, User.department_id == Department.id)
        .where(Department.kind == "internal", User.archived_at.is_(None)).order_by(User.name, User.email)).all()
    form.person_user_id.choices = [("", _("— type a name below —"))] + [
        (u.id, f"{u.name or u.email} ({code})") for u, code in users]
    pair = {form.from_department_id.data, form.to_department_id.data} - {None}
    contracts = []
    if len(pair) == 2:
        contracts = list(db.session.scalars(
            select(Contract).options(selectinload(Contract.service), selectinload(Contract.supplier),
                                     selectinload(Contract.customer))
            .where(Contract.supplier_id.in_(pair), Contract.customer_id.in_(pair)).order_by(Contract.id)))
    form.contract_id.choices = [("", _("— none —"))] + [
        (c.id, f"{c.service.name} ({c.supplier.code} → {c.customer.code})") for c in contracts]
    return form


def _input(form: RotationForm, period_id: int | None = None) -> service.RotationInput:
    return service.RotationInput(
        person=form.person.data or "", from_department_id=form.from_department_id.data,
        to_department_id=form.to_department_id.data, on_date=form.on_date.data, duration=form.duration.data,
        notes=form.notes.data or "", person_user_id=form.person_user_id.data, period_id=period_id,
        purpose=form.purpose.data or "", contract_id=form.contract_id.data)


@bp.route("/")
@roles_required(*READERS)
def index():
    """The rotation plan by date, with before/after health for done rotations and the company-level effect."""
    rotations = service.list_rotations(department_id=_own_department())
    departments = service.department_map(rotations)
    return render_template("rotations/index.html", rotations=rotations, departments=departments,
                           effects=service.before_after(rotations, departments), today=date.today(),
                           plans=current_user.role in PLANNERS,
                           company=service.company_effect() if current_user.role in VIEWERS else None)


@bp.route("/suggestions")
@roles_required(*VIEWERS)
def suggestions():
    """Suggested rotations in ``?period=LABEL`` (default the current period), where the friction is."""
    period, periods = _period()
    found, pa = service.suggestions(period, show_comments=sees_comment_text(current_user)) if period else (None, None)
    rows = found.rows if found else []
    ids = dict(db.session.execute(select(Department.code, Department.id)).all()) if rows else {}
    return render_template("rotations/suggestions.html", rows=rows, skipped=found.skipped if found else [],
                           pa=pa, period=period, periods=periods, ids=ids, plans=current_user.role in PLANNERS,
                           reason=service.reason, direction=service.direction,
                           skip_periods=service.settings_service.get("rotation_skip_periods"))


@bp.route("/plan")
@roles_required(*VIEWERS)
def plan():
    """A proposed plan for ``?period=LABEL`` (not saved): HR accepts each visit into the real plan."""
    period, periods = _period()
    proposal = service.propose(period) if period else None
    return render_template("rotations/plan.html", proposal=proposal, period=period, periods=periods,
                           plans=current_user.role in PLANNERS, reason=service.reason)


@bp.route("/calendar")
@roles_required(*READERS)
def calendar():
    """The period's rotations as weeks × departments, with each department's weekly capacity."""
    period, periods = _period()
    rotations = service.period_rotations(period, department_id=_own_department()) if period else []
    departments = service.department_map(rotations)
    shown = list(db.session.scalars(select(Department).where(
        Department.kind == "internal", or_(Department.archived_at.is_(None), Department.id.in_(departments or {-1})))
        .order_by(Department.code)))
    if _own_department() is not None:
        shown = [d for d in shown if d.id == _own_department() or d.id in departments]
    sends, hosts = service.capacities(shown)
    return render_template("rotations/calendar.html", period=period, periods=periods,
                           weeks=service.period_weeks(period) if period else [],
                           grid=service.calendar(period, rotations) if period else {}, departments=shown,
                           codes={d.id: d.code for d in shown} | {i: d.code for i, d in departments.items()},
                           sends=sends, hosts=hosts)


def _export_rotations():
    period, _periods = _period()
    if period is None:
        abort(404)
    return period, service.period_rotations(period, department_id=_own_department())


@bp.route("/plan.ics")
@roles_required(*READERS)
def export_ics():
    """The period's rotations as an iCalendar file; stable UIDs so a re-import updates the events."""
    period, rotations = _export_rotations()
    body = service.ics_bytes(rotations, calendar_name=_("Rotations %(period)s", period=period.label))
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="rotations-{period.label}.ics"'})


@bp.route("/plan.csv")
@roles_required(*READERS)
def export_csv():
    """The period's rotations as an Excel-safe CSV."""
    period, rotations = _export_rotations()
    return Response(csv_bytes(service.export_rows(rotations)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="rotations-{period.label}.csv"'})


@bp.route("/plan.xlsx")
@roles_required(*READERS)
def export_xlsx():
    """The period's rotations as an XLSX workbook."""
    period, rotations = _export_rotations()
    return Response(xlsx_bytes({"rotations": service.export_rows(rotations)}),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="rotations-{period.label}.xlsx"'})


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def new():
    """Plan a rotation; ``?from=ID&to=ID&date=YYYY-MM-DD&contract=ID&purpose=…`` pre-fill it, as suggestions link."""
    form = RotationForm()
    if request.method == "GET":
        form.from_department_id.data = request.args.get("from", type=int)
        form.to_department_id.data = request.args.get("to", type=int)
        form.contract_id.data = request.args.get("contract", type=int)
        form.purpose.data = request.args.get("purpose", "")[:2000]
        try:
            form.on_date.data = date.fromisoformat(request.args.get("date", ""))
        except ValueError:
            pass
    _with_choices(form)
    return _form_page(form, None, lambda data: once.submit(
        form.form_token.data, service.create_rotation, data, actor_id=current_user.id, submitter_id=current_user.id),
        _l("Rotation of %(person)s planned."))


def _form_page(form: RotationForm, rot: Rotation | None, write, done: str):
    """The create or edit form: ``write(input)`` on a valid POST; the service's refusals shown by field.

    ``done`` is the message after a save (``%(person)s`` filled in). A resubmitted create form
    (:class:`tracker.services.once.AlreadySubmitted`) goes to the plan with that message.
    """
    period_id = rot.period_id if rot is not None else None
    if form.validate_on_submit():
        try:
            saved = write(_input(form, period_id))
        except once.AlreadySubmitted as exc:
            flash(str(exc), "info")
            return redirect(url_for(".index"))
        except service.RotationError as exc:
            show_errors(form, exc.errors)
        else:
            flash(str(done) % {"person": saved.person}, "success")
            return redirect(url_for(".detail", rotation_id=saved.id))
    elif request.method == "POST":
        show_errors(form, {k: v for k, v in service.check(_input(form, period_id), rot).items()
                           if k and not getattr(form, k).errors})
    return render_template("rotations/form.html", form=form, rot=rot)


def _readable(rotation_id: int) -> Rotation:
    rot = db.get_or_404(Rotation, rotation_id)
    own = _own_department()
    if own is not None and own not in (rot.from_department_id, rot.to_department_id):
        abort(404)
    return rot


@bp.route("/<int:rotation_id>")
@roles_required(*READERS)
def detail(rotation_id: int):
    """One rotation: what it is for, its notes, and (for planners) move, done or cancel."""
    rot = _readable(rotation_id)
    departments = service.department_map([rot])
    period = db.session.get(service.Period, rot.period_id) if rot.period_id else service.period_for(rot.on_date)
    contract = db.session.get(Contract, rot.contract_id) if rot.contract_id else None
    return render_template("rotations/detail.html", rot=rot, departments=departments, contract=contract,
                           period=period, weeks=service.period_weeks(period) if period else [],
                           effect=service.before_after([rot], departments).get(rot.id),
                           plans=current_user.role in PLANNERS, status_form=StatusForm(), move_form=MoveForm(),
                           week_of=service.week_start(rot.on_date))


@bp.route("/<int:rotation_id>/edit", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def edit(rotation_id: int):
    """Change a planned rotation."""
    rot = db.get_or_404(Rotation, rotation_id)
    form = RotationForm(obj=rot)
    _with_choices(form, rot)
    return _form_page(form, rot, lambda data: service.update_rotation(rot, data, actor_id=current_user.id),
                      _l("Rotation of %(person)s saved."))


@bp.route("/<int:rotation_id>/move", methods=["POST"])
@roles_required(*PLANNERS)
def move(rotation_id: int):
    """Move a planned rotation to another week of its period."""
    rot = db.get_or_404(Rotation, rotation_id)
    form = MoveForm()
    if form.validate_on_submit() and form.week.data:
        try:
            service.move_rotation(rot, form.week.data, actor_id=current_user.id)
        except service.RotationError as exc:
            for message in exc.errors.values():
                flash(message, "danger")
        else:
            flash(_("Rotation of %(person)s moved to %(day)s.", person=rot.person,
                    day=service._day(rot.on_date)), "success")
    else:
        flash(_("Choose a week."), "danger")
    return redirect(url_for(".detail", rotation_id=rot.id))


@bp.route("/<int:rotation_id>/status", methods=["POST"])
@roles_required(*PLANNERS)
def status(rotation_id: int):
    """Mark a planned rotation done (with notes) or cancelled (with a reason)."""
    rot = db.get_or_404(Rotation, rotation_id)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            service.set_status(rot, form.status.data, visitor_note=form.visitor_note.data or "",
                               host_note=form.host_note.data or "", cancel_reason=form.cancel_reason.data or "",
                               actor_id=current_user.id)
        except service.RotationError as exc:
            for message in exc.errors.values():
                flash(message, "danger")
        else:
            flash(_("Rotation of %(person)s: status saved.", person=rot.person), "success")
    else:
        flash(_("Unknown status."), "danger")
    return redirect(url_for(".detail", rotation_id=rot.id))


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def settings():
    """Weekly capacities (default and per department), the skip window and the calendar's time zone."""
    current = service.rotation_settings()
    form = RotationSettingsForm()
    if request.method == "GET":
        form.sends.data, form.hosts.data = current.sends, current.hosts
        form.skip_periods.data, form.timezone.data = current.skip_periods, current.timezone
        form.overrides.data = "\n".join(f"{code} {s} {h}" for code, (s, h) in current.overrides.items())
    if form.validate_on_submit():
        overrides, problems = service.parse_overrides(form.overrides.data or "")
        if problems:
            form.overrides.errors = [*form.overrides.errors, *problems]
        else:
            try:
                changes = service.set_rotation_settings(service.RotationSettings(
                    form.sends.data, form.hosts.data, form.skip_periods.data, form.timezone.data or "", overrides),
                    actor_id=current_user.id)
            except service.RotationError as exc:
                show_errors(form, exc.errors)
            else:
                flash(_("Rotation settings saved.") if changes else _("Nothing changed."), "success")
                return redirect(url_for(".settings"))
    return render_template("rotations/settings.html", form=form)
