"""Clip-export job lifecycle: dispatch, claim, progress, complete, fail (flush only)."""

from __future__ import annotations

import logging
from datetime import timedelta

from webapp.celery_app import get_celery
from webapp.extensions import db
from webapp.jobs import is_silent
from webapp.models import ClipExport, JobState
from webapp.models.base import utcnow

log = logging.getLogger(__name__)

EXPORT_TASK = "transcoder.export_clip"


def dispatch(export_id: int) -> bool:
    """Queue the export id (after commit); False if the broker is unreachable."""
    try:
        get_celery().send_task(EXPORT_TASK, args=[export_id], retry=False)
    except Exception:  # the row stays QUEUED; the sweeper sends it again
        log.exception("could not enqueue clip export %s", export_id)
        return False
    return True


def claim(export_id: int, stale_after: timedelta) -> ClipExport | None:
    """Start an attempt; None when unknown, finished, or running with a fresh heartbeat."""
    export = db.session.get(ClipExport, export_id)
    if export is None or export.is_finished:
        return None
    if export.state == JobState.RUNNING and not is_silent(export.heartbeat_at, stale_after):
        return None
    export.state = JobState.RUNNING.value
    export.attempts += 1
    export.progress = 0.0
    export.error = None
    export.heartbeat_at = utcnow()
    db.session.flush()
    return export


def report_progress(export_id: int, percent: float) -> None:
    """Progress 0–100, doubling as the heartbeat."""
    export = db.session.get(ClipExport, export_id)
    if export is not None and export.state == JobState.RUNNING:
        export.progress = round(max(0.0, min(100.0, percent)), 1)
        export.heartbeat_at = utcnow()
        db.session.flush()


def complete(export_id: int, key: str, size: int) -> str | None:
    """READY with its file; returns the key of a previous export file to delete."""
    export = db.session.get(ClipExport, export_id)
    previous = export.output_key if export.output_key != key else None
    export.output_key, export.size_bytes = key, size
    export.state = JobState.READY.value
    export.progress = 100.0
    export.finished_at = utcnow()
    db.session.flush()
    return previous


def fail(export_id: int, reason: str) -> None:
    """FAILED with a readable reason."""
    export = db.session.get(ClipExport, export_id)
    if export is not None:
        export.state = JobState.FAILED.value
        export.error = reason[:2000]
        export.finished_at = utcnow()
        db.session.flush()


def hand_back(export_id: int, reason: str) -> None:
    """Back to QUEUED after a transient failure or a dead worker."""
    export = db.session.get(ClipExport, export_id)
    if export is not None and export.state == JobState.RUNNING:
        export.state = JobState.QUEUED.value
        export.error = reason[:500]
        db.session.flush()


def sweep(stale_after: timedelta, max_attempts: int) -> tuple[list[int], list[int]]:
    """Exports whose worker went silent: requeue (returned first) or fail (second)."""
    now = utcnow()
    requeued, failed = [], []
    running = db.session.scalars(
        db.select(ClipExport).where(ClipExport.state == JobState.RUNNING.value)
    ).all()
    for export in running:
        if not is_silent(export.heartbeat_at, stale_after, now):
            continue
        if export.attempts >= max_attempts:
            fail(export.id, "The worker stopped while exporting too many times; gave up.")
            failed.append(export.id)
        else:
            hand_back(export.id, "the worker stopped responding; retrying")
            requeued.append(export.id)
    return requeued, failed


def latest_export(clip_id: int) -> ClipExport | None:
    """The most recent export of a clip."""
    return db.session.scalars(
        db.select(ClipExport).where(ClipExport.clip_id == clip_id).order_by(ClipExport.id.desc())
    ).first()
