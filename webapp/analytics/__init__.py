"""Instructor analytics per video and per clip: views, viewers, share watched, audience
retention and drop-off points."""

from webapp.analytics.views import bp

__all__ = ["bp"]
