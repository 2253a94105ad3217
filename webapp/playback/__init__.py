"""Playback: the watch page, HLS delivery and the player's static files."""

from webapp.playback.views import bp

__all__ = ["bp"]
