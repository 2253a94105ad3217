"""Reads for instructor analytics: who may see them, and per-module aggregates in SQL.

A module is a whole video (progress rows with ``clip_id`` NULL) or one clip of it.
Definitions (documented in docs/api.md):

* views: player sessions that reported on the module (each page load that played it;
  ``watch_progress.view_count``), at least one per learner who has a progress row;
* unique viewers: learners with ``watched_seconds > 0``;
* average share watched: mean of ``min(watched_seconds / duration, 1)`` over viewers;
* completions: progress rows with ``completed_at`` set;
* watch time per day: the new seconds watched that day (``watch_days``, recorded since
  the heartbeat writer keeps them) and how many learners added some.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import abort
from sqlalchemy import ColumnElement, and_, case, distinct, func, select

from webapp.access import can_manage, video_or_404
from webapp.clips.queries import clip_or_404
from webapp.extensions import db
from webapp.models import Clip, User, Video, WatchProgress
from webapp.models.progress import WatchDay

INDEX_LIMIT = 200
RECENT_DAYS = 30


@dataclass(frozen=True)
class ModuleStats:
    """Aggregates of one module's progress rows."""

    views: int
    viewers: int
    average_share: float  # 0–1 over viewers
    completions: int
    watched_seconds: float


NO_STATS = ModuleStats(0, 0, 0.0, 0, 0.0)


@dataclass(frozen=True)
class DayPoint:
    """New watch time of one UTC day."""

    day: date
    seconds: float
    viewers: int


# ----------------------------------------------------------------------------- permissions


def video_for_analytics(video_id: int, user: User) -> Video:
    """The video if ``user`` owns it or is an admin; 404 if they may not even see it,
    403 if they may see but not manage it."""
    video = video_or_404(video_id, user)
    if not can_manage(user, video):
        abort(403, "Only the video's instructor (or an admin) sees its analytics.")
    return video


def clip_for_analytics(clip_id: int, user: User) -> Clip:
    """The clip if ``user`` manages its recording (same answers as for videos)."""
    clip = clip_or_404(clip_id, user)
    if not can_manage(user, clip.video):
        abort(403, "Only the video's instructor (or an admin) sees its analytics.")
    return clip


# ----------------------------------------------------------------------------- aggregates


def _stat_columns(duration: ColumnElement[float] | float) -> tuple:
    watched = WatchProgress.watched_seconds
    share = case((watched >= duration, 1.0), else_=watched / duration)
    sessions = WatchProgress.view_count
    return (
        func.coalesce(func.sum(case((sessions > 0, sessions), else_=1)), 0),
        func.count(distinct(case((watched > 0, WatchProgress.user_id)))),
        func.avg(case((watched > 0, share))),
        func.count(WatchProgress.completed_at),
        func.coalesce(func.sum(watched), 0.0),
    )


def _stats(row: tuple) -> ModuleStats:
    views, viewers, average, completions, watched = row
    return ModuleStats(
        int(views or 0),
        int(viewers or 0),
        float(average or 0.0),
        int(completions or 0),
        float(watched or 0.0),
    )


def module_stats(video_id: int, clip_id: int | None, duration: float) -> ModuleStats:
    """Views, viewers, average share watched and completions of one module (one query)."""
    if duration <= 0:
        return NO_STATS
    clip = WatchProgress.clip_id.is_(None) if clip_id is None else WatchProgress.clip_id == clip_id
    row = db.session.execute(
        select(*_stat_columns(duration)).where(WatchProgress.video_id == video_id, clip)
    ).one()
    return _stats(tuple(row))


def clip_stats(video_id: int) -> list[tuple[Clip, ModuleStats]]:
    """Every clip of the video in time order with its aggregates (one query)."""
    rows = db.session.execute(
        select(Clip, *_stat_columns(Clip.end - Clip.start))
        .outerjoin(
            WatchProgress,
            and_(WatchProgress.clip_id == Clip.id, WatchProgress.video_id == Clip.video_id),
        )
        .where(Clip.video_id == video_id, Clip.end > Clip.start)
        .group_by(Clip.id)
        .order_by(Clip.start, Clip.id)
    ).all()
    return [(row[0], _stats(tuple(row[1:]))) for row in rows]


def managed_videos(user: User) -> list[tuple[Video, ModuleStats]]:
    """The videos ``user`` manages (an admin: everyone's), newest first, at most
    ``INDEX_LIMIT``, each with its whole-video aggregates (one query)."""
    duration = func.coalesce(Video.duration, 0.0)
    query = (
        select(Video, *_stat_columns(duration))
        .outerjoin(
            WatchProgress,
            and_(
                WatchProgress.video_id == Video.id,
                WatchProgress.clip_id.is_(None),
                duration > 0,
            ),
        )
        .group_by(Video.id)
        .order_by(Video.id.desc())
        .limit(INDEX_LIMIT)
    )
    if not user.is_admin:
        query = query.where(Video.owner_id == user.id)
    return [(row[0], _stats(tuple(row[1:]))) for row in db.session.execute(query).all()]


def daily_watch(
    video_id: int, clip_id: int | None, today: date, days: int = RECENT_DAYS
) -> list[DayPoint]:
    """New seconds watched and learners watching per day over the ``days`` days up to
    ``today``, zeros included (one grouped query)."""
    first = today - timedelta(days=days - 1)
    clip = WatchDay.clip_id.is_(None) if clip_id is None else WatchDay.clip_id == clip_id
    rows = db.session.execute(
        select(WatchDay.day, func.sum(WatchDay.seconds), func.count(distinct(WatchDay.user_id)))
        .where(WatchDay.video_id == video_id, clip, WatchDay.day >= first, WatchDay.day <= today)
        .group_by(WatchDay.day)
    ).all()
    found = {day: (float(seconds or 0.0), int(viewers)) for day, seconds, viewers in rows}
    points = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        seconds, viewers = found.get(day, (0.0, 0))
        points.append(DayPoint(day, seconds, viewers))
    return points
