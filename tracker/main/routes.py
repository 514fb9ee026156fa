"""Landing page, locale switch, and the department search of the searchable department fields."""
from __future__ import annotations

from flask import abort, current_app, redirect, request, session, url_for
from flask_login import current_user, login_required

from ..auth import access, roles_required
from ..security import is_safe_next
from ..services import org as org_service
from ..services import users
from . import bp

# Where each role's work starts; the target blueprints own those pages.
HOME_BY_ROLE = {
    "admin": "admin.index",
    "coo": "dashboard.index",
    "hr": "rotations.suggestions",
    "head": "rate.index",
    "member": "rate.index",
}


@bp.route("/")
@login_required
def index():
    """Send the user to the first page of their role."""
    return redirect(url_for(HOME_BY_ROLE[current_user.role]))


@bp.route("/locale/<code>", methods=["POST"])
def set_locale(code: str):
    """Switch the interface language: the user's own setting when logged in, else this session's."""
    if code not in current_app.config["BABEL_SUPPORTED_LOCALES"]:
        abort(404)
    if current_user.is_authenticated:
        users.set_locale(current_user, code, actor_id=current_user.id)
    session["locale"] = code
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("main.index"))


@bp.route("/departments/search")
@roles_required(*access.ALL_SEEING_ROLES)
def department_search():
    """Departments matching ``?q=`` (code or name) as JSON, for the searchable department fields.

    For the roles that see every department. ``internal=1`` keeps internal departments only.
    At most 20 rows: ``{"items": [{"id", "code", "name", "kind"}]}``.
    """
    items = org_service.search_departments(request.args.get("q", ""),
                                           internal_only=request.args.get("internal") == "1")
    return {"items": items}
