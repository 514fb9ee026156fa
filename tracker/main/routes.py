"""Landing page, locale switch, the department search of the searchable department fields, and made downloads."""
from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, send_file, session, url_for
from flask_login import current_user, login_required

from .. import downloads
from ..auth import access, roles_required
from ..auth.forms import EmptyForm
from ..importer import jobs
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


# --- downloads made in the background (tracker.downloads) ------------------------------------------------


def _download_job_or_404(token: str):
    """The current user's own download job with this token (404 for any other, for imports, and after a demotion)."""
    job = jobs.get_job(token)
    if job is None or not access.may_download(current_user, job):
        abort(404)
    return job


@bp.route("/downloads/<token>")
@login_required
def download_job(token: str):
    """A file being made: its progress while it runs, then the link to download it."""
    job = _download_job_or_404(token)
    return render_template("downloads/job.html", job=job, made=downloads.file_of(job), empty_form=EmptyForm())


@bp.route("/downloads/<token>/status")
@login_required
def download_job_status(token: str):
    """The status fragment of :func:`download_job`, fetched again every second while the job runs."""
    job = _download_job_or_404(token)
    return render_template("downloads/_status.html", job=job, made=downloads.file_of(job), empty_form=EmptyForm())


@bp.route("/downloads/<token>/file")
@login_required
def download_file(token: str):
    """The made file (404 when it is not made yet or was deleted after the retention time)."""
    made = downloads.file_of(_download_job_or_404(token))
    if made is None:
        abort(404)
    path, filename, mimetype = made
    return send_file(path, mimetype=mimetype, as_attachment=True, download_name=filename)


@bp.post("/downloads/<token>/retry")
@login_required
def download_retry(token: str):
    """Start a failed download again."""
    job = _download_job_or_404(token)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if job.status == "failed":
        downloads.retry(job)
    return redirect(url_for("main.download_job", token=job.token))
