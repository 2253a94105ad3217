"""A background heartbeat: proves the worker is alive even when ffmpeg reports nothing."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app

from webapp.extensions import db
from webapp.jobs.lifecycle import JobKind, beat

log = logging.getLogger(__name__)


def _beat(
    app: Flask, kind: JobKind, job_id: int, attempt: int, interval: float, stop: threading.Event
) -> None:
    with app.app_context():
        while not stop.wait(interval):
            try:
                beat(kind, job_id, attempt)
                db.session.commit()
            except Exception:  # a missed beat is retried next interval; never kill the job
                db.session.rollback()
                log.warning("heartbeat of %s job %s failed", kind.name, job_id, exc_info=True)
        db.session.remove()


@contextmanager
def heartbeat(kind: JobKind, job_id: int, attempt: int, interval: float) -> Iterator[None]:
    """Touch the job's ``heartbeat_at`` every ``interval`` s while the block runs, and
    only while attempt ``attempt`` still owns the job."""
    stop = threading.Event()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    thread = threading.Thread(
        target=_beat,
        args=(app, kind, job_id, attempt, interval, stop),
        name=f"heartbeat-{kind.name}-{job_id}",
        daemon=True,
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval + 5)
