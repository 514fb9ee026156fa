"""Rotation views: HR plans and records; the COO and admin view; heads see their department's.

Thin views: form → validate → service → flash → redirect.
"""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..auth import roles_required
from ..extensions import db
from ..models import Department, Rotation
from ..services import analysis as analysis_service
from ..services import once
from ..services import rotations as service
from ..formerrors import show_errors
from . import bp
from .forms import RotationForm, StatusForm

PLANNERS = ("hr",)
VIEWERS = ("hr", "coo", "admin")


def _with_choices(form: RotationForm, rot: Rotation | None = None) -> RotationForm:
    """Departments are searchable fields (tracker.forms.DepartmentField): nothing to fill in."""
    return form


def _input(form: RotationForm) -> service.RotationInput:
    return service.RotationInput(person=form.person.data or "", from_department_id=form.from_department_id.data,
                                 to_department_id=form.to_department_id.data, on_date=form.on_date.data,
                                 duration=form.duration.data, notes=form.notes.data or "")


def _department_errors(form: RotationForm, rot: Rotation | None) -> None:
    """WTForms checked the fields it knows; the service names the department problems too."""
    errors = service.check(_input(form), rot)
    show_errors(form, {k: v for k, v in errors.items() if k in ("from_department_id", "to_department_id")})


@bp.route("/")
@roles_required("head", *VIEWERS)
def index():
    """The rotation plan by date, with before/after health for done rotations; heads see their department's."""
    department_id = current_user.department_id if current_user.role == "head" else None
    rotations = service.list_rotations(department_id=department_id)
    departments = service.department_map(rotations)
    return render_template("rotations/index.html", rotations=rotations, departments=departments,
                           effects=service.before_after(rotations, departments), today=date.today(),
                           plans=current_user.role in PLANNERS, status_form=StatusForm())


@bp.route("/suggestions")
@roles_required(*VIEWERS)
def suggestions():
    """Suggested rotation pairs in ``?period=LABEL`` (default the current period), where the friction is."""
    label = request.args.get("period", "").strip()
    periods = analysis_service.known_periods()
    if label:
        period = next((p for p in periods if p.label == label), None)
        if period is None:
            abort(404)
    else:
        period = analysis_service.current_period()
    rows, pa = service.suggestions(period) if period else ([], None)
    ids = {}
    if rows:
        codes = {code for s in rows for code in (s.supplier, s.customer)}
        ids = dict(db.session.execute(select(Department.code, Department.id).where(Department.code.in_(codes))).all())
    return render_template("rotations/suggestions.html", rows=rows, pa=pa, period=period, periods=periods,
                           ids=ids, plans=current_user.role in PLANNERS)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def new():
    """Plan a rotation (``?from=ID&to=ID`` pre-fills the departments, as the suggestions link)."""
    form = _with_choices(RotationForm())
    if request.method == "GET":
        form.from_department_id.data = request.args.get("from", type=int)
        form.to_department_id.data = request.args.get("to", type=int)
    if form.validate_on_submit():
        try:
            rot = once.submit(form.form_token.data, service.create_rotation, _input(form), actor_id=current_user.id,
                              submitter_id=current_user.id)
        except service.RotationError as exc:
            show_errors(form, exc.errors)
        except once.AlreadySubmitted as exc:  # a double click: the first click planned it
            flash(str(exc), "info")
            return redirect(url_for(".index"))
        else:
            flash(_("Rotation of %(person)s planned.", person=rot.person), "success")
            return redirect(url_for(".index"))
    elif request.method == "POST":
        _department_errors(form, None)
    return render_template("rotations/form.html", form=form, rot=None)


@bp.route("/<int:rotation_id>/edit", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def edit(rotation_id: int):
    """Change a rotation."""
    rot = db.get_or_404(Rotation, rotation_id)
    form = _with_choices(RotationForm(obj=rot), rot)
    if form.validate_on_submit():
        try:
            service.update_rotation(rot, _input(form), actor_id=current_user.id)
        except service.RotationError as exc:
            show_errors(form, exc.errors)
        else:
            flash(_("Rotation of %(person)s saved.", person=rot.person), "success")
            return redirect(url_for(".index"))
    elif request.method == "POST":
        _department_errors(form, rot)
    return render_template("rotations/form.html", form=form, rot=rot)


@bp.route("/<int:rotation_id>/status", methods=["POST"])
@roles_required(*PLANNERS)
def status(rotation_id: int):
    """Mark a rotation done, cancelled or planned again."""
    rot = db.get_or_404(Rotation, rotation_id)
    form = StatusForm()
    if form.validate_on_submit():
        service.set_status(rot, form.status.data, actor_id=current_user.id)
        flash(_("Rotation of %(person)s: status saved.", person=rot.person), "success")
    else:
        flash(_("Unknown status."), "danger")
    return redirect(url_for(".index"))

