"""Celery tasks of the transcoder worker; they receive job ids, never ORM objects."""

from __future__ import annotations

from celery import shared_task

from webapp.transcoding.runner import Transient, give_up, run_job

MAX_RETRIES = 3


@shared_task(bind=True, name="transcoder.transcode", acks_late=True, max_retries=MAX_RETRIES)
def transcode(self, job_id: int) -> str | None:
    """Transcode one job; transient failures retry with exponential back-off."""
    try:
        return run_job(int(job_id))
    except Transient as exc:
        if self.request.retries >= self.max_retries:
            give_up(job_id, f"Gave up after {self.max_retries + 1} attempts: {exc}")
            return "failed"
        raise self.retry(exc=exc, countdown=min(300, 10 * 2**self.request.retries)) from exc
