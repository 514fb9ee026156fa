"""Follow-up views: the supplier head answers, the customer head reads, the COO and admin oversee.

Thin views: form → validate → service → flash → redirect. Who may see or answer a
follow-up is decided by :mod:`tracker.services.followups` (``can_view``, ``can_answer``).
"""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..auth import roles_required
from ..extensions import db
from ..models import Contract, FollowUp, Period
from ..services import analysis as analysis_service
from ..services import followups as service
from ..services import once
from ..services import org as org_service
from ..formerrors import show_errors
from . import bp
from .forms import CancelForm, FollowUpForm, ResponseForm

OVERSEERS = ("coo", "admin")


def _follow_up_or_404(follow_up_id: int) -> FollowUp:
    fu = db.session.scalar(
        select(FollowUp).where(FollowUp.id == follow_up_id)
        .options(joinedload(FollowUp.contract).joinedload(Contract.supplier),
                 joinedload(FollowUp.contract).joinedload(Contract.customer),
                 joinedload(FollowUp.contract).joinedload(Contract.service), joinedload(FollowUp.period))
    )
    if fu is None:
        abort(404)
    return fu


@bp.route("/")
@roles_required("head", *OVERSEERS)
def index():
    """A head: follow-ups on the department (to answer) and on its suppliers (to read); COO/admin: all, filtered."""
    today = date.today()
    if current_user.role == "head":
        dep = current_user.department_id
        return render_template(
            "followups/head.html", today=today, department=current_user.department,
            mine=service.list_follow_ups(today=today, supplier_id=dep),
            theirs=service.list_follow_ups(today=today, customer_id=dep),
        )
    status = request.args.get("status", "")
    overdue = request.args.get("overdue") == "1"
    code = request.args.get("department", "").strip()
    chosen = org_service.department_by_code(code)
    rows = service.list_follow_ups(today=today, status=status, overdue=overdue,
                                   department_id=chosen.id if chosen else None)
    return render_template(
        "followups/index.html", today=today, rows=rows, status=status, overdue=overdue,
        department=chosen.code if chosen else "", overdue_count=service.overdue_count(today),
        on_time=service.on_time_by_department(today), low_count=len(service.low_ratings_without_follow_up()),
    )


@bp.route("/low-ratings")
@roles_required(*OVERSEERS)
def low_ratings():
    """Low ratings without a follow-up: the COO's list of loops still open."""
    return render_template("followups/low_ratings.html", rows=service.low_ratings_without_follow_up())


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*OVERSEERS)
def new():
    """Open a follow-up on ``?contract_id=`` in ``?period=LABEL`` (default the current period)."""
    con = db.get_or_404(Contract, request.args.get("contract_id", type=int) or 0)
    label = request.args.get("period", "").strip()
    if label:
        period = db.session.scalar(select(Period).where(Period.label == label))
    else:
        period = analysis_service.current_period()
    if period is None:
        abort(404)
    form = FollowUpForm()
    if form.validate_on_submit():
        try:
            fu = once.submit(form.form_token.data, service.open_follow_up, con, period, form.title.data,
                             form.description.data, form.due_date.data, actor_id=current_user.id,
                             submitter_id=current_user.id)
        except service.FollowUpError as exc:
            show_errors(form, exc.errors)
        except once.AlreadySubmitted as exc:  # a double click: the first click opened it
            flash(str(exc), "info")
            return redirect(url_for(".index"))
        else:
            flash(_("Follow-up opened; the head of %(code)s owns it.", code=con.supplier.code), "success")
            return redirect(url_for(".detail", follow_up_id=fu.id))
    return render_template("followups/new.html", form=form, con=con, period=period,
                           low=service.low_ratings_of(con, period))


@bp.route("/<int:follow_up_id>", methods=["GET", "POST"])
@roles_required("head", *OVERSEERS)
def detail(follow_up_id: int):
    """One follow-up; its supplier's head answers here and marks it done."""
    fu = _follow_up_or_404(follow_up_id)
    if not service.can_view(current_user, fu):
        abort(403)
    answers = service.can_answer(current_user, fu)
    form = ResponseForm(obj=fu) if request.method == "GET" else ResponseForm()
    if request.method == "POST":
        if not answers:
            abort(403)
        if form.validate_on_submit():
            done = bool(form.done.data)
            try:
                service.save_response(fu, form.response.data, done=done, actor_id=current_user.id)
            except service.FollowUpError as exc:
                show_errors(form, exc.errors)
            else:
                flash(_("Follow-up marked done.") if done else _("Answer saved."), "success")
                return redirect(url_for(".detail", follow_up_id=fu.id))
    return render_template("followups/detail.html", fu=fu, form=form, answers=answers,
                           cancel_form=CancelForm(), today=date.today())


@bp.route("/<int:follow_up_id>/cancel", methods=["POST"])
@roles_required(*OVERSEERS)
def cancel(follow_up_id: int):
    """Cancel an open follow-up, with a reason (COO or admin)."""
    fu = _follow_up_or_404(follow_up_id)
    cancel_form = CancelForm()
    if cancel_form.validate_on_submit():
        try:
            service.cancel_follow_up(fu, cancel_form.reason.data, actor_id=current_user.id)
        except service.FollowUpError as exc:
            show_errors(cancel_form, exc.errors)
        else:
            flash(_("Follow-up cancelled."), "success")
            return redirect(url_for(".detail", follow_up_id=fu.id))
    return render_template("followups/detail.html", fu=fu, form=ResponseForm(obj=fu), answers=False,
                           cancel_form=cancel_form, today=date.today()), 400
