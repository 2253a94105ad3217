"""Blended learning: cohorts, live classes, attendance, cohort recordings, exam review."""

from webapp.cohorts import manage_views
from webapp.cohorts import reminders as _reminders  # noqa: F401  (registers the beat task)
from webapp.cohorts.views import bp

__all__ = ["bp", "manage_views"]
