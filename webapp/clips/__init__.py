"""Bite-size clips and chapters cut from recordings."""

from webapp.clips.views import bp

__all__ = ["bp"]
