"""Follow-ups: closing the feedback loop on low ratings."""
from flask import Blueprint

bp = Blueprint("followups", __name__)

from . import routes  # noqa: E402,F401
