"""Reads of the admin home: the site's figures at a glance, and the jobs that need an eye.

Every figure is one aggregate query (no per-row loading), so the page stays cheap as the
site grows; only the storage figure on local disk walks the media folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import ColumnElement, distinct, func, select

from webapp.accounts.queries import pending_invitations_count, recent_signups
from webapp.extensions import db
from webapp.jobs.registry import KINDS
from webapp.models import (
    Clip,
    ClipExport,
    JobState,
    Role,
    TranscodeJob,
    User,
    Video,
    VideoState,
    WatchProgress,
)
from webapp.models.base import as_utc, utcnow

ACTIVE_DAYS = 7
RECENT_SIGNUPS = 5
FAILED_JOBS_LIMIT = 50


@dataclass(frozen=True)
class Storage:
    """Bytes stored, as far as the app knows them.

    ``recorded`` sums what the database records: every video's source file and every
    finished clip export. The HLS ladders (segments, posters, storyboards, captions) are
    not recorded per byte, so on local disk ``on_disk`` walks the media folder and counts
    every file in it; on S3 it is None.
    """

    sources: int
    exports: int
    on_disk: int | None

    @property
    def recorded(self) -> int:
        """Source files and clip exports, as recorded in the database."""
        return self.sources + self.exports


@dataclass(frozen=True)
class JobRow:
    """One background job as the admin home lists it."""

    kind: str
    id: int
    state: str
    progress: float
    attempts: int
    error: str | None
    subject: str  # the video's or clip's title
    video_id: int
    at: datetime | None  # when it failed (or started, for a running job)


@dataclass(frozen=True)
class Signup:
    """A recent account."""

    id: int
    email: str
    name: str
    role: str
    created_at: datetime


@dataclass(frozen=True)
class Overview:
    """Everything the admin home shows."""

    active_learners: int
    active_since: datetime
    ready_videos: int
    ready_seconds: float
    storage: Storage
    running: list[JobRow]
    failed: list[JobRow]
    pending_invitations: int
    recent_signups: list[Signup]


def active_learners(since: datetime) -> int:
    """Distinct learners whose watch progress moved since ``since``: every stored
    heartbeat touches its progress row's ``updated_at``."""
    return int(
        db.session.scalar(
            select(func.count(distinct(WatchProgress.user_id)))
            .join(User, User.id == WatchProgress.user_id)
            .where(WatchProgress.updated_at >= since, User.role == Role.LEARNER)
        )
        or 0
    )


def ready_videos() -> tuple[int, float]:
    """How many videos are READY, and their length in seconds all together."""
    count, seconds = db.session.execute(
        select(func.count(Video.id), func.coalesce(func.sum(Video.duration), 0.0)).where(
            Video.state == VideoState.READY
        )
    ).one()
    return int(count), float(seconds or 0.0)


def storage_used() -> Storage:
    """Bytes of sources and exports recorded, and (local disk) of the media folder."""
    sources = db.session.scalar(
        select(func.coalesce(func.sum(Video.source_size), 0)).where(Video.source_key.is_not(None))
    )
    exports = db.session.scalar(
        select(func.coalesce(func.sum(ClipExport.size_bytes), 0)).where(
            ClipExport.output_key.is_not(None)
        )
    )
    on_disk = None
    if current_app.config.get("STORAGE_BACKEND") == "local":
        on_disk = folder_bytes(Path(current_app.config["MEDIA_ROOT"]))
    return Storage(int(sources or 0), int(exports or 0), on_disk)


def folder_bytes(root: Path) -> int:
    """Sum of the sizes of every file under ``root`` (0 when it does not exist)."""
    total = 0
    for folder, _dirs, files in os.walk(root):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:  # removed by the garbage collection meanwhile
                continue
    return total


def _latest_of(model: type[TranscodeJob] | type[ClipExport]) -> ColumnElement[bool]:
    """The job is the most recent of its video (transcodes) or clip (exports): an older
    failure that a later job replaced needs nobody's attention."""
    if model is TranscodeJob:
        newer = select(func.max(TranscodeJob.id)).group_by(TranscodeJob.video_id)
    else:
        newer = select(func.max(ClipExport.id)).group_by(ClipExport.clip_id)
    return model.id.in_(newer)


def _transcode_rows(*where: ColumnElement[bool], limit: int) -> list[JobRow]:
    rows = db.session.execute(
        select(TranscodeJob, Video.title)
        .join(Video, Video.id == TranscodeJob.video_id)
        .where(*where)
        .order_by(TranscodeJob.id.desc())
        .limit(limit)
    ).all()
    return [_row("transcode", job, title, job.video_id) for job, title in rows]


def _export_rows(*where: ColumnElement[bool], limit: int) -> list[JobRow]:
    rows = db.session.execute(
        select(ClipExport, Clip.title, Clip.video_id)
        .join(Clip, Clip.id == ClipExport.clip_id)
        .where(*where)
        .order_by(ClipExport.id.desc())
        .limit(limit)
    ).all()
    return [_row("clip_export", job, title, video_id) for job, title, video_id in rows]


def _row(kind: str, job: TranscodeJob | ClipExport, subject: str, video_id: int) -> JobRow:
    moment = job.finished_at if job.state == JobState.FAILED else job.started_at
    return JobRow(
        kind=kind,
        id=job.id,
        state=str(job.state),
        progress=job.progress,
        attempts=job.attempts,
        error=job.error,
        subject=subject,
        video_id=video_id,
        at=as_utc(moment) if moment else None,
    )


def _newest_first(rows: list[JobRow]) -> list[JobRow]:
    epoch = datetime.min.replace(tzinfo=utcnow().tzinfo)
    return sorted(rows, key=lambda r: (r.at or epoch, r.id), reverse=True)


def running_jobs(limit: int = FAILED_JOBS_LIMIT) -> list[JobRow]:
    """Transcodes and clip exports running now, newest first."""
    rows = _transcode_rows(TranscodeJob.state == JobState.RUNNING, limit=limit)
    rows += _export_rows(ClipExport.state == JobState.RUNNING, limit=limit)
    return _newest_first(rows)[:limit]


def failed_jobs(limit: int = FAILED_JOBS_LIMIT) -> list[JobRow]:
    """Failed transcodes and clip exports that are still their object's latest job."""
    rows = _transcode_rows(
        TranscodeJob.state == JobState.FAILED, _latest_of(TranscodeJob), limit=limit
    )
    rows += _export_rows(ClipExport.state == JobState.FAILED, _latest_of(ClipExport), limit=limit)
    return _newest_first(rows)[:limit]


def is_latest_job(kind: str, job_id: int) -> bool:
    """Whether job ``job_id`` of ``kind`` is the latest of its video or clip."""
    model = KINDS[kind].model
    assert model is TranscodeJob or model is ClipExport
    return bool(
        db.session.scalar(select(func.count()).where(model.id == job_id, _latest_of(model)))
    )


def overview(now: datetime | None = None) -> Overview:
    """Every figure of the admin home."""
    now = now or utcnow()
    since = now - timedelta(days=ACTIVE_DAYS)
    count, seconds = ready_videos()
    return Overview(
        active_learners=active_learners(since),
        active_since=since,
        ready_videos=count,
        ready_seconds=seconds,
        storage=storage_used(),
        running=running_jobs(),
        failed=failed_jobs(),
        pending_invitations=pending_invitations_count(),
        recent_signups=[
            Signup(u.id, u.email, u.name, str(u.role), as_utc(u.created_at))
            for u in recent_signups(RECENT_SIGNUPS)
        ],
    )
