"""Run one transcode job: claim → fetch source → pipeline (+ preview) → publish → READY.

Called by the Celery task and, for demo content, directly by the seeder. Every path out
of ``run_job`` leaves the job READY or FAILED, or (transient errors) hands it back as
QUEUED and raises Transient so the caller can retry it with back-off, or (the worker is
shutting down) hands it back as QUEUED and puts it on the queue again at once.

A short storage outage does not cost the work done: the source download and the
publish are retried in place (``retry.py``), and the early preview, a nicety, just
catches up later.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict
from pathlib import Path

from flask import current_app
from sqlalchemy.exc import OperationalError

from transcoder.errors import InvalidMedia, TranscodeError, TranscodeTimeout
from transcoder.pipeline import TranscodeResult, transcode
from transcoder.run import Interrupted, check_stop, stop_requested
from webapp import jobs
from webapp.catalogue.services import sync_video
from webapp.clips.services import replace_suggestions
from webapp.extensions import db
from webapp.jobs.execution import (
    Transient,
    beat_interval,
    fail_now,
    hand_back_now,
    requeue_now,
    scratch_dir,
    stale_after,
)
from webapp.jobs.heartbeat import heartbeat
from webapp.jobs.transcode import TRANSCODE
from webapp.media_limits import cpu_budget, media_limits
from webapp.models import JobState, TranscodeJob
from webapp.observability.metrics import observe_transcode
from webapp.storage import ObjectNotFound, StorageError, get_storage
from webapp.transcoding.gc import collect_video
from webapp.transcoding.preview import PreviewPublisher, preview_prefix
from webapp.transcoding.publish import discard, upload_outputs, version_prefix
from webapp.transcoding.reasons import user_reason
from webapp.transcoding.retry import with_storage_retries
from webapp.uploads.details import apply_pending

log = logging.getLogger(__name__)

TRANSIENT = (StorageError, OperationalError, TimeoutError, TranscodeTimeout)


def run_job(job_id: int) -> str | None:
    """Process the job; returns its final state, or None if there was nothing (more) to do.

    None means the job was unknown, finished, running elsewhere, or, when this attempt
    came to publish, taken over by a later one (a replaced attempt's failure changes
    nothing either, but is still reported as its own outcome).
    """
    if stop_requested():  # delivered while this worker shuts down: leave it to the next
        jobs.dispatch(job_id)
        return None
    job = jobs.claim(job_id, stale_after())
    if job is None:
        db.session.rollback()
        log.info("job %s is unknown, finished or running elsewhere; nothing to do", job_id)
        return None
    video_id, attempt = job.video_id, job.attempts
    source_key = job.source_key or job.video.source_key
    db.session.commit()
    started = time.monotonic()
    try:
        with (
            heartbeat(TRANSCODE, job_id, attempt, beat_interval()),
            scratch_dir(job_id, attempt) as scratch,
        ):
            out_dir = scratch / "out"
            preview = PreviewPublisher(
                get_storage(), out_dir, preview_prefix(video_id, job_id, attempt)
            )
            result = _transcode(job_id, attempt, source_key, scratch, out_dir, preview)
            prefix = version_prefix(video_id, job_id, attempt)
            with_storage_retries(
                lambda: upload_outputs(get_storage(), out_dir, list(result.files), prefix),
                f"publishing job {job_id}",
            )
            unused = _switch(job_id, prefix, result, attempt)
        observe_transcode(time.monotonic() - started, result.duration)
        _drop_sources(unused)
        state: str | None = JobState.READY
    except jobs.Superseded:  # its ladder was discarded; the later attempt carries on
        db.session.rollback()
        log.warning("job %s attempt %s was replaced by a later attempt", job_id, attempt)
        state = None
    except Interrupted:
        state = requeue_now(TRANSCODE, job_id, attempt)
    except (InvalidMedia, ObjectNotFound) as exc:
        log.info("job %s refused: %s", job_id, exc)
        state = _fail(job_id, user_reason(exc), attempt)
    except TRANSIENT as exc:
        log.warning("job %s attempt %s will be retried: %s", job_id, attempt, exc)
        hand_back_now(TRANSCODE, job_id, f"retrying after: {user_reason(exc)}", attempt)
        raise Transient(user_reason(exc)) from exc
    except TranscodeError as exc:
        log.warning("job %s failed: %s", job_id, exc)  # exit code and stderr: for the log
        state = _fail(job_id, exc.reason, attempt)
    except Exception as exc:  # never leave a job RUNNING: anything unexpected fails it
        log.exception("job %s failed unexpectedly", job_id)
        state = _fail(job_id, user_reason(exc), attempt)
    if state == JobState.FAILED:
        _drop_failed_replacement(job_id)
    collect_video(video_id)
    return state


def _transcode(
    job_id: int,
    attempt: int,
    source_key: str | None,
    scratch: Path,
    out_dir: Path,
    preview: PreviewPublisher,
) -> TranscodeResult:
    if not source_key:
        raise InvalidMedia("the source file is missing")
    source = scratch / ("source" + Path(source_key).suffix)
    with_storage_retries(
        lambda: get_storage().download(source_key, source), f"downloading job {job_id}'s source"
    )
    check_stop()

    def on_progress(percent: float) -> None:
        # The pipeline's 0–100 covers encoding; publishing takes the last 5 %.
        jobs.report_progress(job_id, percent * 0.95, attempt)
        if _sync_preview(preview):
            jobs.set_preview(job_id, preview.prefix, attempt)
        db.session.commit()

    return transcode(
        source,
        out_dir,
        media_limits(),
        on_progress=on_progress,
        segment_seconds=current_app.config["HLS_SEGMENT_SECONDS"],
        cpu_budget=cpu_budget(),
    )


def _sync_preview(preview: PreviewPublisher) -> bool:
    """Publish the preview's new segments; a storage hiccup only delays the preview."""
    try:
        return preview.sync()
    except StorageError as exc:
        log.warning("preview %s not updated now: %s", preview.prefix, exc)
        return False


def record_result(
    job_id: int, prefix: str, result: TranscodeResult, attempt: int | None = None
) -> list[str]:
    """Point the video at the uploaded ladder and store its suggestions (flush only).

    Raises ``jobs.Superseded`` when ``attempt`` no longer owns the job.
    """
    unused = jobs.complete(
        job_id,
        hls_prefix=prefix,
        poster_key=f"{prefix}/{result.poster}",
        storyboard_path=result.storyboard,
        duration=result.duration,
        width=result.width,
        height=result.height,
        renditions=[asdict(r) for r in result.renditions],
        attempt=attempt,
    )
    replace_suggestions(video_id_of(job_id), result.suggestions)
    sync_video(video_id_of(job_id))
    apply_pending(video_id_of(job_id))
    return unused


def _switch(job_id: int, prefix: str, result: TranscodeResult, attempt: int) -> list[str]:
    try:
        unused = record_result(job_id, prefix, result, attempt)
        db.session.commit()
    except Exception:
        db.session.rollback()
        discard(get_storage(), prefix)
        raise
    return unused


def _drop_sources(unused: list[str]) -> None:
    """Delete a replaced source (ladders under ``videos/`` are left to ``collect_video``)."""
    for key in unused:
        if key.startswith("videos/"):
            continue
        try:
            get_storage().delete(key)
        except StorageError:
            log.warning("could not delete the replaced source %s", key, exc_info=True)


def video_id_of(job_id: int) -> int:
    """The video a job belongs to."""
    return db.session.get_one(TranscodeJob, job_id).video_id


def _fail(job_id: int, reason: str, attempt: int | None = None) -> str:
    return fail_now(TRANSCODE, job_id, reason, attempt)


def give_up(job_id: int, reason: str) -> None:
    """Final failure after the last retry."""
    _fail(job_id, reason)
    _drop_failed_replacement(job_id)
    job = db.session.get(TranscodeJob, job_id)
    if job is not None:
        collect_video(job.video_id)


def _drop_failed_replacement(job_id: int) -> None:
    """A FAILED job's replacement source is not the video's: nothing will read it again."""
    job = db.session.get(TranscodeJob, job_id)
    if job is None or job.state != JobState.FAILED or job.source_key is None:
        return
    if job.source_key != job.video.source_key:
        _drop_sources([job.source_key])
