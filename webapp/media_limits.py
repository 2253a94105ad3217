"""The caps an upload must respect and the CPU its transcode may use, from the config."""

from __future__ import annotations

from flask import current_app

from transcoder.budget import CpuBudget
from transcoder.limits import Limits


def media_limits() -> Limits:
    """Size, duration, picture-size and frame-rate caps for probing and transcoding."""
    cfg = current_app.config
    return Limits(
        max_bytes=cfg["MAX_UPLOAD_BYTES"],
        max_duration=float(cfg["MAX_VIDEO_SECONDS"]),
        max_width=cfg["MAX_VIDEO_WIDTH"],
        max_height=cfg["MAX_VIDEO_HEIGHT"],
        max_fps=float(cfg["MAX_VIDEO_FPS"]),
    )


def cpu_budget() -> CpuBudget:
    """CPU seconds a transcode's ffmpeg runs may use, per second of media and at least."""
    cfg = current_app.config
    return CpuBudget(
        per_media_second=float(cfg["JOB_CPU_SECONDS_PER_MEDIA_SECOND"]),
        floor_seconds=float(cfg["JOB_CPU_FLOOR_SECONDS"]),
    )
