"""Rating views: heads and members rate their internal suppliers for the open period.

Heads also choose respondents among their colleagues and read what their own internal
customers said. Views stay thin: form → validate → service → flash → redirect.
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from ..auth import access, roles_required
from ..auth.forms import EmptyForm
from ..extensions import db
from ..models import Contract, Department, Period, User
from ..services import analysis as analysis_service
from ..services import periods as periods_service
from ..services import ratings as rating_service
from ..services import respondents as respondent_service
from ..services import settings as settings_service
from ..views import period_or_404
from . import bp, queries
from .forms import RatingForm, RespondentForm, rating_form_class


@bp.route("/")
@roles_required("head", "member")
def index():
    """The user's suppliers to rate in the open period, with progress, health and trend."""
    period = periods_service.the_open_period()
    contracts, figures, mine, hidden = [], {}, {}, set()
    if period is not None:
        contracts = queries.rateable_contracts(current_user, period)
        hidden = access.unrated_open_contract_ids(current_user, period, [c.id for c in contracts])
        figures = queries.health_figures(contracts, period, hidden)
        mine = queries.own_ratings(current_user, period, [c.id for c in contracts])
    done = sum(queries.is_done(mine.get(c.id)) for c in contracts)
    follow_ups = queries.open_follow_ups(current_user.department_id) if current_user.role == "head" else []
    return render_template("rate/index.html", period=period, contracts=contracts, figures=figures, mine=mine,
                           done=done, is_done=queries.is_done, follow_ups=follow_ups, hidden=hidden)


@bp.route("/<int:contract_id>", methods=["GET", "POST"])
@roles_required("head", "member")
def rate_contract(contract_id: int):
    """Rate one contract for the open period; a saved rating is shown filled in and may be edited."""
    contract = _contract_to_rate(contract_id)
    closed = _just_closed_period() if request.method == "POST" else None
    period = closed or _open_period_for(contract)
    if isinstance(period, Response):
        return period
    criteria = settings_service.active_criteria()
    form = rating_form_class(criteria)()
    existing = queries.own_ratings(current_user, period, [contract.id]).get(contract.id)
    status = 200
    if closed is not None:
        # The period closed while the user was typing: show what they typed, save nothing.
        flash(_closed_message(closed), "danger")
        status = 409
    elif form.is_submitted():
        fields_ok = form.validate()
        errors = rating_service.check_answers(period, [(contract, form.to_input())])
        loose = form.add_errors(errors.get(contract.id, {}), _error_messages())
        for reason in loose:
            flash(reason, "danger")
        if fields_ok and not errors:
            try:
                rating_service.submit_ratings(period, [(contract, form.to_input())], **_respondent(),
                                              respondent_keys=queries.respondent_keys(
                                                  {contract.id: existing} if existing else {}))
            except rating_service.PeriodNotOpen:
                flash(_closed_message(period), "danger")
                status = 409
            except rating_service.RatingsError as exc:
                for reason in form.add_errors(exc.errors.get(contract.id, {}), _error_messages()):
                    flash(reason, "danger")
            except rating_service.RatingConflict:
                flash(_conflict_message(), "danger")
                status = 409
            else:
                flash(_("Your rating of %(supplier)s is saved.", supplier=contract.supplier.name), "success")
                return redirect(url_for("rate.index"))
    elif existing is not None:
        form.fill_from(existing)
    return render_template("rate/rate_contract.html", contract=contract, period=period, form=form,
                           existing=existing, comment_rule=_comment_rule()), status


@bp.route("/all", methods=["GET", "POST"])
@roles_required("head", "member")
def rate_all():
    """Rate several contracts in one sitting, one row each; saved as one transaction (all or nothing).

    ``?todo=1`` lists only the agreements the user has not rated yet. A refused save shows
    every row as typed, with each reason next to its row and field.
    """
    period = periods_service.the_open_period()
    closed = None
    if period is None and request.method == "POST":
        period = closed = _just_closed_period()
    if period is None:
        flash(_("No period is open for rating now."), "warning")
        return redirect(url_for("rate.index"))
    contracts = queries.rateable_contracts(current_user, period)
    existing = queries.own_ratings(current_user, period, [c.id for c in contracts])
    todo_only = request.args.get("todo") == "1"
    all_count = len(contracts)
    if todo_only:
        contracts = [c for c in contracts if not queries.is_done(existing.get(c.id))]
    criteria = settings_service.active_criteria()
    form_class = rating_form_class(criteria)
    page_form = EmptyForm()
    forms: dict[int, RatingForm] = {c.id: form_class(prefix=f"c{c.id}", meta={"csrf": False}) for c in contracts}
    loose: dict[int, list[str]] = {}
    status = 200
    if closed is not None:
        # The period closed while the user was typing: show what they typed, save nothing.
        flash(_closed_message(closed), "danger")
        status = 409
    elif request.method == "POST":
        if not page_form.validate_on_submit():
            flash(_("The form has expired; please submit it again."), "danger")
        else:
            answers, fields_ok = [], True
            for contract in contracts:
                form = forms[contract.id]
                if form.is_blank():
                    continue
                fields_ok = form.validate() and fields_ok
                answers.append((contract, form.to_input()))
            errors = rating_service.check_answers(period, answers)
            for cid, errs in errors.items():
                loose[cid] = forms[cid].add_errors(errs, _error_messages())
            if not answers:
                flash(_("Nothing to save: no agreement was rated."), "warning")
            elif not fields_ok or errors:
                bad = sum(1 for c in contracts if _has_errors(forms[c.id]) or loose.get(c.id))
                flash(ngettext("Nothing was saved: %(num)d agreement needs a correction (marked below).",
                               "Nothing was saved: %(num)d agreements need a correction (marked below).", bad), "danger")
            else:
                try:
                    changed = rating_service.submit_ratings(period, answers, **_respondent(),
                                                            respondent_keys=queries.respondent_keys(existing))
                except rating_service.PeriodNotOpen:
                    flash(_closed_message(period), "danger")
                    status = 409
                except rating_service.RatingConflict:
                    flash(_conflict_message(), "danger")
                    status = 409
                except rating_service.RatingsError as exc:
                    for cid, errs in exc.errors.items():
                        loose[cid] = forms[cid].add_errors(errs, _error_messages())
                    flash(_("Nothing was saved: an agreement needs a correction (marked below)."), "danger")
                else:
                    if changed:
                        flash(ngettext("%(num)d rating saved.", "%(num)d ratings saved.", changed), "success")
                    else:  # e.g. the same form sent twice: the ratings are there once, unchanged
                        flash(_("Nothing changed: these answers were saved already."), "info")
                    return redirect(url_for("rate.index"))
    else:
        for cid, rating in existing.items():
            if cid in forms:  # the not-yet-rated view leaves the rated ones out
                forms[cid].fill_from(rating)
    return render_template("rate/rate_all.html", period=period, contracts=contracts, forms=forms,
                           page_form=page_form, loose=loose, existing=existing, has_errors=_has_errors,
                           criteria=criteria, todo_only=todo_only, all_count=all_count, is_done=queries.is_done,
                           comment_rule=_comment_rule()), status


@bp.route("/<int:contract_id>/respondents", methods=["GET", "POST"])
@roles_required("head")
def respondents(contract_id: int):
    """The head of the customer department adds colleagues as respondents of a contract."""
    contract = _own_contract_as_customer(contract_id)
    current = respondent_service.respondents_of(contract)
    current_ids = {u.id for u in current}
    candidates = [u for u in respondent_service.colleagues(contract.customer_id)
                  if u.id not in current_ids and u.id != current_user.id]
    form = RespondentForm()
    form.user_id.choices = [SelectChoice(str(u.id), f"{u.display_name} <{u.email}>") for u in candidates]
    if form.validate_on_submit():
        user = db.session.get(User, form.user_id.data)
        if _change_respondents(respondent_service.add_respondent, contract, user,
                               _l("%(name)s will rate this agreement.")):
            return redirect(url_for("rate.respondents", contract_id=contract.id))
    return render_template("rate/respondents.html", contract=contract, respondents=current, form=form,
                           remove_form=EmptyForm())


@bp.route("/<int:contract_id>/respondents/<int:user_id>/remove", methods=["POST"])
@roles_required("head")
def remove_respondent(contract_id: int, user_id: int):
    """Remove a colleague from the respondents of a contract (their ratings stay)."""
    contract = _own_contract_as_customer(contract_id)
    user = db.get_or_404(User, user_id)
    if EmptyForm().validate_on_submit():
        _change_respondents(respondent_service.remove_respondent, contract, user,
                            _l("%(name)s no longer rates this agreement."))
    return redirect(url_for("rate.respondents", contract_id=contract.id))


def _change_respondents(change, contract: Contract, user: User, done: str) -> bool:
    """Run ``change(contract, user)`` (add or remove a respondent); flash its refusal or ``done``. True when done."""
    try:
        change(contract, user, actor_id=current_user.id)
    except respondent_service.RespondentError as exc:
        flash(str(exc), "danger")
        return False
    flash(str(done) % {"name": user.display_name}, "success")
    return True


@bp.route("/feedback")
@roles_required("head")
def feedback():
    """What the head's department's internal customers say about it, for a chosen period."""
    periods = analysis_service.known_periods()
    period = period_or_404(required=False)
    department = db.session.get(Department, current_user.department_id)
    rows, totals, history_labels = [], {}, []
    if period is not None:
        rows, totals, history_labels = queries.feedback(department, period)
    # The department page of the dashboard draws the chart over the periods; link to it when it is there.
    chart_url = (url_for("dashboard.department", code=department.code, period=period.label)
                 if period is not None and "dashboard.department" in current_app.view_functions else None)
    return render_template("rate/feedback.html", department=department, period=period, periods=periods,
                           chart_url=chart_url,
                           rows=rows, totals=totals, history_labels=history_labels,
                           nps_shown=queries.nps_shown, small_sample=queries.small_sample, signed=queries.signed)


def _contract_to_rate(contract_id: int) -> Contract:
    """The contract, when the current user may rate it (404 unknown, 403 not theirs)."""
    contract = db.get_or_404(Contract, contract_id)
    if not queries.may_rate(current_user, contract):
        abort(403)
    return contract


def _own_contract_as_customer(contract_id: int) -> Contract:
    """A contract whose customer is the current head's department (404 unknown, 403 otherwise)."""
    contract = db.get_or_404(Contract, contract_id)
    if contract.customer_id != current_user.department_id or contract.is_archived:
        abort(403)
    return contract


def _open_period_for(contract: Contract) -> Period | Response:
    """The open period when ``contract`` may be rated in it; else a flash and a redirect to the list."""
    period = periods_service.the_open_period()
    if period is None:
        flash(_("No period is open for rating now; ratings of a closed period cannot be changed."), "warning")
        return redirect(url_for("rate.index"))
    if not rating_service.contract_active_in(contract, period):
        flash(_("This agreement is not active in period %(label)s.", label=period.label), "warning")
        return redirect(url_for("rate.index"))
    return period


def _just_closed_period() -> Period | None:
    """When no period is open, the one closed last (a form posted into it is shown again, unsaved); else None."""
    if periods_service.the_open_period() is not None:
        return None
    return db.session.scalar(select(Period).where(Period.status == "closed")
                             .order_by(Period.closed_at.desc().nulls_last(), Period.end_date.desc()))


def _closed_message(period: Period) -> str:
    return _("Period %(label)s was closed while you were answering; nothing was saved. "
             "Your answers are kept below.", label=period.label)


def _conflict_message() -> str:
    return _("Someone saved this rating at the same moment; check and save again.")


def _respondent() -> dict:
    return {"respondent_key": queries.respondent_key(current_user), "respondent_id": current_user.id,
            "actor_id": current_user.id}


def _error_messages() -> dict[str, str]:
    return {"comment": _("Please add a comment: it is required when a criterion is scored 1 or 2 "
                         "or the 0–10 answer is 6 or below.")}


def _comment_rule() -> dict[str, int]:
    """The limits of the comment rule (:func:`tracker.services.ratings.comment_required`) for the forms' script."""
    return {"score": rating_service.COMMENT_SCORE_AT_MOST, "recommend": rating_service.COMMENT_RECOMMEND_AT_MOST}


def _has_errors(form: RatingForm) -> bool:
    return any(f.errors for f in form)
