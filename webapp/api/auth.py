"""Who is calling the API: a Bearer token, or else the signed-in session."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, g, request
from flask_login import current_user

from webapp.auth.services import user_for_token
from webapp.models import User


def bearer_token() -> str | None:
    """The token of a well-formed ``Authorization: Bearer TOKEN`` header, else None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme == "Bearer" and token.strip() else None


def api_user() -> User:
    """The authenticated caller, or 401."""
    if request.headers.get("Authorization", ""):
        token = bearer_token()
        if token is None:
            abort(401, "Use 'Authorization: Bearer TOKEN'.")
        user = user_for_token(token)
        if user is None:
            abort(401, "The token is invalid or expired.")
        return user
    if current_user.is_authenticated:
        return current_user._get_current_object()
    abort(401, "Sign in first (session cookie or Bearer token).")


def api_login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Resolve the caller into ``g.user`` before the view runs."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g.user = api_user()
        return view(*args, **kwargs)

    return wrapper
