"""Instructor analytics over the API, per video (with its clips) and per clip: the same
queries and rules as the pages. Times are seconds from the module's start."""

from __future__ import annotations

from datetime import date

from flask import g
from pydantic import Field

from webapp.analytics import queries
from webapp.analytics.modules import ModuleAnalytics, analyse
from webapp.analytics.queries import DayPoint, ModuleStats
from webapp.analytics.retention import Bucket, DropOff
from webapp.api.blueprint import bp
from webapp.api.contract import Output, operation
from webapp.models import Clip


class Stats(Output):
    """Views, unique viewers, average share watched (0–1), completions."""

    views: int
    unique_viewers: int
    average_share_watched: float = Field(description="0–1, over the viewers.")
    completions: int


def figures(stats: ModuleStats) -> Stats:
    """The figures ``stats``, the share rounded."""
    return Stats(
        views=stats.views,
        unique_viewers=stats.viewers,
        average_share_watched=round(stats.average_share, 4),
        completions=stats.completions,
    )


class RetentionPoint(Output):
    """One bucket of the retention curve: the viewers still watching in ``[start, end)``."""

    start: float
    end: float
    viewers: int
    share: float = Field(description="0–1, of the module's viewers.")

    @classmethod
    def of(cls, bucket: Bucket) -> RetentionPoint:
        """``bucket``, its share rounded."""
        return cls(
            start=bucket.start, end=bucket.end, viewers=bucket.viewers, share=round(bucket.share, 4)
        )


class DropOffOut(Output):
    """A fall in retention at ``at`` seconds."""

    at: float
    before: float
    after: float
    viewers_lost: int

    @classmethod
    def of(cls, drop: DropOff) -> DropOffOut:
        """``drop``, its shares rounded."""
        return cls(
            at=drop.at,
            before=round(drop.before, 4),
            after=round(drop.after, 4),
            viewers_lost=drop.lost,
        )


class WatchDayOut(Output):
    """New watch time of one UTC day."""

    day: date
    seconds: float
    learners: int

    @classmethod
    def of(cls, point: DayPoint) -> WatchDayOut:
        """``point``, its seconds rounded."""
        return cls(day=point.day, seconds=round(point.seconds, 3), learners=point.viewers)


class ModuleAnalyticsOut(Stats):
    """A module's figures, its retention curve, drop-off points and recent watch days."""

    video_id: int
    clip_id: int | None
    title: str
    duration: float
    retention: list[RetentionPoint]
    drop_offs: list[DropOffOut] = Field(description="The largest falls, largest first.")
    watch_days: list[WatchDayOut]

    @classmethod
    def of(cls, found: ModuleAnalytics) -> ModuleAnalyticsOut:
        """The analytics ``found``."""
        return ModuleAnalyticsOut(
            video_id=found.video.id,
            clip_id=found.clip.id if found.clip is not None else None,
            title=found.title,
            duration=round(found.duration, 3),
            **figures(found.stats).model_dump(),
            retention=[RetentionPoint.of(b) for b in found.curve],
            drop_offs=[DropOffOut.of(d) for d in found.drops],
            watch_days=[WatchDayOut.of(d) for d in found.days],
        )


class ClipStats(Stats):
    """One clip of a video with its figures."""

    clip_id: int
    title: str
    start: float
    end: float

    @classmethod
    def of(cls, clip: Clip, stats: ModuleStats) -> ClipStats:
        """``clip`` and its figures."""
        return ClipStats(
            clip_id=clip.id,
            title=clip.title,
            start=clip.start,
            end=clip.end,
            **figures(stats).model_dump(),
        )


class VideoAnalytics(ModuleAnalyticsOut):
    """A whole video's analytics and the figures of each of its clips."""

    clips: list[ClipStats]


@operation(
    bp,
    "GET",
    "/videos/<int:video_id>/analytics",
    responses={200: VideoAnalytics},
    errors=(403, 404),
)
def video_analytics(video_id: int) -> VideoAnalytics:
    """A video's analytics (its instructor and admins; 404 if the caller cannot see it,
    else 403)."""
    video = queries.video_for_analytics(video_id, g.user)
    return VideoAnalytics(
        **ModuleAnalyticsOut.of(analyse(video)).model_dump(),
        clips=[ClipStats.of(clip, stats) for clip, stats in queries.clip_stats(video.id)],
    )


@operation(
    bp,
    "GET",
    "/clips/<int:clip_id>/analytics",
    responses={200: ModuleAnalyticsOut},
    errors=(403, 404),
)
def clip_analytics(clip_id: int) -> ModuleAnalyticsOut:
    """A clip's analytics (times in seconds from the clip's start)."""
    clip = queries.clip_for_analytics(clip_id, g.user)
    return ModuleAnalyticsOut.of(analyse(clip.video, clip))
