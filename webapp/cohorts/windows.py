"""When a live class can be joined and checked in to (pure time arithmetic)."""

from __future__ import annotations

from datetime import datetime, timedelta

from webapp.models import LiveClass
from webapp.models.base import as_utc

CHECK_IN_EARLY = timedelta(minutes=10)
JOIN_EARLY = timedelta(minutes=15)
MAX_CLASS_MINUTES = 24 * 60


def class_start(live_class: LiveClass) -> datetime:
    """Start of the class, aware UTC."""
    return as_utc(live_class.starts_at)


def class_end(live_class: LiveClass) -> datetime:
    """End of the class, aware UTC."""
    return class_start(live_class) + timedelta(minutes=live_class.duration_minutes)


def check_in_open(live_class: LiveClass, now: datetime) -> bool:
    """Learners check in from 10 minutes before the start until the end."""
    return class_start(live_class) - CHECK_IN_EARLY <= as_utc(now) <= class_end(live_class)


def join_open(live_class: LiveClass, now: datetime) -> bool:
    """The join link is shown from 15 minutes before the start until the end."""
    return class_start(live_class) - JOIN_EARLY <= as_utc(now) <= class_end(live_class)


def has_ended(live_class: LiveClass, now: datetime) -> bool:
    """The class is over."""
    return class_end(live_class) < as_utc(now)
