"""The caps an upload must respect, read from the app's configuration."""

from __future__ import annotations

from flask import current_app

from transcoder.limits import Limits


def media_limits() -> Limits:
    """Size, duration, picture-size and frame-rate caps for probing and transcoding."""
    cfg = current_app.config
    return Limits(
        max_bytes=cfg["MAX_CONTENT_LENGTH"],
        max_duration=float(cfg["MAX_VIDEO_SECONDS"]),
        max_width=cfg["MAX_VIDEO_WIDTH"],
        max_height=cfg["MAX_VIDEO_HEIGHT"],
        max_fps=float(cfg["MAX_VIDEO_FPS"]),
    )
