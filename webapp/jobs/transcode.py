"""The transcode kind: what each lifecycle step does to the video, and its result.

A job turns a video's source into its HLS ladder. The video follows its job: PROCESSING
while an attempt runs, back to UPLOADED (or READY on its previous ladder) when handed
back, READY on the new ladder when done, FAILED (or still READY) on failure.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from webapp.extensions import db
from webapp.jobs import lifecycle
from webapp.jobs.lifecycle import JobKind
from webapp.models import JobState, Rendition, TranscodeJob, Video, VideoState
from webapp.models.base import utcnow

# The name queue messages carry: kept when the tasks moved out of ``transcoder/`` so
# that messages sent before an upgrade are still consumed.
TRANSCODE_TASK = "transcoder.transcode"


def _replacing(job: TranscodeJob) -> bool:
    """A new source for a READY video: it stays READY on its ladder the whole time."""
    return job.source_key is not None and job.video.state == VideoState.READY


def _on_claim(job: TranscodeJob) -> None:
    job.video.preview_prefix = None
    if not _replacing(job):
        job.video.transition(VideoState.PROCESSING)


def _on_hand_back(job: TranscodeJob) -> None:
    job.video.preview_prefix = None
    if _replacing(job):
        return
    if job.video.hls_prefix:
        job.video.transition(VideoState.READY)  # keep serving the previous ladder
    else:
        job.video.transition(VideoState.UPLOADED)


def _on_fail(job: TranscodeJob) -> str | None:
    # A video that already had a published ladder keeps it: a failed re-transcode must
    # not take a working lesson away from learners.
    video = job.video
    preview, video.preview_prefix = video.preview_prefix, None
    if _replacing(job):
        return preview
    if video.hls_prefix and video.state == VideoState.PROCESSING:
        video.transition(VideoState.READY)
    elif video.state != VideoState.FAILED:
        video.transition(VideoState.FAILED)
    return preview


def _on_retry(job: TranscodeJob) -> None:
    # A video still serving an earlier ladder stays READY until the new one is published.
    if job.video.state == VideoState.FAILED:
        job.video.transition(VideoState.UPLOADED)


TRANSCODE = JobKind(
    name="transcode",
    model=TranscodeJob,
    task=TRANSCODE_TASK,
    doing="transcoding",
    on_claim=_on_claim,
    on_hand_back=_on_hand_back,
    on_fail=_on_fail,
    on_retry=_on_retry,
)


def create_job(
    video: Video,
    *,
    source_key: str | None = None,
    source_size: int | None = None,
    source_filename: str | None = None,
) -> TranscodeJob:
    """A QUEUED job for ``video`` (UPLOADED; or READY, with a replacement ``source_key``)."""
    job = TranscodeJob(
        video_id=video.id,
        state=JobState.QUEUED,
        progress=0.0,
        attempts=0,
        source_key=source_key,
        source_size=source_size,
        source_filename=source_filename,
    )
    db.session.add(job)
    db.session.flush()
    return job


def dispatch(job_id: int) -> bool:
    """Put the job id on the queue after commit; False if the broker is unreachable."""
    return lifecycle.dispatch(TRANSCODE, job_id)


def claim(job_id: int, stale_after: timedelta) -> TranscodeJob | None:
    """Start a new attempt (see ``lifecycle.claim``); the video becomes PROCESSING."""
    return lifecycle.claim(TRANSCODE, job_id, stale_after)


def report_progress(job_id: int, percent: float, attempt: int | None = None) -> None:
    """Record progress (0–100) of a running job; doubles as the worker's heartbeat."""
    lifecycle.beat(TRANSCODE, job_id, attempt, percent)


def set_preview(job_id: int, prefix: str, attempt: int | None = None) -> None:
    """Make the early single-variant stream watchable while the ladder is encoded."""
    if lifecycle.beat(TRANSCODE, job_id, attempt):
        db.session.get_one(TranscodeJob, job_id).video.preview_prefix = prefix
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
    """Switch the video to the freshly published ladder; returns prefixes (and a replaced
    source's key) now unused.

    Everything the player reads changes in this one flush, so a reader sees either the
    old complete ladder or the new complete ladder, never a mixture. Raises Superseded
    (changing nothing) when ``attempt`` no longer owns the job.
    """
    job = lifecycle.finish(TRANSCODE, job_id, attempt)
    video = job.video
    unused = [p for p in (video.hls_prefix, video.preview_prefix) if p and p != hls_prefix]
    if job.source_key is not None and job.source_key != video.source_key:
        if video.source_key:
            unused.append(video.source_key)
        video.source_key = job.source_key
        video.source_size = job.source_size
        video.source_filename = job.source_filename or video.source_filename
        video.source_sha256 = None  # it named the old file
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
    if video.state != VideoState.READY:  # a replacement kept it READY throughout
        video.transition(VideoState.READY)
    db.session.flush()
    return unused


def fail(job_id: int, reason: str, attempt: int | None = None) -> str | None:
    """Mark the job and its video FAILED with a readable reason; returns a dropped
    preview. Does nothing when ``attempt`` no longer owns the job."""
    return lifecycle.fail(TRANSCODE, job_id, reason, attempt)[1]


def hand_back(job_id: int, reason: str, attempt: int | None = None) -> None:
    """Return a RUNNING job to QUEUED (transient failure or dead worker) for a retry."""
    lifecycle.hand_back(TRANSCODE, job_id, reason, attempt)


def latest_job(video_id: int) -> TranscodeJob | None:
    """The most recent job of a video."""
    return lifecycle.latest(TranscodeJob, TranscodeJob.video_id == video_id)


def queued_job_ids() -> list[int]:
    """Ids of every transcode job still waiting to be picked up."""
    return lifecycle.queued_ids(TRANSCODE)
