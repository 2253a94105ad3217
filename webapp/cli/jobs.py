"""``flask jobs requeue``: send every QUEUED job to the queue again."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from webapp import jobs as job_service

jobs = AppGroup("jobs", help="Inspect and re-send transcode jobs.")


@jobs.command("requeue")
def requeue() -> None:
    """Re-send QUEUED jobs (after a broker outage); claiming is idempotent."""
    ids = job_service.queued_job_ids()
    sent = [job_id for job_id in ids if job_service.dispatch(job_id)]
    click.echo(f"re-sent {len(sent)} of {len(ids)} queued jobs")
    if len(sent) != len(ids):
        raise click.ClickException("the queue is unreachable")
