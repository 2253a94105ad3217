"""Writes of the admin home: retrying a failed background job.

The retry goes through the one job lifecycle (``webapp.jobs.lifecycle.retry``): FAILED →
QUEUED and the kind's ``on_retry`` hook, flushed here; the caller commits and then puts
the job on the queue with :func:`send` (as ``flask jobs requeue`` does for QUEUED jobs;
if the broker is down, the sweeper sends it later).
"""

from __future__ import annotations

from flask_babel import gettext as _

from webapp.admin import queries
from webapp.extensions import db
from webapp.jobs import lifecycle
from webapp.jobs.registry import KINDS


class AdminError(Exception):
    """An admin action that cannot be done, with a message for people."""


class UnknownJob(AdminError):
    """No job of that kind with that id."""


def retry_job(kind_name: str, job_id: int) -> None:
    """Move failed job ``job_id`` of ``kind_name`` back to QUEUED (flush only)."""
    kind = KINDS.get(kind_name)
    if kind is None or db.session.get(kind.model, job_id) is None:
        raise UnknownJob("No such job.")
    if not queries.is_latest_job(kind_name, job_id):
        raise AdminError(_("A newer job has replaced this one; only the latest can be retried."))
    if not lifecycle.retry(kind, job_id):
        raise AdminError(_("Only a failed job can be retried; this one is not failed any more."))


def send(kind_name: str, job_id: int) -> bool:
    """After commit: put the retried job on the queue; False if the broker is down."""
    return lifecycle.dispatch(KINDS[kind_name], job_id)
