"""Transcode-job lifecycle: enqueue, claim, progress, complete, fail.

The job row is the truth; the queue only delivers job ids. These functions flush and the
caller commits (a view once per request; the worker once per step).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from webapp.celery_app import get_celery
from webapp.extensions import db
from webapp.models import JobState, Rendition, TranscodeJob, Video, VideoState
from webapp.models.base import utcnow

log = logging.getLogger(__name__)

TRANSCODE_TASK = "transcoder.transcode"
ERROR_MAX_CHARS = 2000


def create_job(video: Video) -> TranscodeJob:
    """A QUEUED job for ``video`` (which must be UPLOADED)."""
    job = TranscodeJob(video_id=video.id, state=JobState.QUEUED.value, progress=0.0, attempts=0)
    db.session.add(job)
    db.session.flush()
    return job


def dispatch(job_id: int) -> bool:
    """Put the job id on the queue. Call only after the job row is committed.

    A broker outage loses nothing: the job stays QUEUED in the database and the caller
    learns it from the False return (``flask jobs requeue`` sends queued jobs again).
    """
    try:
        get_celery().send_task(TRANSCODE_TASK, args=[job_id], retry=False)
    except Exception:  # any broker/transport failure; the row is the truth
        log.exception("could not enqueue transcode job %s", job_id)
        return False
    return True


def claim(job_id: int) -> TranscodeJob | None:
    """Mark the job RUNNING for a new attempt; None if it is unknown or already finished."""
    job = db.session.get(TranscodeJob, job_id)
    if job is None or job.is_finished:
        return None
    job.state = JobState.RUNNING.value
    job.attempts += 1
    job.progress = 0.0
    job.error = None
    job.started_at = utcnow()
    job.video.transition(VideoState.PROCESSING)
    db.session.flush()
    return job


def report_progress(job_id: int, percent: float) -> None:
    """Record progress (0–100) of a running job."""
    job = db.session.get(TranscodeJob, job_id)
    if job is not None and job.state == JobState.RUNNING:
        job.progress = round(max(0.0, min(100.0, percent)), 1)
        db.session.flush()


def complete(
    job_id: int,
    *,
    hls_prefix: str,
    poster_key: str,
    duration: float,
    width: int,
    height: int,
    renditions: Sequence[dict],
) -> str | None:
    """Switch the video to the freshly published ladder; returns the prefix it replaced.

    Everything the player reads changes in this one flush, so a reader sees either the
    old complete ladder or the new complete ladder, never a mixture.
    """
    job = db.session.get(TranscodeJob, job_id)
    video = job.video
    previous = video.hls_prefix
    video.renditions.clear()
    db.session.flush()
    video.renditions.extend(Rendition(**r) for r in renditions)
    video.hls_prefix = hls_prefix
    video.poster_key = poster_key
    video.duration = duration
    video.width, video.height = width, height
    video.published_at = utcnow()
    video.transition(VideoState.READY)
    job.state = JobState.READY.value
    job.progress = 100.0
    job.finished_at = utcnow()
    db.session.flush()
    return previous if previous != hls_prefix else None


def fail(job_id: int, reason: str) -> None:
    """Mark the job and its video FAILED with a readable reason."""
    job = db.session.get(TranscodeJob, job_id)
    if job is None:
        return
    job.state = JobState.FAILED.value
    job.error = reason[:ERROR_MAX_CHARS]
    job.finished_at = utcnow()
    if job.video.state != VideoState.FAILED:
        job.video.transition(VideoState.FAILED)
    db.session.flush()


def latest_job(video_id: int) -> TranscodeJob | None:
    """The most recent job of a video."""
    return db.session.scalars(
        db.select(TranscodeJob)
        .where(TranscodeJob.video_id == video_id)
        .order_by(TranscodeJob.id.desc())
        .limit(1)
    ).first()


def queued_job_ids() -> list[int]:
    """Ids of every job still waiting to be picked up."""
    return list(
        db.session.scalars(
            db.select(TranscodeJob.id)
            .where(TranscodeJob.state == JobState.QUEUED.value)
            .order_by(TranscodeJob.id)
        )
    )
