"""The informal network: import a "who do you go to for help" survey and compare it with the agreements."""
from flask import Blueprint

bp = Blueprint("network", __name__)

from . import routes  # noqa: E402,F401
