"""Admin views."""
from flask import render_template

from ..auth import roles_required
from . import bp


@bp.route("/")
@roles_required("admin")
def index():
    return render_template("admin/index.html")
