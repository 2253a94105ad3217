"""Calendar and time zones: every page's times in the viewer's zone, the private
``.ics`` feed, "Add to calendar" files, and the browser's zone saved on the profile.
Class reminders by e-mail live in ``webapp/cohorts/reminders.py``."""

from __future__ import annotations

from typing import Any

from flask import Flask

from webapp.calendar.views import bp, feed_url
from webapp.calendar.zones import template_helpers


def init_app(app: Flask) -> None:
    """The blueprint and the template helpers (``local_time``, ``local_day`` …)."""
    app.register_blueprint(bp)

    @app.context_processor
    def _calendar_helpers() -> dict[str, Any]:
        return {**template_helpers(), "calendar_feed_url": feed_url}


__all__ = ["bp", "init_app"]
