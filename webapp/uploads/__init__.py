"""Instructor uploads: validate with ffprobe, store the source, enqueue the transcode."""

from webapp.uploads.views import bp

__all__ = ["bp"]
