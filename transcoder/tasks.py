"""Celery tasks of the transcoder worker; they receive job ids, never ORM objects."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from celery.signals import worker_ready
from flask import current_app

from webapp import jobs
from webapp.clips import exports
from webapp.extensions import db
from webapp.models import ClipExport, TranscodeJob
from webapp.transcoding.export_runner import run_export
from webapp.transcoding.runner import Transient, clean_dead_scratch, give_up, run_job

log = logging.getLogger(__name__)

BACKOFF_SECONDS = 10
BACKOFF_CAP_SECONDS = 300


def backoff(retries: int) -> int:
    """Seconds to wait before retry number ``retries + 1``: 10, 20, 40 … capped at 5 min."""
    return min(BACKOFF_CAP_SECONDS, BACKOFF_SECONDS * 2**retries)


@shared_task(bind=True, name="transcoder.transcode", acks_late=True, max_retries=None)
def transcode(self, job_id: int) -> str | None:
    """Transcode one job; transient failures retry with back-off up to JOB_MAX_ATTEMPTS."""
    try:
        return run_job(int(job_id))
    except Transient as exc:
        job = db.session.get(TranscodeJob, int(job_id))
        limit = current_app.config["JOB_MAX_ATTEMPTS"]
        if job is None or job.attempts >= limit:
            give_up(int(job_id), f"Gave up after {limit} attempts; last error: {exc}")
            return "failed"
        raise self.retry(exc=exc, countdown=backoff(self.request.retries)) from exc


@shared_task(bind=True, name="transcoder.export_clip", acks_late=True, max_retries=None)
def export_clip(self, export_id: int) -> str | None:
    """Render one clip into its own MP4; transient failures retry with back-off."""
    try:
        return run_export(int(export_id))
    except Transient as exc:
        export = db.session.get(ClipExport, int(export_id))
        limit = current_app.config["JOB_MAX_ATTEMPTS"]
        if export is None or export.attempts >= limit:
            exports.fail(int(export_id), f"Gave up after {limit} attempts; last error: {exc}")
            db.session.commit()
            return "failed"
        raise self.retry(exc=exc, countdown=backoff(self.request.retries)) from exc


@shared_task(name="transcoder.sweep")
def sweep() -> dict[str, list[int]]:
    """Periodic: hand back jobs and exports of dead workers, re-send lost jobs, fail
    hopeless ones."""
    cfg = current_app.config
    report = jobs.sweep(
        stale_after=timedelta(seconds=cfg["JOB_STALE_SECONDS"]),
        redispatch_after=timedelta(seconds=cfg["JOB_REDISPATCH_SECONDS"]),
        max_attempts=cfg["JOB_MAX_ATTEMPTS"],
    )
    exports_requeued, exports_failed = exports.sweep(
        stale_after=timedelta(seconds=cfg["JOB_STALE_SECONDS"]),
        max_attempts=cfg["JOB_MAX_ATTEMPTS"],
    )
    db.session.commit()
    for job_id in (*report.requeued, *report.redispatched):
        jobs.dispatch(job_id)
    for export_id in exports_requeued:
        exports.dispatch(export_id)
    if report.requeued or report.failed:
        log.warning("sweep: requeued %s, failed %s", report.requeued, report.failed)
    return {
        "requeued": list(report.requeued),
        "redispatched": list(report.redispatched),
        "failed": list(report.failed),
        "exports_requeued": exports_requeued,
        "exports_failed": exports_failed,
    }


@worker_ready.connect
def _on_worker_ready(sender: object = None, **_kwargs: object) -> None:
    """Scratch of workers that were killed on this machine is removed at start-up."""
    app = getattr(sender, "app", None)
    flask_app = getattr(app, "flask_app", None) if app else None
    if flask_app is None:
        return
    with flask_app.app_context():
        removed = clean_dead_scratch()
    if removed:
        log.info("removed %d scratch directories of dead workers", removed)
