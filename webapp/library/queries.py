"""Read helpers for the library and the upload page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from webapp.extensions import db
from webapp.models import Clip, JobState, TranscodeJob, User, Video, VideoState, WatchProgress


@dataclass(frozen=True)
class LibraryItem:
    """A READY video and the viewer's progress on it."""

    video: Video
    progress: WatchProgress | None


def playable_filter():
    """READY videos, and videos still processing whose early preview is watchable."""
    return or_(
        Video.state == VideoState.READY.value,
        and_(Video.state == VideoState.PROCESSING.value, Video.preview_prefix.is_not(None)),
    )


def ready_videos(user: User, page: int = 1, per_page: int = 24) -> list[LibraryItem]:
    """Playable videos, newest first, each with this user's progress (two queries)."""
    videos = db.session.scalars(
        select(Video)
        .where(playable_filter())
        .order_by(func.coalesce(Video.published_at, Video.created_at).desc(), Video.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    ids = [v.id for v in videos]
    rows = db.session.scalars(
        select(WatchProgress).where(
            WatchProgress.user_id == user.id,
            WatchProgress.video_id.in_(ids),
            WatchProgress.clip_id.is_(None),
        )
    ).all()
    by_video = {p.video_id: p for p in rows}
    return [LibraryItem(v, by_video.get(v.id)) for v in videos]


@dataclass(frozen=True)
class ClipItem:
    """A clip (micro-lesson) of a READY recording and the viewer's progress on it."""

    clip: Clip
    progress: WatchProgress | None

    @property
    def video(self) -> Video:
        """The recording the clip was cut from (loaded with the clip)."""
        return self.clip.video

    @property
    def percent(self) -> int:
        """Share of the clip watched, 0–100."""
        if self.progress is None or self.clip.duration <= 0:
            return 0
        return min(100, round(100 * self.progress.watched_seconds / self.clip.duration))


def library_clips(user: User, limit: int = 24) -> list[ClipItem]:
    """Clips of READY recordings, newest first, each with its recording and this user's
    progress on the clip: two queries whatever the number of clips."""
    clips = db.session.scalars(
        select(Clip)
        .join(Clip.video)
        .options(contains_eager(Clip.video))
        .where(Video.state == VideoState.READY.value)
        .order_by(Clip.created_at.desc(), Clip.id.desc())
        .limit(limit)
    ).all()
    if not clips:
        return []
    rows = db.session.scalars(
        select(WatchProgress).where(
            WatchProgress.user_id == user.id,
            WatchProgress.clip_id.in_([c.id for c in clips]),
        )
    ).all()
    by_clip = {p.clip_id: p for p in rows}
    return [ClipItem(c, by_clip.get(c.id)) for c in clips]


def uploads_for(user: User) -> list[tuple[Video, TranscodeJob | None]]:
    """The recordings an instructor uploaded (all of them for an admin), with latest job."""
    query = select(Video).options(selectinload(Video.renditions)).order_by(Video.id.desc())
    if not user.is_admin:
        query = query.where(Video.owner_id == user.id)
    videos = db.session.scalars(query.limit(100)).all()
    jobs = db.session.scalars(
        select(TranscodeJob)
        .where(TranscodeJob.video_id.in_([v.id for v in videos]))
        .order_by(TranscodeJob.id)
    ).all()
    latest = {j.video_id: j for j in jobs}
    return [(v, latest.get(v.id)) for v in videos]


def unfinished_job_states() -> tuple[str, ...]:
    """Job states the upload page keeps polling."""
    return (JobState.QUEUED.value, JobState.RUNNING.value)
