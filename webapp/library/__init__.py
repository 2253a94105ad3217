"""The video library: READY videos with poster, duration and the learner's progress."""

from webapp.library.views import bp

__all__ = ["bp"]
