"""Background jobs: one lifecycle (``lifecycle``), its kinds (``registry``), the sweeper,
the worker side (``execution``) and the Celery tasks (``tasks``, loaded by ``worker``).

The names below keep the transcode job's functions where callers always found them
(``jobs.create_job``, ``jobs.dispatch``, ``jobs.claim`` …). Functions flush and the
caller commits.
"""

from webapp.jobs.lifecycle import Superseded, is_silent, is_stale, owns
from webapp.jobs.sweeper import SweepReport, sweep
from webapp.jobs.transcode import (
    TRANSCODE,
    TRANSCODE_TASK,
    claim,
    complete,
    create_job,
    dispatch,
    fail,
    hand_back,
    latest_job,
    queued_job_ids,
    report_progress,
    set_preview,
)

__all__ = [
    "TRANSCODE",
    "TRANSCODE_TASK",
    "Superseded",
    "SweepReport",
    "claim",
    "complete",
    "create_job",
    "dispatch",
    "fail",
    "hand_back",
    "is_silent",
    "is_stale",
    "latest_job",
    "owns",
    "queued_job_ids",
    "report_progress",
    "set_preview",
    "sweep",
]
