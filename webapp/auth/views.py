"""Sign-in, sign-out and password-change pages."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from webapp.auth import idle, lifetime
from webapp.auth.services import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    AccountError,
    EmailNotVerified,
    authenticate,
    change_password,
    end_all_sessions,
)
from webapp.auth.throttle import SignInThrottled
from webapp.extensions import db
from webapp.models import User

bp = Blueprint("auth", __name__)

MAX_NEXT_LENGTH = 2000
EMAIL_KEPT = 320  # the longest address RFC 5321 allows; longer input is cut when shown again
# Printable ASCII only: no control characters (browsers drop tabs and newlines, so
# "/\t/evil" would become "//evil"), no backslash (read as "/"), nothing beyond ASCII.
_NEXT_CHARS = re.compile(r"[\x21-\x5b\x5d-\x7e]*")


def safe_next(target: str | None) -> str:
    """Only this site's own relative paths are followed after sign-in."""
    home = url_for("library.index")
    if not target or len(target) > MAX_NEXT_LENGTH or not _NEXT_CHARS.fullmatch(target):
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return home
    return target


def _throttled_page(template: str, exc: SignInThrottled, **context):
    """Re-render a form with the throttle's message, as 429 with ``Retry-After``."""
    flash(exc.description, "error")
    return render_template(template, **context), 429, {"Retry-After": str(exc.retry_after)}


def start_session(user: User, remember: bool) -> None:
    """A brand-new session for ``user`` (nothing carried over, new CSRF token)."""
    session.clear()
    login_user(user, remember=remember, fresh=True)
    lifetime.begin(user)  # before the response writes the remember-me cookie from it
    idle.mark_active()


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form; sign in on POST."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    if request.method == "GET":
        return render_template("auth/login.html", next=request.args.get("next", ""))
    email = request.form.get("email", "")
    password = request.form.get("password", "")
    next_url = request.form.get("next", "")
    # A refused sign-in shows the form again with the address typed (never the password).
    typed = {
        "next": next_url,
        "email": email[:EMAIL_KEPT],
        "remember": request.form.get("remember"),
    }
    try:
        user = authenticate(email, password) if email and password else None
    except SignInThrottled as exc:
        return _throttled_page("auth/login.html", exc, **typed)
    except EmailNotVerified:
        flash(
            _(
                "Your e-mail address is not confirmed yet: open the link in the message we "
                "sent you, or have it sent again below."
            ),
            "error",
        )
        return render_template("auth/login.html", unverified=email, **typed), 403
    if user is None:
        flash(_("Wrong e-mail address or password."), "error")
        return render_template("auth/login.html", **typed), 401
    db.session.commit()  # the sign-in's audit event
    start_session(user, remember=bool(request.form.get("remember")))
    return redirect(safe_next(next_url))


@bp.post("/logout")
@login_required
def logout():
    """Sign out (POST only, with CSRF): every session and API token of the account ends."""
    end_all_sessions(current_user._get_current_object())
    db.session.commit()
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    """Change the password; this browser gets a fresh session, every other one ends."""
    template = "auth/password.html"
    rules = {"min_length": MIN_PASSWORD_LENGTH, "max_length": MAX_PASSWORD_LENGTH}
    if request.method == "GET":
        return render_template(template, **rules)
    user = current_user._get_current_object()
    try:
        change_password(
            user,
            request.form.get("current_password", ""),
            request.form.get("new_password", ""),
            request.form.get("confirm_password", ""),
        )
    except SignInThrottled as exc:
        return _throttled_page(template, exc, **rules)
    except AccountError as exc:
        db.session.rollback()
        message = str(exc)
        flash(message[:1].upper() + message[1:], "error")
        return render_template(template, **rules), 400
    db.session.commit()
    remembered = current_app.config["REMEMBER_COOKIE_NAME"] in request.cookies
    start_session(user, remember=remembered)
    flash(_("Password changed. You have been signed out everywhere else."), "success")
    return redirect(url_for("auth.password"))
