"""Sign-in and sign-out pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from webapp.auth.services import authenticate

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """Only this site's own relative paths are followed after sign-in."""
    if not target:
        return url_for("library.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("library.index")
    if "\\" in target:
        return url_for("library.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form; sign in on POST."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    if request.method == "GET":
        return render_template("auth/login.html", next=request.args.get("next", ""))
    email = request.form.get("email", "")
    password = request.form.get("password", "")
    user = authenticate(email, password) if email and password else None
    if user is None:
        flash("Wrong e-mail address or password.", "error")
        return render_template("auth/login.html", next=request.form.get("next", "")), 401
    login_user(user, remember=bool(request.form.get("remember")))
    return redirect(safe_next(request.form.get("next")))


@bp.post("/logout")
@login_required
def logout():
    """Sign out (POST only, with CSRF)."""
    logout_user()
    return redirect(url_for("auth.login"))
