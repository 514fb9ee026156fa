"""Rating views."""
from flask import render_template

from ..auth import roles_required
from . import bp


@bp.route("/")
@roles_required("head", "member")
def index():
    return render_template("rate/index.html")
