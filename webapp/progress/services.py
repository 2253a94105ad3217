"""Record heartbeats and read progress."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Clip, User, Video, WatchProgress
from webapp.models.base import utcnow
from webapp.progress.beats import Beat
from webapp.progress.grants import Target
from webapp.progress.rows import ModuleKey
from webapp.progress.store import Pending
from webapp.progress.writer import get_writer


def module_duration(video: Video, clip: Clip | None = None) -> float:
    """Length of the module: the clip's range, else the whole video."""
    return clip.duration if clip is not None else (video.duration or 0.0)


def get_progress(user: User, video: Video, clip: Clip | None = None) -> WatchProgress | None:
    """The learner's progress row for this video (or this clip of it), if any."""
    clip_filter = (
        WatchProgress.clip_id.is_(None) if clip is None else WatchProgress.clip_id == clip.id
    )
    return db.session.scalar(
        select(WatchProgress).where(
            WatchProgress.user_id == user.id, WatchProgress.video_id == video.id, clip_filter
        )
    )


def store_heartbeat(app: Flask, target: Target, beat: Beat) -> dict:
    """Store one heartbeat durably and return the progress after it (``summary`` shape).

    The beat is committed by the progress writer's batch, not by the caller, which
    should hold no transaction while it waits. Raises BadHeartbeat when the beat is
    impossible and WriterUnavailable when it could not be stored now. For a clip, times
    are seconds from the clip's start.
    """
    pending = Pending(
        key=ModuleKey(target.user_id, target.video_id, target.clip_id),
        duration=target.duration,
        beat=beat,
        received_at=utcnow(),
        share=app.config["COMPLETION_SHARE"],
        granted_at=datetime.fromtimestamp(target.issued, UTC),
    )
    standing = get_writer(app).submit(pending)
    return _shape(standing.position, standing.watched_seconds, standing.completed, target.duration)


def summary(progress: WatchProgress | None, video: Video, clip: Clip | None = None) -> dict:
    """The JSON shape of progress: position, watched_seconds, percent, completed."""
    if progress is None:
        return _shape(0.0, 0.0, False, 0.0)
    duration = module_duration(video, clip)
    return _shape(progress.position, progress.watched_seconds, progress.completed, duration)


def detail(progress: WatchProgress | None, video: Video, clip: Clip | None = None) -> dict:
    """``summary`` plus the watched ``intervals`` (what the player's bar draws)."""
    intervals = [[round(a, 3), round(b, 3)] for a, b in (progress.intervals if progress else [])]
    return {**summary(progress, video, clip), "intervals": intervals}


def _shape(position: float, watched: float, completed: bool, duration: float) -> dict:
    percent = min(100.0, 100.0 * watched / duration) if duration else 0.0
    return {
        "position": round(position, 3),
        "watched_seconds": round(watched, 3),
        "percent": round(percent, 1),
        "completed": completed,
    }
