"""Who may see what: the login manager's user loader and role decorators."""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_required

from ..extensions import db
from ..models import User


def init_login_manager(login_manager: LoginManager) -> None:
    """Configure Flask-Login: load users by id, send anonymous users to the login page."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"

    # Personal API tokens (Authorization: Bearer …) log a request in on /api/ paths only.
    from ..services.tokens import load_user_from_request

    login_manager.request_loader(load_user_from_request)

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        return user_from_session_id(user_id)


def user_from_session_id(session_id: str) -> User | None:
    """The user a session or remember-me cookie names as ``"<id>:<session_version>"``, or None.

    A plain id (a cookie from before session versions), a malformed value or a version
    that no longer matches (the user logged out or got a new password since) names no one.
    """
    user_id, sep, version = (session_id or "").partition(":")
    if not sep or not user_id.isdigit() or not version.isdigit() or len(user_id) > 18:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


def roles_required(*roles: str, login: Callable = login_required) -> Callable:
    """Decorate a view so that only logged-in users with one of ``roles`` reach it (else 403).

    ``login`` is the check for anonymous users: the login redirect for pages, 401 JSON for the API.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def sees_comment_text(user, supplier_id: int | None = None, customer_id: int | None = None) -> bool:
    """May ``user`` read rating comment text on an agreement between ``supplier_id`` and ``customer_id``?

    COO and admin always; HR when the organization setting ``hr_sees_comments`` is "yes";
    a head for the own department's agreements; nobody else.
    """
    from ..services import settings as settings_service

    role = getattr(user, "role", None)
    if role in ("coo", "admin"):
        return True
    if role == "hr":
        return settings_service.get("hr_sees_comments") == "yes"
    if role == "head":
        return user.department_id is not None and user.department_id in (supplier_id, customer_id)
    return False
