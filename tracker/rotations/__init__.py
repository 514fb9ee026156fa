"""HR rotations: suggested pairs, the plan, and before/after health."""
from flask import Blueprint

bp = Blueprint("rotations", __name__)

from . import routes  # noqa: E402,F401
