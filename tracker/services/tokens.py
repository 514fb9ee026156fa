"""Personal API tokens: create, revoke, and find the user behind a bearer token.

A token reads ``trk_<key>_<secret>``. ``key`` (12 hex digits) finds the row; only the
SHA-256 of ``secret`` is stored, compared in constant time, so the database never
holds a usable token. Flask-Login calls :func:`load_user_from_request` (registered
as its ``request_loader``) when the session has no user.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import Request
from sqlalchemy import select

from ..extensions import db
from ..models import ApiToken, User
from ..models.base import utcnow
from . import audit

__all__ = [
    "PREFIX",
    "TokenError",
    "create_token",
    "find_user",
    "hash_secret",
    "load_user_from_request",
    "revoke_token",
    "revoke_all",
    "user_tokens",
]

PREFIX = "trk"
NAME_MAX = 100
# Tokens authenticate the JSON API only: a page form must keep needing a session with its CSRF token.
API_PATH_PREFIX = "/api/"


class TokenError(ValueError):
    """A token cannot be created or revoked as asked; the message says why."""


def hash_secret(secret: str) -> str:
    """Hex SHA-256 of a token's secret part (64 characters)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def user_tokens(user_id: int) -> list[ApiToken]:
    """The user's tokens, newest first, revoked ones included."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def create_token(user_id: int, name: str) -> tuple[ApiToken, str]:
    """Create a token for the user and commit; return ``(token, plain_token)``.

    The plain token is returned this once and is not stored anywhere.

    Raises
    ------
    TokenError
        The name is empty or longer than 100 characters.
    """
    name = (name or "").strip()
    if not name:
        raise TokenError("a token needs a name")
    if len(name) > NAME_MAX:
        raise TokenError(f"a token name has at most {NAME_MAX} characters")
    key = secrets.token_hex(6)
    while db.session.scalar(select(ApiToken.id).where(ApiToken.key == key)) is not None:
        key = secrets.token_hex(6)  # pragma: no cover - 48 random bits rarely collide
    secret = secrets.token_urlsafe(32)
    token = ApiToken(user_id=user_id, name=name, key=key, secret_hash=hash_secret(secret))
    db.session.add(token)
    db.session.flush()
    audit.record("create", "api_token", token.id, {"name": [None, name], "key": [None, key]}, user_id=user_id)
    db.session.commit()
    return token, f"{PREFIX}_{key}_{secret}"


def revoke_token(user_id: int, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens and commit; revoking twice changes nothing.

    Raises
    ------
    LookupError
        No token with that id belongs to the user.
    """
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        raise LookupError(f"no token {token_id} for this user")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record("revoke", "api_token", token.id, {"revoked_at": [None, token.revoked_at]}, user_id=user_id)
        db.session.commit()
    return token


def revoke_all(user_id: int, *, actor_id: int | None = None) -> int:
    """Revoke every live token of the user, audited, without committing; return how many.

    Called by the user services that end a user's sessions for good (a password reset or
    change, an archive), inside their transaction: a revoked token never comes back, so
    restoring an archived user does not revive the old tokens.
    """
    now = utcnow()
    live = list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))))
    for token in live:
        token.revoked_at = now
        audit.record("revoke", "api_token", token.id, {"revoked_at": [None, now]}, user_id=actor_id)
    return len(live)


def find_user(plain: str | None) -> User | None:
    """The active user holding the plain token ``trk_<key>_<secret>``, or None.

    None when the token is malformed, unknown, revoked, wrong, or its user is archived.
    A match records ``last_used_at`` and commits.
    """
    if not plain:
        return None
    parts = plain.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.key == parts[1]))
    if token is None or token.revoked_at is not None:
        return None
    if not hmac.compare_digest(token.secret_hash, hash_secret(parts[2])):
        return None
    user = token.user
    if user is None or not user.is_active:
        return None
    token.last_used_at = utcnow()
    db.session.commit()
    return user


def load_user_from_request(request: Request) -> User | None:
    """Flask-Login ``request_loader``: the user of an ``Authorization: Bearer`` token on an API path."""
    if not request.path.startswith(API_PATH_PREFIX):
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return find_user(credentials)
