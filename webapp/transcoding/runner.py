"""Run one transcode job: claim → fetch source → pipeline → publish → READY | FAILED.

Called by the Celery task and, for demo content, directly by the seeder. Every path out
of ``run_job`` leaves the job READY or FAILED, or (transient errors) raises Transient
after handing the job back as QUEUED so the caller can retry it.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy.exc import OperationalError

from transcoder.errors import InvalidMedia, TranscodeError
from transcoder.limits import Limits
from transcoder.pipeline import TranscodeResult, transcode
from webapp import jobs
from webapp.extensions import db
from webapp.models import JobState, TranscodeJob, VideoState
from webapp.storage import ObjectNotFound, StorageError, get_storage
from webapp.transcoding.publish import discard, upload_outputs, version_prefix

log = logging.getLogger(__name__)


class Transient(Exception):
    """A failure worth retrying (storage or database hiccup, timeout)."""


def _limits() -> Limits:
    cfg = current_app.config
    return Limits(
        max_bytes=cfg["MAX_CONTENT_LENGTH"],
        max_duration=float(cfg["MAX_VIDEO_SECONDS"]),
        max_width=cfg["MAX_VIDEO_WIDTH"],
        max_height=cfg["MAX_VIDEO_HEIGHT"],
    )


def _progress_reporter(job_id: int):
    def report(percent: float) -> None:
        # The pipeline's 0–100 covers encoding; publishing takes the last 5 %.
        jobs.report_progress(job_id, percent * 0.95)
        db.session.commit()

    return report


def run_job(job_id: int) -> str | None:
    """Process the job; returns its final state, or None if there was nothing to do."""
    job = jobs.claim(job_id)
    if job is None:
        db.session.rollback()
        log.info("job %s is unknown or finished; nothing to do", job_id)
        return None
    video_id, attempt, source_key = job.video_id, job.attempts, job.video.source_key
    db.session.commit()
    prefix = version_prefix(video_id, job_id, attempt)
    try:
        with tempfile.TemporaryDirectory(dir=current_app.config["UPLOAD_TMP_DIR"]) as scratch:
            result, out_dir = _transcode(job_id, source_key, Path(scratch))
            upload_outputs(get_storage(), out_dir, list(result.files), prefix)
            replaced = _switch(job_id, prefix, result)
        discard(get_storage(), replaced)
        return JobState.READY.value
    except InvalidMedia as exc:
        _fail(job_id, f"The recording could not be used: {exc}")
        return JobState.FAILED.value
    except ObjectNotFound:
        _fail(job_id, "The uploaded source is missing from storage; upload it again.")
        return JobState.FAILED.value
    except (StorageError, OperationalError, TimeoutError) as exc:
        _hand_back(job_id, exc)
        raise Transient(str(exc)) from exc
    except TranscodeError as exc:
        _fail(job_id, f"Transcoding failed: {exc}")
        return JobState.FAILED.value
    except Exception as exc:  # never leave a job RUNNING: anything unexpected fails it
        log.exception("job %s failed unexpectedly", job_id)
        _fail(job_id, f"Internal error while transcoding ({type(exc).__name__}).")
        return JobState.FAILED.value


def _transcode(job_id: int, source_key: str | None, scratch: Path) -> tuple[TranscodeResult, Path]:
    if not source_key:
        raise InvalidMedia("the source file is missing")
    source = scratch / ("source" + Path(source_key).suffix)
    get_storage().download(source_key, source)
    out_dir = scratch / "out"
    out_dir.mkdir()
    result = transcode(
        source,
        out_dir,
        _limits(),
        on_progress=_progress_reporter(job_id),
        segment_seconds=current_app.config["HLS_SEGMENT_SECONDS"],
    )
    return result, out_dir


def _switch(job_id: int, prefix: str, result: TranscodeResult) -> str | None:
    try:
        replaced = jobs.complete(
            job_id,
            hls_prefix=prefix,
            poster_key=f"{prefix}/{result.poster}",
            duration=result.duration,
            width=result.width,
            height=result.height,
            renditions=[
                {
                    "name": r.name,
                    "width": r.width,
                    "height": r.height,
                    "bandwidth": r.bandwidth,
                    "playlist": r.playlist,
                }
                for r in result.renditions
            ],
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        discard(get_storage(), prefix)
        raise
    return replaced


def _fail(job_id: int, reason: str) -> None:
    db.session.rollback()
    jobs.fail(job_id, reason)
    db.session.commit()


def _hand_back(job_id: int, exc: Exception) -> None:
    """Put a job hit by a transient error back to QUEUED so a retry can claim it."""
    db.session.rollback()
    job = db.session.get(TranscodeJob, job_id)
    if job is not None and job.state == JobState.RUNNING:
        job.state = JobState.QUEUED.value
        job.error = f"retrying after: {exc}"[:500]
        job.video.transition(VideoState.UPLOADED)
        db.session.commit()


def give_up(job_id: int, reason: str) -> None:
    """Final failure after the last retry."""
    _fail(job_id, reason)
