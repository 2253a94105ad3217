"""A signed-in browser session ends after ``SESSION_IDLE_MINUTES`` without a request.

The session keeps the time of its last request (``_seen``, refreshed at most once a
minute so that a busy page does not re-sign its cookie on every call). A request that
arrives later than the idle limit finds the session signed out: it is answered as an
anonymous one (sign-in page, or 401 for the API) and the sign-in page says why.

The player's heartbeats are requests too: watching a long lecture keeps the session
alive, a tab left open on a paused video does not. A "keep me signed in" cookie still
signs the browser back in (its owner asked for exactly that), with a non-fresh session.
API tokens are not sessions and have their own lifetime.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, flash, g, session
from flask_babel import ngettext

SEEN_KEY = "_seen"
REFRESH_SECONDS = 60
# The user in the session. Flask-Login's "_id" (which browser) stays: without it, its
# "strong" session protection would also delete the remember-me cookie.
_LOGIN_KEYS = ("_user_id", "_fresh")


def mark_active() -> None:
    """Note a request of the signed-in session now."""
    session[SEEN_KEY] = int(time.time())


def end_if_idle() -> None:
    """Sign the session out if it was idle too long, else note this request."""
    minutes = current_app.config["SESSION_IDLE_MINUTES"]
    if minutes <= 0 or "_user_id" not in session:
        return
    now = int(time.time())
    seen = session.get(SEEN_KEY)
    if isinstance(seen, int) and now - seen > minutes * 60:
        for key in (*_LOGIN_KEYS, SEEN_KEY):
            session.pop(key, None)
        g.pop("_login_user", None)  # Flask-Login's per-request cache of the user
        flash(
            ngettext(
                "You were signed out after %(num)d minutes without activity.",
                "You were signed out after %(num)d minutes without activity.",
                minutes,
            ),
            "info",
        )
        return
    if not isinstance(seen, int) or now - seen >= REFRESH_SECONDS:
        mark_active()


def init_app(app: Flask) -> None:
    """Check every request before anything reads the signed-in user."""
    app.before_request_funcs.setdefault(None, []).insert(0, end_if_idle)
