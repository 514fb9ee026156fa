"""Admin views: period status, departments, agreements, users, periods and settings.

Every view is thin: form → validate → service → flash → redirect. Services raise an
error carrying ``{field: reason}``; the view puts each reason next to its field and
re-renders the form with the admin's input kept.
"""
from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user
from sqlalchemy import exists, func, select
from wtforms.fields.choices import SelectChoice

from ..auth import roles_required
from ..auth.forms import EmptyForm
from ..extensions import db
from ..models import Contract, Criterion, Department, Period, Rating, User
from ..services import once
from ..services import org as org_service
from ..services import periods as period_service
from ..services import settings as settings_service
from ..services import users as user_service
from ..services.analysis import period_analysis
from ..formerrors import show_errors
from ..forms import DepartmentField
from . import bp
from .forms import (
    ContractForm,
    CriterionForm,
    DepartmentForm,
    PasswordResetForm,
    PeriodForm,
    ReopenForm,
    SettingsForm,
    UserCreateForm,
    UserEditForm,
    choices,
)

PER_PAGE = 50
#: Rows of each list on the overview; the rest is counted ("…and 312 more").
OVERVIEW_ROWS = 20


@bp.before_request
@roles_required("admin")
def _admins_only():
    """Every admin page is for the customer-experience office only (login first, else 403)."""
    return None


@bp.context_processor
def _list_helpers():
    return {"empty_form": _LazyEmptyForm()}


class _LazyEmptyForm:
    """The CSRF-only form of POST buttons, built when a template renders it.

    Built eagerly, it would mint a token (and a session cookie) on error pages too, and read
    the body again while the 413 page of an over-limit upload renders (hence formdata=None).
    """

    def hidden_tag(self):
        return EmptyForm(formdata=None).hidden_tag()


def _actor() -> int:
    return current_user.id


def _page() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


def _version(form) -> int | None:
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return None


def _choice_label(field) -> str | None:
    """The label of the option the admin chose (for the conflict table); a department's code."""
    if field.data in (None, ""):
        return None
    if isinstance(field, DepartmentField):
        dep = db.session.get(Department, field.data)
        return dep.code if dep is not None else None
    return next((str(c.label) for c in field.choices if c.value == str(field.data)), None)


# --- overview --------------------------------------------------------------------------------


@bp.route("/")
def index():
    """Period status, response rate, counts and data problems."""
    open_period = period_service.the_open_period()
    rate = period_service.response_rates([open_period])[open_period.id] if open_period else None
    counts = {
        "departments": db.session.scalar(select(func.count()).select_from(Department)
                                         .where(Department.archived_at.is_(None))),
        "contracts": db.session.scalar(select(func.count()).select_from(Contract)
                                       .where(Contract.archived_at.is_(None))),
        "users": db.session.scalar(select(func.count()).select_from(User).where(User.archived_at.is_(None))),
    }
    never_rated = db.paginate(
        org_service.contract_query().where(~exists().where(Rating.contract_id == Contract.id)),
        page=1, per_page=20, error_out=False,
    )
    has_head = exists().where(User.department_id == Department.id, User.role == "head", User.archived_at.is_(None))
    headless = db.paginate(
        select(Department).where(Department.kind == "internal", Department.archived_at.is_(None), ~has_head)
        .order_by(Department.code), page=1, per_page=OVERVIEW_ROWS, error_out=False,
    )
    cut_off = _cut_off(open_period)
    return render_template("admin/index.html", open_period=open_period, rate=rate, counts=counts,
                           never_rated=never_rated, headless=headless, cut_off=cut_off, overview_rows=OVERVIEW_ROWS)


def _cut_off(period: Period | None) -> list[str] | None:
    """Codes of the departments cut off from the external customer in ``period``; None without a period."""
    if period is None:
        return None
    return list(period_analysis(period).cut_off)


# --- departments -----------------------------------------------------------------------------


def _department_form(form: DepartmentForm, dep: Department | None = None) -> DepartmentForm:
    """The parent is a searchable field (no list of every department); the service checks it."""
    return form


@bp.route("/departments")
def departments():
    """Departments and external customers, filtered by text and kind, sorted, paged."""
    q, kind = request.args.get("q", ""), request.args.get("kind", "")
    show_archived = request.args.get("archived") == "1"
    sort = request.args.get("sort", "code")
    page = db.paginate(org_service.department_query(q, kind, show_archived, sort), page=_page(),
                       per_page=PER_PAGE, error_out=False)
    return render_template("admin/departments.html", page=page, q=q, kind=kind, show_archived=show_archived,
                           sort=sort, heads=org_service.heads_of(dep.id for dep in page.items))


@bp.route("/departments/new", methods=["GET", "POST"])
def department_new():
    """Create a department or an external customer."""
    form = _department_form(DepartmentForm())
    if form.validate_on_submit():
        try:
            dep = once.submit(None, org_service.create_department, form.code.data, form.name.data, form.kind.data,
                              form.parent_id.data, actor_id=_actor())
        except org_service.OrgError as exc:
            show_errors(form, exc.errors)
        else:
            flash(_("Department %(code)s created.", code=dep.code), "success")
            return redirect(url_for(".departments"))
    return render_template("admin/department_form.html", form=form, dep=None, conflict=None)


@bp.route("/departments/<int:dep_id>/edit", methods=["GET", "POST"])
def department_edit(dep_id: int):
    """Change a department's code, name, kind or parent (refused when someone saved it meanwhile)."""
    dep = db.get_or_404(Department, dep_id)
    form = _department_form(DepartmentForm(obj=dep), dep)
    conflict = None
    if form.validate_on_submit():
        try:
            org_service.update_department(dep, form.code.data, form.name.data, form.kind.data, form.parent_id.data,
                                          expected_version=_version(form), actor_id=_actor())
        except org_service.OrgError as exc:
            show_errors(form, exc.errors)
        except org_service.ConflictError as exc:
            conflict = _conflict(exc, {"code": form.code.data, "name": form.name.data, "kind": form.kind.data,
                                       "parent": _choice_label(form.parent_id)}, form)
        else:
            flash(_("Department %(code)s saved.", code=dep.code), "success")
            return redirect(url_for(".departments"))
    return render_template("admin/department_form.html", form=form, dep=dep, conflict=conflict)


def _conflict(exc: org_service.ConflictError, yours: dict, form) -> list[tuple[str, object, object]]:
    """Rows (field, saved by someone else, yours) and the form's version moved on, so saving again overwrites."""
    flash(_("Someone else saved this record after you opened it. Compare both versions; save again to keep "
            "yours."), "warning")
    form.version.data = str(exc.version)
    return [(key, exc.current.get(key), yours.get(key)) for key in exc.current]


@bp.route("/departments/<int:dep_id>/archive", methods=["POST"])
def department_archive(dep_id: int):
    """Archive a department (and its active agreements); it stays in history."""
    dep = db.get_or_404(Department, dep_id)
    if EmptyForm().validate_on_submit():
        n = org_service.archive_department(dep, actor_id=_actor())
        flash(ngettext("Department %(code)s archived with %(num)d active agreement.",
                       "Department %(code)s archived with %(num)d active agreements.", n, code=dep.code), "success")
    return redirect(url_for(".departments"))


@bp.route("/departments/<int:dep_id>/restore", methods=["POST"])
def department_restore(dep_id: int):
    """Restore an archived department."""
    dep = db.get_or_404(Department, dep_id)
    if EmptyForm().validate_on_submit():
        org_service.restore_department(dep, actor_id=_actor())
        flash(_("Department %(code)s restored.", code=dep.code), "success")
    return redirect(url_for(".departments", archived=1))


# --- contracts -------------------------------------------------------------------------------


def _contract_form(form: ContractForm, con: Contract | None = None) -> ContractForm:
    # Departments are searchable fields; the products offered are the chosen supplier's only.
    supplier_id = form.supplier_id.data if form.supplier_id.data is not None else (con.supplier_id if con else None)
    services = org_service.service_choices(supplier_id) if supplier_id is not None else []
    if con is not None and con.service_id not in {sid for sid, _label, _dep in services}:
        services.append((con.service_id, f"{con.supplier.code}: {con.service.name}", con.supplier_id))
    form.service_id.choices = choices([("", _("— type a new one below —"))]) + [
        SelectChoice(str(sid), label, render_kw={"data-supplier": str(dep_id)}) for sid, label, dep_id in services]
    # static/js/admin.js fetches another supplier's products from here when the supplier changes.
    form.service_id.render_kw = {"data-services": url_for(".department_services")}
    return form


def _contract_input(form: ContractForm) -> org_service.ContractInput:
    return org_service.ContractInput(
        supplier_id=form.supplier_id.data, customer_id=form.customer_id.data, service_id=form.service_id.data,
        service_name=form.service_name.data or "", standard=form.standard.data or "",
        criticality=form.criticality.data, target=form.target.data, floor=form.floor.data,
        transfer_price=form.transfer_price.data, start_date=form.start_date.data, end_date=form.end_date.data,
    )


@bp.route("/contracts")
def contracts():
    """Agreements filtered by supplier, customer and text, sorted, paged."""
    supplier, customer = _department_arg("supplier"), _department_arg("customer")
    q = request.args.get("q", "")
    show_archived = request.args.get("archived") == "1"
    sort = request.args.get("sort", "supplier")
    stmt = org_service.contract_query(supplier.id if supplier else None, customer.id if customer else None, q,
                                      show_archived, sort)
    if (request.args.get("supplier") and supplier is None) or (request.args.get("customer") and customer is None):
        stmt = stmt.where(Contract.id.is_(None))  # an unknown department has no agreements
    page = db.paginate(stmt, page=_page(), per_page=PER_PAGE, error_out=False)
    return render_template(
        "admin/contracts.html", page=page, q=q, supplier=request.args.get("supplier", "").strip(),
        customer=request.args.get("customer", "").strip(), show_archived=show_archived, sort=sort,
    )


def _department_arg(name: str) -> Department | None:
    """The department a list filter names by code (or by id, as older links do), or None."""
    value = request.args.get(name, "").strip()
    dep = org_service.department_by_code(value)
    if dep is None and value.isdigit() and len(value) <= 18:
        dep = db.session.get(Department, int(value))
    return dep


@bp.route("/departments/services")
def department_services():
    """The internal products of the supplier ``?code=`` as JSON ``{"items": [{id, label}]}`` (the agreement form)."""
    dep = _department_arg("code")
    rows = org_service.service_choices(dep.id) if dep is not None else []
    return {"items": [{"id": sid, "label": label} for sid, label, _dep in rows]}


@bp.route("/contracts/new", methods=["GET", "POST"])
def contract_new():
    """Create an agreement, with an existing or a new internal product of the supplier."""
    form = _contract_form(ContractForm())
    if form.validate_on_submit():
        try:
            con = once.submit(None, org_service.create_contract, _contract_input(form), actor_id=_actor())
        except org_service.OrgError as exc:
            show_errors(form, exc.errors)
        else:
            flash(_("Agreement %(label)s created.", label=con.label), "success")
            return redirect(url_for(".contracts"))
    return render_template("admin/contract_form.html", form=form, con=None, conflict=None)


@bp.route("/contracts/<int:con_id>/edit", methods=["GET", "POST"])
def contract_edit(con_id: int):
    """Change an agreement; when someone saved it meanwhile, show both versions instead of overwriting."""
    con = db.get_or_404(Contract, con_id)
    form = _contract_form(ContractForm(obj=con), con)
    conflict = None
    if form.validate_on_submit():
        try:
            org_service.update_contract(con, _contract_input(form), expected_version=_version(form),
                                        actor_id=_actor())
        except org_service.OrgError as exc:
            show_errors(form, exc.errors)
        except org_service.ConflictError as exc:
            service = form.service_name.data or (_choice_label(form.service_id) or "").split(": ", 1)[-1]
            yours = {
                "supplier": (_choice_label(form.supplier_id) or "").split(" — ")[0] or None,
                "customer": (_choice_label(form.customer_id) or "").split(" — ")[0] or None,
                "service": service or None, "standard": form.standard.data or None,
                "criticality": _choice_label(form.criticality), "target": form.target.data,
                "floor": form.floor.data,
                "transfer_price": str(form.transfer_price.data) if form.transfer_price.data is not None else None,
                "start_date": form.start_date.data.isoformat() if form.start_date.data else None,
                "end_date": form.end_date.data.isoformat() if form.end_date.data else None,
            }
            conflict = _conflict(exc, yours, form)
        else:
            flash(_("Agreement %(label)s saved.", label=con.label), "success")
            return redirect(url_for(".contracts"))
    return render_template("admin/contract_form.html", form=form, con=con, conflict=conflict)


@bp.route("/contracts/<int:con_id>/archive", methods=["POST"])
def contract_archive(con_id: int):
    """Archive an agreement; its ratings stay in history."""
    con = db.get_or_404(Contract, con_id)
    if EmptyForm().validate_on_submit():
        org_service.archive_contract(con, actor_id=_actor())
        flash(_("Agreement %(label)s archived.", label=con.label), "success")
    return redirect(url_for(".contracts"))


@bp.route("/contracts/<int:con_id>/restore", methods=["POST"])
def contract_restore(con_id: int):
    """Restore an archived agreement unless another active one took its place."""
    con = db.get_or_404(Contract, con_id)
    if EmptyForm().validate_on_submit():
        try:
            org_service.restore_contract(con, actor_id=_actor())
        except org_service.OrgError as exc:
            for message in exc.errors.values():
                flash(message, "danger")
        else:
            flash(_("Agreement %(label)s restored.", label=con.label), "success")
    return redirect(url_for(".contracts", archived=1))


# --- users -----------------------------------------------------------------------------------


def _user_form(form, user: User | None = None):
    """The department is a searchable field (no list of every department); the service checks it."""
    return form


def _password_page(user: User, password: str):
    """Show a generated password once; it is never stored in the session or a flash message."""
    response = make_response(render_template("admin/user_password.html", user=user, password=password))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/users")
def users():
    """Users filtered by text and role, sorted, paged."""
    q, role = request.args.get("q", ""), request.args.get("role", "")
    show_archived = request.args.get("archived") == "1"
    sort = request.args.get("sort", "email")
    page = db.paginate(user_service.user_query(q, role, None, show_archived, sort), page=_page(),
                       per_page=PER_PAGE, error_out=False)
    return render_template("admin/users.html", page=page, q=q, role=role, show_archived=show_archived, sort=sort)


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    """Create a user; a generated password is shown once."""
    form = _user_form(UserCreateForm())
    if form.validate_on_submit():
        dep = db.session.get(Department, form.department_id.data) if form.department_id.data else None
        try:
            user, generated = once.submit(
                None, user_service.create_user, form.email.data, form.role.data, department_code=dep.code if dep else None, name=form.name.data or "",
                password=form.password.data or None, actor_id=_actor(),
            )
        except user_service.UserError as exc:
            show_errors(form, {exc.field: exc.web})
        else:
            flash(_("User %(email)s created.", email=user.email), "success")
            if generated:
                return _password_page(user, generated)
            return redirect(url_for(".users"))
    return render_template("admin/user_form.html", form=form, user=None, reset_form=None, conflict=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def user_edit(user_id: int):
    """Change a user's name, role or department."""
    user = db.get_or_404(User, user_id)
    form = _user_form(UserEditForm(obj=user), user)
    conflict = None
    if form.validate_on_submit():
        try:
            user_service.update_user(user, name=form.name.data or "", role=form.role.data,
                                     department_id=form.department_id.data, expected_version=_version(form),
                                     actor_id=_actor())
        except user_service.UserError as exc:
            show_errors(form, {exc.field: exc.web})
        except org_service.ConflictError as exc:
            conflict = _conflict(exc, {"name": form.name.data, "role": form.role.data,
                                       "department": (_choice_label(form.department_id) or "").split(" — ")[0]
                                       or None}, form)
        else:
            flash(_("User %(email)s saved.", email=user.email), "success")
            return redirect(url_for(".users"))
    return render_template("admin/user_form.html", form=form, user=user, reset_form=PasswordResetForm(formdata=None),
                           conflict=conflict)


@bp.route("/users/<int:user_id>/password", methods=["POST"])
def user_password(user_id: int):
    """Reset a user's password to the one given, or a generated one shown once."""
    user = db.get_or_404(User, user_id)
    reset_form = PasswordResetForm()
    if not reset_form.validate_on_submit():
        form = _user_form(UserEditForm(obj=user, formdata=None), user)
        return render_template("admin/user_form.html", form=form, user=user, reset_form=reset_form, conflict=None)
    generated = user_service.reset_password(user, reset_form.password.data or None, actor_id=_actor())
    if user.id == current_user.id:  # the new session version ended this session too; keep the admin in
        login_user(user)
    flash(_("Password of %(email)s reset.", email=user.email), "success")
    if generated:
        return _password_page(user, generated)
    return redirect(url_for(".users"))


@bp.route("/users/<int:user_id>/archive", methods=["POST"])
def user_archive(user_id: int):
    """Archive a user: they can no longer log in."""
    user = db.get_or_404(User, user_id)
    if EmptyForm().validate_on_submit():
        try:
            user_service.archive_user(user, actor_id=_actor())
        except user_service.UserError as exc:
            flash(exc.web, "danger")
        else:
            flash(_("User %(email)s archived.", email=user.email), "success")
    return redirect(url_for(".users"))


@bp.route("/users/<int:user_id>/restore", methods=["POST"])
def user_restore(user_id: int):
    """Restore an archived user."""
    user = db.get_or_404(User, user_id)
    if EmptyForm().validate_on_submit():
        user_service.restore_user(user, actor_id=_actor())
        flash(_("User %(email)s restored.", email=user.email), "success")
    return redirect(url_for(".users", archived=1))


# --- periods ---------------------------------------------------------------------------------


def _periods_page(form: PeriodForm, status: int = 200):
    periods = period_service.list_periods()
    return render_template("admin/periods.html", periods=periods, rates=period_service.response_rates(periods),
                           form=form, open_period=period_service.the_open_period()), status


@bp.route("/periods", methods=["GET", "POST"])
def periods():
    """Periods with status and response rate; create a new one."""
    form = PeriodForm()
    if form.validate_on_submit():
        try:
            period = once.submit(None, period_service.create_period, form.label.data, form.start_date.data,
                                 form.end_date.data, actor_id=_actor())
        except period_service.PeriodError as exc:
            show_errors(form, exc.errors)
        else:
            flash(_("Period %(label)s created.", label=period.label), "success")
            return redirect(url_for(".periods"))
    return _periods_page(form)


@bp.route("/periods/<int:period_id>/<any(open, close):action>", methods=["POST"])
def period_transition(period_id: int, action: str):
    """Open a planned period or close an open one."""
    period = db.get_or_404(Period, period_id)
    if EmptyForm().validate_on_submit():
        change = period_service.open_period if action == "open" else period_service.close_period
        try:
            change(period, actor_id=_actor())
        except period_service.PeriodError as exc:
            for message in exc.errors.values():
                flash(message, "danger")
        else:
            message = _("Period %(label)s is open.", label=period.label) if action == "open" else \
                _("Period %(label)s is closed.", label=period.label)
            flash(message, "success")
    return redirect(url_for(".periods"))


@bp.route("/periods/<int:period_id>/reopen", methods=["GET", "POST"])
def period_reopen(period_id: int):
    """Reopen a closed period; the reason goes to the audit log."""
    period = db.get_or_404(Period, period_id)
    form = ReopenForm()
    if form.validate_on_submit():
        try:
            period_service.reopen_period(period, form.reason.data, actor_id=_actor())
        except period_service.PeriodError as exc:
            show_errors(form, exc.errors)
        else:
            flash(_("Period %(label)s is open again.", label=period.label), "success")
            return redirect(url_for(".periods"))
    return render_template("admin/period_reopen.html", form=form, period=period)


# --- settings --------------------------------------------------------------------------------


def _settings_page(form: SettingsForm, criterion_form: CriterionForm):
    return render_template("admin/settings.html", form=form, criterion_form=criterion_form,
                           criteria=settings_service.all_criteria())


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """Organization target and floor, HR's access to comments, default language; the criteria."""
    current = settings_service.all_settings()
    form = SettingsForm(data={"target": float(current["target"]), "floor": float(current["floor"]),
                              "hr_sees_comments": current["hr_sees_comments"] == "yes",
                              "default_locale": current["default_locale"]})
    if form.validate_on_submit():
        try:
            changes = settings_service.set_organization(
                target=form.target.data, floor=form.floor.data, hr_sees_comments=form.hr_sees_comments.data,
                default_locale=form.default_locale.data, actor_id=_actor(),
            )
        except settings_service.SettingsError as exc:
            show_errors(form, exc.errors)
        else:
            flash(_("Settings saved.") if changes else _("Nothing changed."), "success")
            return redirect(url_for(".settings"))
    return _settings_page(form, CriterionForm(formdata=None))


@bp.route("/settings/criteria/new", methods=["POST"])
def criterion_new():
    """Add a rating criterion at the end of the form."""
    criterion_form = CriterionForm()
    if criterion_form.validate_on_submit():
        try:
            criterion = settings_service.add_criterion(criterion_form.name.data, criterion_form.name_ru.data or "",
                                                       criterion_form.weight.data, actor_id=_actor())
        except settings_service.SettingsError as exc:
            show_errors(criterion_form, exc.errors)
        else:
            flash(_("Criterion %(name)s added.", name=criterion.name), "success")
            return redirect(url_for(".settings"))
    current = settings_service.all_settings()
    form = SettingsForm(formdata=None, data={"target": float(current["target"]), "floor": float(current["floor"]),
                                             "hr_sees_comments": current["hr_sees_comments"] == "yes",
                                             "default_locale": current["default_locale"]})
    return _settings_page(form, criterion_form)


@bp.route("/settings/criteria/<int:criterion_id>/edit", methods=["GET", "POST"])
def criterion_edit(criterion_id: int):
    """Rename or reweight a criterion; saved ratings keep their weights."""
    criterion = db.get_or_404(Criterion, criterion_id)
    form = CriterionForm(obj=criterion)
    if form.validate_on_submit():
        try:
            settings_service.update_criterion(criterion, name=form.name.data, name_ru=form.name_ru.data or "",
                                              weight=form.weight.data, actor_id=_actor())
        except settings_service.SettingsError as exc:
            show_errors(form, exc.errors)
        else:
            flash(_("Criterion %(name)s saved.", name=criterion.name), "success")
            return redirect(url_for(".settings"))
    return render_template("admin/criterion_form.html", form=form, criterion=criterion)


@bp.route("/settings/criteria/<int:criterion_id>/<any(retire, restore):action>", methods=["POST"])
def criterion_state(criterion_id: int, action: str):
    """Retire a criterion from the rating form, or bring it back."""
    criterion = db.get_or_404(Criterion, criterion_id)
    if EmptyForm().validate_on_submit():
        try:
            if action == "retire":
                settings_service.retire_criterion(criterion, actor_id=_actor())
            else:
                settings_service.restore_criterion(criterion, actor_id=_actor())
        except settings_service.SettingsError as exc:
            for message in exc.errors.values():
                flash(message, "danger")
        else:
            flash(_("Criterion %(name)s retired.", name=criterion.name) if action == "retire"
                  else _("Criterion %(name)s restored.", name=criterion.name), "success")
    return redirect(url_for(".settings"))

