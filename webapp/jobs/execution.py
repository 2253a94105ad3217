"""The worker side of every job kind: scratch space, retries with back-off, and the
committed steps a run function takes when it stops early (fail, hand back, requeue).

A kind's run function (``webapp.transcoding.runner.run_job``,
``webapp.transcoding.export_runner.run_export``) claims its job, works in a scratch
directory under a heartbeat, and leaves the job READY or FAILED, or hands it back as
QUEUED and raises :class:`Transient` so that :func:`run_with_retries` retries it with
back-off, or (the worker is shutting down) hands it back and queues it again at once.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from celery import Task
from flask import current_app

from webapp.extensions import db
from webapp.jobs import lifecycle
from webapp.jobs.lifecycle import JobKind
from webapp.models.job import JobState

log = logging.getLogger(__name__)

BACKOFF_SECONDS = 10
BACKOFF_CAP_SECONDS = 300


class Transient(Exception):
    """A failure worth retrying (storage or database hiccup, timeout)."""


def backoff(retries: int) -> int:
    """Seconds to wait before retry number ``retries + 1``: 10, 20, 40 … capped at 5 min."""
    return min(BACKOFF_CAP_SECONDS, BACKOFF_SECONDS * 2**retries)


def stale_after() -> timedelta:
    """How long a RUNNING job may go without a heartbeat before it counts as dead."""
    return timedelta(seconds=current_app.config["JOB_STALE_SECONDS"])


def beat_interval() -> float:
    """Seconds between background heartbeats: several per stale period."""
    return stale_after().total_seconds() / 5


def run_with_retries(
    task: Task,
    kind: JobKind,
    run: Callable[[int], str | None],
    job_id: int,
    give_up: Callable[[int, str], None] | None = None,
) -> str | None:
    """``run(job_id)``; a Transient failure is retried with back-off until the job has
    used ``JOB_MAX_ATTEMPTS`` attempts, then it fails (``give_up`` does that for kinds
    with more to clean up)."""
    try:
        return run(job_id)
    except Transient as exc:
        job = db.session.get(kind.model, job_id)
        limit = current_app.config["JOB_MAX_ATTEMPTS"]
        if job is None or job.attempts >= limit:
            reason = f"Tried {limit} times without success. The last problem: {exc}"
            (give_up or (lambda i, r: fail_now(kind, i, r)))(job_id, reason)
            return JobState.FAILED
        raise task.retry(exc=exc, countdown=backoff(task.request.retries)) from exc


def fail_now(kind: JobKind, job_id: int, reason: str, attempt: int | None = None) -> JobState:
    """Roll back the attempt's open work, fail the job and commit."""
    db.session.rollback()
    lifecycle.fail(kind, job_id, reason, attempt)
    db.session.commit()
    return JobState.FAILED


def hand_back_now(kind: JobKind, job_id: int, reason: str, attempt: int) -> None:
    """Roll back, hand the job back to QUEUED for a retry, and commit."""
    db.session.rollback()
    lifecycle.hand_back(kind, job_id, reason, attempt)
    db.session.commit()


def requeue_now(kind: JobKind, job_id: int, attempt: int) -> JobState:
    """The worker is shutting down: hand the job back and queue it again right away
    (if the broker is down too, the sweeper sends it later)."""
    log.warning(
        "%s job %s interrupted by the worker's shutdown; handing it back", kind.name, job_id
    )
    reason = f"The worker was stopped; the {kind.noun} will run again."
    hand_back_now(kind, job_id, reason, attempt)
    lifecycle.dispatch(kind, job_id)
    return JobState.QUEUED


# --------------------------------------------------------------------------- scratch


def scratch_root() -> Path:
    """Where this machine's workers keep per-attempt scratch directories."""
    return Path(current_app.config["SCRATCH_DIR"])


@contextmanager
def scratch_dir(job_id: int, attempt: int) -> Iterator[Path]:
    """A per-attempt directory named after this process, always removed afterwards."""
    root = scratch_root()
    root.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-j{job_id}a{attempt}-", dir=root))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def clean_dead_scratch() -> int:
    """Remove scratch left by killed workers of this machine (their pid is gone)."""
    root = scratch_root()
    if not root.is_dir():
        return 0
    removed = 0
    for entry in root.iterdir():
        pid = entry.name.split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
