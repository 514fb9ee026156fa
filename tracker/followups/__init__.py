"""Follow-ups: closing the feedback loop on low ratings; the user's notices and "what needs me"."""
from datetime import date

from flask import Blueprint, request
from flask_login import current_user

bp = Blueprint("followups", __name__)


@bp.app_context_processor
def _follow_up_helpers() -> dict:
    """Template helpers of every page: the follow-up rule functions, and the user's counts (computed once, lazily)."""
    from ..services import followups, notifications

    def needs_me():
        if not current_user.is_authenticated:
            return None
        # Cached on the request (not on g, which a test's long-lived app context would keep).
        if not hasattr(request, "_needs_me"):
            request._needs_me = followups.needs_me(current_user, date.today())
        return request._needs_me

    def unread_notices() -> int:
        if not current_user.is_authenticated:
            return 0
        if not hasattr(request, "_unread_notices"):
            request._unread_notices = notifications.unread_count(current_user.id)
        return request._unread_notices

    def is_home() -> bool:
        from ..main.routes import HOME_BY_ROLE
        return current_user.is_authenticated and request.endpoint == HOME_BY_ROLE.get(current_user.role)

    return {"is_home": is_home, "due_status": followups.due_status, "state_word": followups.state_word,
            "action_word": followups.action_word, "effect_word": followups.effect_word,
            "needs_me": needs_me, "unread_notices": unread_notices, "fu_today": date.today}


from . import routes  # noqa: E402,F401
