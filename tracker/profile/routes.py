"""Profile views: change one's password; create and revoke personal API tokens."""
from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from ..auth.forms import EmptyForm
from ..services import tokens as token_service
from ..services import users as user_service
from . import bp
from .forms import PasswordForm, TokenForm


def _render(form: TokenForm, new_token: str | None = None, status: int = 200):
    response = make_response(render_template(
        "profile/tokens.html",
        form=form,
        tokens=token_service.user_tokens(current_user.id),
        new_token=new_token,
    ), status)
    # The page may carry a plain token that must not linger in any cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """List the user's API tokens; create one and show it this once."""
    form = TokenForm()
    if form.validate_on_submit():
        try:
            token, plain = token_service.create_token(current_user.id, form.name.data)
        except token_service.TokenError as error:
            form.name.errors.append(str(error))
        else:
            flash(_("Token “%(name)s” created. Copy it now: it will not be shown again.", name=token.name),
                  "success")
            # Rendered, not redirected: the plain token must not travel through the session cookie.
            return _render(TokenForm(formdata=None), new_token=plain)
    return _render(form, status=400 if form.errors else 200)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    """Revoke one of the user's own tokens."""
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        token = token_service.revoke_token(current_user.id, token_id)
    except LookupError:
        abort(404)
    flash(_("Token “%(name)s” revoked.", name=token.name), "info")
    return redirect(url_for("profile.tokens"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password (the current one required); other sessions and API tokens end."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            user_service.change_password(current_user, form.current.data, form.password.data)
        except user_service.UserError as error:
            getattr(form, error.field).errors.append(str(error))
        else:
            login_user(current_user._get_current_object())  # this session goes on with the new version
            flash(_("Password changed. Your other sessions and your API tokens have ended."), "success")
            return redirect(url_for("profile.password"))
    return render_template("profile/password.html", form=form), 400 if form.errors else 200
