"""Login, logout and role checks."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import routes  # noqa: E402,F401
from .access import init_login_manager, roles_required  # noqa: E402,F401
