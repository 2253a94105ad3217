"""Flask-Login wiring and role checks."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, abort, redirect, request, url_for
from flask_login import current_user

from webapp.errors import error_response
from webapp.extensions import db, login_manager
from webapp.models import User


def init_app(app: Flask) -> None:
    """Tell Flask-Login how to load users and what to do for anonymous callers."""
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def _load(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        return db.session.get(User, int(user_id))

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
