"""Absolute lifetimes: a sign-in ends after a fixed time, however active it is.

Two limits, both counted from a moment recorded when the session began and signed into
the cookie, so a copied cookie stops working on time too:

- a browser session ends ``SESSION_ABSOLUTE_HOURS`` after it began (``_signed_in``):
  the next request is answered as anonymous and the sign-in page says why. A "keep me
  signed in" cookie then starts a new, non-fresh session (its owner asked for that),
  exactly as after an idle end (``webapp/auth/idle.py``);
- the credential itself (the session's ``_user_id``, which Flask-Login also writes into
  the remember-me cookie) carries the time of the password sign-in:
  ``"<id>:<session epoch>:<signed in>"``. The user loader refuses it once it is older
  than ``REMEMBER_DAYS`` (or the session limit, if longer), so a remember-me cookie
  cannot be replayed past its lifetime whatever its ``Expires`` says.
"""

from __future__ import annotations

import time
from datetime import timedelta

from flask import Flask, current_app, flash, g, session
from flask_babel import ngettext
from flask_login import user_loaded_from_cookie

from webapp.models import User

SIGNED_IN_KEY = "_signed_in"
_LOGIN_KEYS = ("_user_id", "_fresh", SIGNED_IN_KEY)


def credential_id(user: User, signed_in: int) -> str:
    """The id a new session (and its remember-me cookie) stores for ``user``."""
    return f"{user.get_id()}:{signed_in}"


def credential_lifetime() -> int:
    """Seconds a credential issued by a password sign-in stays usable at most."""
    remember = current_app.config["REMEMBER_COOKIE_DURATION"]
    if isinstance(remember, timedelta):
        remember = remember.total_seconds()
    return int(max(remember, current_app.config["SESSION_ABSOLUTE_HOURS"] * 3600))


def credential_expired(signed_in: int) -> bool:
    """Whether a credential issued at ``signed_in`` (epoch seconds) is too old."""
    return time.time() - signed_in > credential_lifetime()


def begin(user: User) -> None:
    """Record the start of a password sign-in (after ``login_user``)."""
    now = int(time.time())
    session["_user_id"] = credential_id(user, now)
    session[SIGNED_IN_KEY] = now


def end_if_too_old() -> None:
    """Sign the session out once it is older than ``SESSION_ABSOLUTE_HOURS``."""
    hours = current_app.config["SESSION_ABSOLUTE_HOURS"]
    if hours <= 0 or "_user_id" not in session:
        return
    began = session.get(SIGNED_IN_KEY)
    if not isinstance(began, int):
        session[SIGNED_IN_KEY] = int(time.time())  # restored from a remember-me cookie
        return
    if time.time() - began > hours * 3600:
        for key in _LOGIN_KEYS:
            session.pop(key, None)
        g.pop("_login_user", None)  # Flask-Login's per-request cache of the user
        flash(
            ngettext(
                "You were signed out %(num)d hours after signing in. Sign in again.",
                "You were signed out %(num)d hours after signing in. Sign in again.",
                hours,
            ),
            "info",
        )


def _restored_from_cookie(app: Flask, user: User, **_: object) -> None:
    session[SIGNED_IN_KEY] = int(time.time())


def init_app(app: Flask) -> None:
    """Check every request before anything reads the signed-in user."""
    app.before_request_funcs.setdefault(None, []).insert(0, end_if_too_old)
    # A session restored from a remember-me cookie begins now (connected once, for
    # every app: the receiver only touches the current request's session).
    user_loaded_from_cookie.connect(_restored_from_cookie, weak=False)
