"""Questions at the moment: learners ask at a moment of a video or clip, the content's
instructors (and, where allowed, peers) answer; an inbox gathers them for instructors."""

from webapp.questions.views import bp

__all__ = ["bp"]
