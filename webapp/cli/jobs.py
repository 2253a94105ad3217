"""``flask jobs requeue``: send every QUEUED job, of every kind, to the queue again."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from webapp.jobs import lifecycle
from webapp.jobs.registry import KINDS

jobs = AppGroup("jobs", help="Inspect and re-send background jobs.")


@jobs.command("requeue")
def requeue() -> None:
    """Re-send QUEUED jobs (after a broker outage); claiming is idempotent."""
    total = sent = 0
    for kind in KINDS.values():
        ids = lifecycle.queued_ids(kind)
        total += len(ids)
        sent += sum(1 for job_id in ids if lifecycle.dispatch(kind, job_id))
    click.echo(f"re-sent {sent} of {total} queued jobs")
    if sent != total:
        raise click.ClickException("the queue is unreachable")
