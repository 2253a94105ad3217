"""Transcode-job lifecycle: enqueue, claim, heartbeat, complete, fail, sweep.

The job row is the truth; the queue only delivers job ids, possibly more than once.
These functions flush and the caller commits (a view once per request; the worker once
per step).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from webapp.celery_app import get_celery
from webapp.extensions import db
from webapp.models import JobState, Rendition, TranscodeJob, Video, VideoState
from webapp.models.base import as_utc, utcnow

log = logging.getLogger(__name__)

TRANSCODE_TASK = "transcoder.transcode"
ERROR_MAX_CHARS = 2000


class Superseded(Exception):
    """Another attempt owns the job now: this worker was taken for dead and replaced."""


def owns(job: TranscodeJob, attempt: int | None) -> bool:
    """Whether attempt ``attempt`` may still write the job (None: no attempt to check).

    A worker that stalled past ``JOB_STALE_SECONDS`` is handed back by the sweeper and a
    later attempt claims the job; if the stalled one wakes up, its progress, preview,
    result and failure must change nothing.
    """
    return attempt is None or (job.state == JobState.RUNNING and job.attempts == attempt)


def create_job(video: Video) -> TranscodeJob:
    """A QUEUED job for ``video`` (which must be UPLOADED)."""
    job = TranscodeJob(video_id=video.id, state=JobState.QUEUED.value, progress=0.0, attempts=0)
    db.session.add(job)
    db.session.flush()
    return job


def dispatch(job_id: int) -> bool:
    """Put the job id on the queue. Call only after the job row is committed.

    A broker outage loses nothing: the job stays QUEUED in the database, the caller
    learns it from the False return, and the sweeper sends it again later.
    """
    try:
        get_celery().send_task(TRANSCODE_TASK, args=[job_id], retry=False)
    except Exception:  # any broker/transport failure; the row is the truth
        log.exception("could not enqueue transcode job %s", job_id)
        return False
    return True


def is_silent(beat: datetime | None, stale_after: timedelta, now: datetime | None = None) -> bool:
    """No heartbeat at all, or none for ``stale_after``: the worker counts as dead."""
    return beat is None or as_utc(beat) <= (now or utcnow()) - stale_after


def is_stale(job: TranscodeJob, stale_after: timedelta, now: datetime | None = None) -> bool:
    """A RUNNING job whose worker has not been heard from for ``stale_after``."""
    return is_silent(job.heartbeat_at or job.started_at, stale_after, now)


def claim(job_id: int, stale_after: timedelta) -> TranscodeJob | None:
    """Start a new attempt; None if the job is unknown, finished, or alive elsewhere.

    A duplicate delivery of a job that another worker is still running (fresh
    heartbeat) is refused, so one job never runs twice at once.
    """
    job = db.session.get(TranscodeJob, job_id)
    if job is None or job.is_finished:
        return None
    if job.state == JobState.RUNNING and not is_stale(job, stale_after):
        return None
    job.state = JobState.RUNNING.value
    job.attempts += 1
    job.progress = 0.0
    job.error = None
    job.started_at = job.heartbeat_at = utcnow()
    job.video.preview_prefix = None
    job.video.transition(VideoState.PROCESSING)
    db.session.flush()
    return job


def report_progress(job_id: int, percent: float, attempt: int | None = None) -> None:
    """Record progress (0–100) of a running job; doubles as the worker's heartbeat."""
    job = db.session.get(TranscodeJob, job_id)
    if job is not None and job.state == JobState.RUNNING and owns(job, attempt):
        job.progress = round(max(0.0, min(100.0, percent)), 1)
        job.heartbeat_at = utcnow()
        db.session.flush()


def set_preview(job_id: int, prefix: str, attempt: int | None = None) -> None:
    """Make the early single-variant stream watchable while the ladder is encoded."""
    job = db.session.get(TranscodeJob, job_id)
    if job is not None and job.state == JobState.RUNNING and owns(job, attempt):
        job.video.preview_prefix = prefix
        db.session.flush()


def complete(
    job_id: int,
    *,
    hls_prefix: str,
    poster_key: str,
    storyboard_path: str | None,
    duration: float,
    width: int,
    height: int,
    renditions: Sequence[dict],
    attempt: int | None = None,
) -> list[str]:
    """Switch the video to the freshly published ladder; returns prefixes now unused.

    Everything the player reads changes in this one flush, so a reader sees either the
    old complete ladder or the new complete ladder, never a mixture. Raises Superseded
    (changing nothing) when ``attempt`` no longer owns the job.
    """
    job = db.session.get(TranscodeJob, job_id)
    if not owns(job, attempt):
        raise Superseded(f"job {job_id} attempt {attempt} was replaced")
    video = job.video
    unused = [p for p in (video.hls_prefix, video.preview_prefix) if p and p != hls_prefix]
    video.renditions.clear()
    db.session.flush()
    video.renditions.extend(Rendition(**r) for r in renditions)
    video.hls_prefix = hls_prefix
    video.preview_prefix = None
    video.poster_key = poster_key
    video.storyboard_path = storyboard_path
    video.duration = duration
    video.width, video.height = width, height
    video.published_at = utcnow()
    video.transition(VideoState.READY)
    job.state = JobState.READY.value
    job.progress = 100.0
    job.finished_at = job.heartbeat_at = utcnow()
    db.session.flush()
    return unused


def fail(job_id: int, reason: str, attempt: int | None = None) -> str | None:
    """Mark the job and its video FAILED with a readable reason; returns a dropped preview.

    A video that already had a published ladder keeps it: a failed re-transcode must not
    take a working lesson away from learners. Does nothing when ``attempt`` no longer
    owns the job.
    """
    job = db.session.get(TranscodeJob, job_id)
    if job is None or not owns(job, attempt):
        return None
    job.state = JobState.FAILED.value
    job.error = reason[:ERROR_MAX_CHARS]
    job.finished_at = utcnow()
    video = job.video
    preview, video.preview_prefix = video.preview_prefix, None
    if video.hls_prefix and video.state == VideoState.PROCESSING:
        video.transition(VideoState.READY)
    elif video.state != VideoState.FAILED:
        video.transition(VideoState.FAILED)
    db.session.flush()
    return preview


def hand_back(job_id: int, reason: str, attempt: int | None = None) -> None:
    """Return a RUNNING job to QUEUED (transient failure or dead worker) for a retry."""
    job = db.session.get(TranscodeJob, job_id)
    if job is None or job.state != JobState.RUNNING or not owns(job, attempt):
        return
    job.state = JobState.QUEUED.value
    job.error = reason[:500]
    job.video.preview_prefix = None
    if job.video.hls_prefix:
        job.video.transition(VideoState.READY)  # keep serving the previous ladder
    else:
        job.video.transition(VideoState.UPLOADED)
    db.session.flush()


@dataclass(frozen=True)
class SweepReport:
    """What one sweep did, by job id."""

    requeued: tuple[int, ...]
    redispatched: tuple[int, ...]
    failed: tuple[int, ...]


def sweep(stale_after: timedelta, redispatch_after: timedelta, max_attempts: int) -> SweepReport:
    """Recover jobs whose worker died and jobs whose queue message was lost.

    Flushes only; the caller commits and then dispatches ``requeued + redispatched``.
    """
    now = utcnow()
    requeued, failed, redispatched = [], [], []
    running = db.session.scalars(
        db.select(TranscodeJob).where(TranscodeJob.state == JobState.RUNNING.value)
    ).all()
    for job in running:
        if not is_stale(job, stale_after, now):
            continue
        if job.attempts >= max_attempts:
            fail(job.id, f"The worker stopped {job.attempts} times while transcoding; gave up.")
            failed.append(job.id)
        else:
            hand_back(job.id, "the worker stopped responding; retrying")
            requeued.append(job.id)
    queued = db.session.scalars(
        db.select(TranscodeJob).where(TranscodeJob.state == JobState.QUEUED.value)
    ).all()
    for job in queued:
        waiting_since = as_utc(job.updated_at or job.created_at)
        if job.id not in requeued and waiting_since <= now - redispatch_after:
            job.updated_at = now  # wait another period before sending it yet again
            redispatched.append(job.id)
    db.session.flush()
    return SweepReport(tuple(requeued), tuple(redispatched), tuple(failed))


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
