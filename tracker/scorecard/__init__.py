"""The KPI scorecard, KPI targets, trends, the supplier × customer heatmap, period compare and the review pack."""
from flask import Blueprint

bp = Blueprint("scorecard", __name__)

from . import routes  # noqa: E402,F401
