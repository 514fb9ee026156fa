"""Follow-up views: the owner acknowledges, plans and resolves; the customer's head confirms or reopens;
the COO and admin oversee, reassign, change due dates and close without action.

Thin views: form → service → flash → redirect. Who may make which transition is decided by
:mod:`tracker.services.followups` (``TRANSITIONS``, ``allowed``); a refusal is shown with its
reason (403), bad input next to its field with what the user typed kept (400).
"""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..auth import roles_required
from ..extensions import db
from ..formerrors import show_errors
from ..security import is_safe_next
from ..models import FOLLOW_UP_STATES, Contract, Department, FollowUp, Period
from ..services import analysis as analysis_service
from ..services import followups as service
from ..services import notifications as notification_service
from ..services import periods as periods_service
from . import bp
from .forms import (AcknowledgeForm, CancelForm, ConfirmForm, DueForm, FollowUpForm, PlanForm, ReassignForm,
                    ReopenForm, ResolveForm)

OVERSEERS = ("coo", "admin")
#: action → (form class, success message)
FORMS = {
    "acknowledge": AcknowledgeForm, "plan": PlanForm, "resolve": ResolveForm, "confirm": ConfirmForm,
    "reopen": ReopenForm, "cancel": CancelForm, "reassign": ReassignForm, "set_due": DueForm,
}


def _follow_up_or_404(follow_up_id: int) -> FollowUp:
    fu = db.session.scalar(
        select(FollowUp).where(FollowUp.id == follow_up_id)
        .options(joinedload(FollowUp.contract).joinedload(Contract.supplier),
                 joinedload(FollowUp.contract).joinedload(Contract.customer),
                 joinedload(FollowUp.contract).joinedload(Contract.service), joinedload(FollowUp.period),
                 joinedload(FollowUp.owner))
    )
    if fu is None:
        abort(404)
    return fu


@bp.route("/")
@roles_required("head", "member", *OVERSEERS)
def index():
    """A head or member: follow-ups on the department (to answer) and on its suppliers (to confirm);
    COO/admin: all, filtered by state, overdue, effect, department and period."""
    today = date.today()
    if current_user.role in ("head", "member"):
        dep = current_user.department_id
        mine = service.list_follow_ups(today=today, supplier_id=dep)
        if current_user.role == "member":
            mine = [f for f in mine if f.owner_id == current_user.id]
        theirs = service.list_follow_ups(today=today, customer_id=dep) if current_user.role == "head" else []
        return render_template("followups/head.html", today=today, department=current_user.department,
                               mine=mine, theirs=theirs, due_status=service.due_status,
                               effects=service.effects(mine + theirs))
    status = request.args.get("status", "")
    overdue = request.args.get("overdue") == "1"
    effect = request.args.get("effect", "")
    if effect not in service.EFFECT_WORDS:
        effect = ""
    code = request.args.get("department", "").strip()
    label = request.args.get("period", "").strip()
    departments = list(db.session.scalars(
        select(Department).where(Department.kind == "internal").order_by(Department.code)))
    periods = periods_service.list_periods()
    chosen = next((d for d in departments if d.code == code), None)
    period = next((p for p in periods if p.label == label), None)
    rows = service.list_follow_ups(today=today, status=status, overdue=overdue, effect=effect,
                                   department_id=chosen.id if chosen else None,
                                   period_id=period.id if period else None)
    return render_template(
        "followups/index.html", today=today, rows=rows, departments=departments, status=status, overdue=overdue,
        department=chosen.code if chosen else "", periods=periods, period=period.label if period else "",
        effect=effect, effect_words=service.EFFECT_WORDS, effect_word=service.effect_word,
        states=("active", *FOLLOW_UP_STATES),
        state_word=service.state_word, overdue_count=service.overdue_count(today), due_status=service.due_status,
        effects=service.effects(rows), on_time=service.on_time_by_department(today),
        low_count=len(service.low_ratings_without_follow_up()),
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
            fu = service.open_follow_up(con, period, form.title.data, form.description.data, form.due_date.data,
                                        actor_id=current_user.id)
        except service.FollowUpError as exc:
            show_errors(form, exc.errors)
        else:
            owner = fu.owner.name or fu.owner.email if fu.owner else con.supplier.code
            flash(_("Follow-up opened; %(owner)s owns it.", owner=owner), "success")
            return redirect(url_for(".detail", follow_up_id=fu.id))
    return render_template("followups/new.html", form=form, con=con, period=period,
                           low=service.low_ratings_of(con, period))


def _forms(fu: FollowUp, active: str | None = None, active_form=None) -> dict:
    """Every transition form of the page: the one just posted keeps what was typed, the others start empty."""
    forms = {}
    for action, cls in FORMS.items():
        if action == active:
            forms[action] = active_form
            continue
        form = cls(formdata=None)
        if action == "reassign":
            form.owner_id.data = fu.owner_id
        elif action == "set_due":
            form.ack_due.data, form.due_date.data = fu.ack_due, fu.due_date
        forms[action] = form
    owners = service.eligible_owners(fu)
    forms["reassign"].owner_id.choices = [(u.id, f"{u.name or u.email} ({u.email})") for u in owners] + (
        [] if fu.owner_id in {u.id for u in owners} or fu.owner_id is None
        else [(fu.owner_id, fu.owner.name or fu.owner.email)])
    if active == "reassign" and active_form.owner_id.data not in {c[0] for c in active_form.owner_id.choices}:
        forms["reassign"].owner_id.choices.append((active_form.owner_id.data, str(active_form.owner_id.data)))
    return forms


def _render(fu: FollowUp, forms: dict, status: int = 200):
    today = date.today()
    may = {action: service.allowed(current_user, fu, action) for action in service.TRANSITIONS}
    return render_template(
        "followups/detail.html", fu=fu, forms=forms, may=may, today=today, ds=service.due_status(fu, today),
        effect=service.effects([fu])[fu.id], low=service.low_ratings_of(fu.contract, fu.period),
        state_word=service.state_word, effect_word=service.effect_word,
    ), status


@bp.route("/<int:follow_up_id>")
@roles_required("head", "member", *OVERSEERS)
def detail(follow_up_id: int):
    """One follow-up: its state, due dates, low ratings, plan, effect, timeline, and the forms of who must act."""
    fu = _follow_up_or_404(follow_up_id)
    if not service.can_view(current_user, fu):
        abort(403)
    return _render(fu, _forms(fu))


def _show_action_errors(form, errors: dict[str, str]) -> None:
    """Service errors next to their fields; ``actions-N-field`` is row N of the plan."""
    rest = {}
    for name, message in errors.items():
        parts = name.split("-")
        if len(parts) == 3 and parts[0] == "actions" and hasattr(form, "actions"):
            i = int(parts[1])
            while len(form.actions) <= i:
                form.actions.append_entry()
            sub = getattr(form.actions[i].form, parts[2])
            sub.errors = [*sub.errors, message]
        else:
            rest[name] = message
    show_errors(form, rest)


@bp.route("/<int:follow_up_id>/<action>", methods=["POST"])
@login_required
def act(follow_up_id: int, action: str):
    """Make one transition; refused transitions answer 403 with the reason, bad input 400 with it kept."""
    if action not in FORMS:
        abort(404)
    fu = _follow_up_or_404(follow_up_id)
    if not service.can_view(current_user, fu) and not service.allowed(current_user, fu, action):
        abort(403)
    form = FORMS[action]()
    if action == "reassign":
        form.owner_id.choices = [(u.id, u.email) for u in service.eligible_owners(fu)]
    if not form.validate_on_submit():
        return _render(fu, _forms(fu, action, form), 400)
    try:
        if action == "acknowledge":
            service.acknowledge(fu, current_user, form.root_cause.data)
        elif action == "plan":
            service.plan(fu, current_user, [service.ActionInput(e.what.data, e.who.data, e.due_date.data)
                                            for e in form.actions])
        elif action == "resolve":
            service.resolve(fu, current_user, form.response.data)
        elif action == "confirm":
            service.confirm(fu, current_user, form.note.data)
        elif action == "reopen":
            service.reopen(fu, current_user, form.reason.data)
        elif action == "cancel":
            service.cancel_follow_up(fu, form.reason.data, user=current_user)
        elif action == "reassign":
            service.reassign(fu, current_user, form.owner_id.data)
        elif action == "set_due":
            service.set_due_dates(fu, current_user, form.ack_due.data, form.due_date.data)
    except service.FollowUpRefused as exc:
        flash(str(exc), "danger")
        fu = _follow_up_or_404(follow_up_id)
        return _render(fu, _forms(fu, action, form), 403)
    except service.FollowUpError as exc:
        _show_action_errors(form, exc.errors)
        return _render(fu, _forms(fu, action, form), 400)
    flash(_("Follow-up %(action)s.", action=service.action_word(action)), "success")
    return redirect(url_for(".detail", follow_up_id=fu.id))


@bp.route("/notifications")
@login_required
def notifications():
    """The user's notices, newest first, unread ones marked."""
    return render_template("followups/notifications.html",
                           rows=notification_service.recent(current_user.id))


@bp.route("/notifications/read", methods=["POST"])
@login_required
def mark_read():
    """Mark one notice (``id``) or all of the user's notices as read."""
    from flask_wtf import FlaskForm
    if not FlaskForm().validate_on_submit():
        abort(400)
    nid = request.form.get("id", type=int)
    notification_service.mark_read(current_user.id, nid)
    target = request.form.get("go")
    if is_safe_next(target):
        return redirect(target)
    return redirect(url_for(".notifications"))
