"""The bell: what a user is told in the app, and by e-mail (now, or in an hourly digest).

Other features call ``webapp.notifications.services.notify`` and nothing else."""

from __future__ import annotations

from typing import Any

from flask import Flask, g
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from webapp.notifications import digest as _digest  # noqa: F401  (registers the beat task)
from webapp.notifications import tasks as _tasks  # noqa: F401  (registers the e-mail task)
from webapp.notifications.queries import unread_count
from webapp.notifications.views import bp, email_form

UNREAD = "notifications_unread"


def bell_count() -> int | None:
    """The signed-in user's unread count, counted once per request; None when it cannot
    be counted (an error page for a database outage must still render)."""
    if not current_user.is_authenticated:
        return 0
    if UNREAD not in g:
        try:
            setattr(g, UNREAD, unread_count(current_user.id))
        except SQLAlchemyError:
            setattr(g, UNREAD, None)
    count = getattr(g, UNREAD)
    return None if count is None else int(count)


def init_app(app: Flask) -> None:
    """The blueprint and the header's bell (``notification_count``), and the profile's
    e-mail form (``notification_email_form``)."""
    app.register_blueprint(bp)

    @app.context_processor
    def _notification_helpers() -> dict[str, Any]:
        return {"notification_count": bell_count, "notification_email_form": email_form}


__all__ = ["bp", "init_app"]
