"""Celery tasks of the job worker; they receive job ids, never ORM objects.

Task names keep their ``transcoder.`` prefix: messages already on the queue and the beat
schedule name them so.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import Task, shared_task
from celery.signals import worker_ready
from flask import current_app

from webapp.extensions import db
from webapp.jobs import sweeper
from webapp.jobs.clip_export import CLIP_EXPORT
from webapp.jobs.execution import clean_dead_scratch, run_with_retries
from webapp.jobs.transcode import TRANSCODE
from webapp.transcoding.export_runner import run_export
from webapp.transcoding.runner import give_up, run_job

log = logging.getLogger(__name__)


@shared_task(bind=True, name=TRANSCODE.task, acks_late=True, max_retries=None)
def transcode(self: Task, job_id: int) -> str | None:
    """Transcode one job; transient failures retry with back-off up to JOB_MAX_ATTEMPTS."""
    return run_with_retries(self, TRANSCODE, run_job, int(job_id), give_up)


@shared_task(bind=True, name=CLIP_EXPORT.task, acks_late=True, max_retries=None)
def export_clip(self: Task, export_id: int) -> str | None:
    """Render one clip into its own MP4; transient failures retry with back-off."""
    return run_with_retries(self, CLIP_EXPORT, run_export, int(export_id))


@shared_task(name="transcoder.sweep")
def sweep() -> dict[str, dict[str, list[int]]]:
    """Periodic, for every job kind: hand back jobs of dead workers, re-send lost
    messages, fail hopeless jobs."""
    cfg = current_app.config
    report = sweeper.sweep(
        stale_after=timedelta(seconds=cfg["JOB_STALE_SECONDS"]),
        redispatch_after=timedelta(seconds=cfg["JOB_REDISPATCH_SECONDS"]),
        max_attempts=cfg["JOB_MAX_ATTEMPTS"],
    )
    db.session.commit()
    sweeper.send(report)
    done = report.as_dict()
    if any(s["requeued"] or s["failed"] for s in done.values()):
        log.warning("sweep: %s", done)
    return done


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
