"""Dashboard views."""
from flask import render_template

from ..auth import roles_required
from . import bp


@bp.route("/")
@roles_required("coo", "hr", "admin")
def index():
    return render_template("dashboard/index.html")
