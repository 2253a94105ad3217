"""Record heartbeats and read progress."""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import and_, select, update

from webapp.extensions import db
from webapp.models import Clip, Module, User, Video, WatchProgress
from webapp.models.base import utcnow
from webapp.progress import intervals as iv

MAX_INTERVALS_PER_BEAT = 50


class BadHeartbeat(ValueError):
    """The heartbeat is malformed; the message says what is wrong."""


@dataclass(frozen=True)
class Heartbeat:
    """A validated heartbeat: the resume position and intervals played since the last one."""

    position: float
    played: tuple[iv.Interval, ...] = ()


def _number(value: object, what: str) -> float:
    # bool is an int in Python; a JSON true is not a time.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadHeartbeat(f"{what} must be a number of seconds")
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise BadHeartbeat(f"{what} must be a finite, non-negative number of seconds")
    return number


def parse_heartbeat(payload: object) -> Heartbeat:
    """Validate a heartbeat body ``{"position": s, "played": [[a, b], ...]}``."""
    if not isinstance(payload, dict):
        raise BadHeartbeat('send a JSON object such as {"position": 12.5}')
    if "position" not in payload:
        raise BadHeartbeat("position is required")
    position = _number(payload["position"], "position")
    raw = payload.get("played", [])
    if not isinstance(raw, list) or len(raw) > MAX_INTERVALS_PER_BEAT:
        raise BadHeartbeat(f"played must be a list of at most {MAX_INTERVALS_PER_BEAT} pairs")
    played = []
    for pair in raw:
        if not isinstance(pair, list) or len(pair) != 2:
            raise BadHeartbeat("each played interval must be [start, end]")
        start, end = _number(pair[0], "played start"), _number(pair[1], "played end")
        if end < start:
            raise BadHeartbeat("a played interval must not end before it starts")
        played.append((start, end))
    return Heartbeat(position=position, played=tuple(played))


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


def record_heartbeat(
    user: User, video: Video, beat: Heartbeat, clip: Clip | None = None
) -> WatchProgress:
    """Move the resume point and add the played intervals to the watched union.

    For a clip, times are seconds from the clip's start.
    """
    progress = get_progress(user, video, clip)
    if progress is None:
        progress = WatchProgress(
            user_id=user.id,
            video_id=video.id,
            clip_id=clip.id if clip is not None else None,
            intervals=[],
            position=0.0,
            watched_seconds=0.0,
        )
        db.session.add(progress)
        _count_viewer(video, clip)
    duration = module_duration(video, clip)
    progress.position = min(beat.position, duration) if duration else beat.position
    if beat.played and duration:
        merged = iv.merge([*map(tuple, progress.intervals or []), *beat.played])
        merged = iv.clamp(merged, duration)
        progress.intervals = [list(p) for p in merged]
        progress.watched_seconds = round(iv.total(merged), 3)
    if (
        progress.completed_at is None
        and duration
        and progress.watched_seconds >= (current_app.config["COMPLETION_SHARE"] * duration)
    ):
        progress.completed_at = utcnow()
    db.session.flush()
    return progress


def _count_viewer(video: Video, clip: Clip | None) -> None:
    """A module's first heartbeat from a learner counts one viewer ("most popular")."""
    match = (
        Module.clip_id == clip.id
        if clip is not None
        else and_(Module.video_id == video.id, Module.clip_id.is_(None))
    )
    db.session.execute(update(Module).where(match).values(views=Module.views + 1))


def summary(progress: WatchProgress | None, video: Video, clip: Clip | None = None) -> dict:
    """The JSON shape of progress: position, watched_seconds, percent, completed."""
    if progress is None:
        return {"position": 0.0, "watched_seconds": 0.0, "percent": 0.0, "completed": False}
    duration = module_duration(video, clip)
    percent = min(100.0, 100.0 * progress.watched_seconds / duration) if duration else 0.0
    return {
        "position": round(progress.position, 3),
        "watched_seconds": round(progress.watched_seconds, 3),
        "percent": round(percent, 1),
        "completed": progress.completed,
    }
