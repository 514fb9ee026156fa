"""Login and logout views."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import limiter
from ..security import is_safe_next
from ..services import users as user_service
from . import bp
from .forms import EmptyForm, LoginForm


def _login_rate() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _too_many_logins() -> str:
    """The 429 page's text, in the user's language, instead of the limit's own "10 per 1 minute"."""
    return _("Too many login attempts. Wait a minute and try again.")


def _login_account_key() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate, methods=["POST"], error_message=_too_many_logins)
@limiter.limit(_login_rate, methods=["POST"], key_func=_login_account_key, error_message=_too_many_logins)
def login():
    """Show the login form; log the user in and go to ``next`` when it is a local path."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = user_service.authenticate(form.email.data, form.password.data)
        if user is None:
            flash(_("Invalid e-mail or password."), "danger")
        else:
            login_user(user, remember=form.remember.data)
            target = request.args.get("next")
            return redirect(target if is_safe_next(target) else url_for("main.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Log out (a POST with a CSRF token, so no other site can log a user out)."""
    form = EmptyForm()
    if form.validate_on_submit():
        # A copied session or remember-me cookie must not outlive the logout.
        user_service.end_sessions(current_user._get_current_object())
        logout_user()
        flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))
