"""Macro learning: courses, programs (learning paths), prerequisites, enrolment, home."""

from webapp.learning.views import bp

__all__ = ["bp"]
