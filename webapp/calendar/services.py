"""Writes of the calendar feature (they flush; the view commits)."""

from __future__ import annotations

import secrets

from webapp.cohorts.timezones import is_valid_zone
from webapp.extensions import db
from webapp.models import User


class CalendarError(ValueError):
    """A request the rules refuse; the message is for the person."""


def reset_secret(user: User) -> str:
    """A new secret for ``user``'s feed URL; the previous URL stops working at once."""
    user.calendar_secret = secrets.token_urlsafe(32)
    db.session.flush()
    return user.calendar_secret


def save_detected_zone(user: User, zone: str) -> bool:
    """Save the zone the browser reported, unless the user chose one on the profile.

    True when the saved zone changed. A chosen (pinned) zone always wins; an unpinned one
    follows the browser, so a learner who travels sees local times.
    """
    if not is_valid_zone(zone):
        raise CalendarError("not a time zone we know")
    if user.time_zone_pinned and user.time_zone:
        return False
    if user.time_zone == zone:
        return False
    user.time_zone = zone
    user.time_zone_pinned = False
    db.session.flush()
    return True
