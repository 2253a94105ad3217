"""Flask-Login wiring and role checks."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, abort, redirect, request, url_for
from flask_login import current_user

from webapp.auth.lifetime import credential_expired
from webapp.errors import error_response
from webapp.extensions import db, login_manager
from webapp.models import User

# "<id>:<session epoch>:<signed in>" (``lifetime.credential_id``), as stored in the
# session and the remember-me cookie.
SESSION_ID = re.compile(r"([0-9]{1,18}):([0-9]{1,9}):([0-9]{1,12})")


def load_user(session_id: str) -> User | None:
    """The user a session or remember-me cookie names, if its epoch is still current.

    Sign-out and a password change raise the epoch, so every session issued before,
    on any device, loads no user from then on (ids without an epoch neither). A
    deactivated account loads no user either, whatever its epoch, and nor does an id
    issued longer ago than a sign-in may last (``webapp/auth/lifetime.py``).
    """
    match = SESSION_ID.fullmatch(session_id or "")
    if match is None or credential_expired(int(match.group(3))):
        return None
    user = db.session.get(User, int(match.group(1)))
    if user is None or not user.active or user.session_epoch != int(match.group(2)):
        return None
    return user


def session_identifier() -> str:
    """Which browser a session belongs to, for "strong" session protection: a hash of the
    client address and the User-Agent.

    The address is ``request.remote_addr``: the socket's, or, with
    ``TRUSTED_PROXY_HOPS``, the one ProxyFix took from the trusted proxies' headers.
    Flask-Login's own identifier reads ``X-Forwarded-For`` itself, which any client can
    set: a thief could claim the victim's address, or anyone end a session at will.
    """
    agent = request.headers.get("User-Agent", "")
    base = f"{request.remote_addr}|{agent}".encode("utf-8", "replace")
    return hashlib.sha512(base).hexdigest()


def init_app(app: Flask) -> None:
    """Tell Flask-Login how to load users and what to do for anonymous callers."""
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    # Flask-Login's hook for the identifier (the same for every app: it reads the request).
    login_manager._session_identifier_generator = session_identifier

    login_manager.user_loader(load_user)

    @login_manager.unauthorized_handler
    def _unauthorized():
        if request.path.startswith("/api/") or request.is_json:
            return error_response(401, "Sign in first (session cookie or Bearer token).")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def uploader_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Only signed-in instructors and admins pass."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.can_upload:
            abort(403, "Only instructors and admins may upload recordings.")
        return view(*args, **kwargs)

    return wrapper
