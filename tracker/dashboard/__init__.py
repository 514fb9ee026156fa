"""The COO's dashboard: dependency graph, weak links, department and contract pages."""
from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from . import routes  # noqa: E402,F401
