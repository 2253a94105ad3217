"""Blended learning: cohorts, live classes, attendance, cohort recordings, exam review."""

from webapp.cohorts import manage_views
from webapp.cohorts.views import bp

__all__ = ["bp", "manage_views"]
