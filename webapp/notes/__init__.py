"""Notes and bookmarks: a learner's own remarks at moments of a video, listed beside the
player, gathered on "My notes" and exported as Markdown or PDF."""

from webapp.notes.views import bp

__all__ = ["bp"]
