"""Rating: heads and members rate their internal suppliers for the open period."""
from flask import Blueprint

bp = Blueprint("rate", __name__)

from . import routes  # noqa: E402,F401
