"""Read helpers for the library and the upload page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.models import JobState, TranscodeJob, User, Video, VideoState, WatchProgress


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
