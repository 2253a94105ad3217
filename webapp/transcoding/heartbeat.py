"""A background heartbeat: proves the worker is alive even when ffmpeg reports nothing."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app
from sqlalchemy import update

from webapp.extensions import db
from webapp.models import JobState, TranscodeJob
from webapp.models.base import utcnow

log = logging.getLogger(__name__)


def _beat(
    app: Flask,
    job_id: int,
    interval: float,
    stop: threading.Event,
    model: type,
    attempt: int | None,
) -> None:
    mine = [model.id == job_id, model.state == JobState.RUNNING.value]
    if attempt is not None:  # a replaced attempt must not keep its successor "alive"
        mine.append(model.attempts == attempt)
    with app.app_context():
        while not stop.wait(interval):
            try:
                db.session.execute(update(model).where(*mine).values(heartbeat_at=utcnow()))
                db.session.commit()
            except Exception:  # a missed beat is retried next interval; never kill the job
                db.session.rollback()
                log.warning("heartbeat of job %s failed", job_id, exc_info=True)
        db.session.remove()


@contextmanager
def heartbeat(
    job_id: int, interval: float, model: type = TranscodeJob, attempt: int | None = None
) -> Iterator[None]:
    """Touch the job's ``heartbeat_at`` every ``interval`` s while the block runs.

    ``model`` is the job table (transcode jobs, clip exports); with ``attempt``, only
    while that attempt still owns the job.
    """
    stop = threading.Event()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    thread = threading.Thread(
        target=_beat,
        args=(app, job_id, interval, stop, model, attempt),
        name=f"heartbeat-{job_id}",
        daemon=True,
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval + 5)
