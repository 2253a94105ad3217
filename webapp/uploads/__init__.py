"""Instructor uploads: validate with ffprobe, store the source, enqueue the transcode."""

from webapp.uploads import tasks  # noqa: F401  (registers the cleanup task with Celery)
from webapp.uploads.views import bp

__all__ = ["bp"]
