"""``flask videos import PATH --title TITLE [--wait]``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from webapp import jobs
from webapp.extensions import db
from webapp.models import JobState, Role, TranscodeJob, User
from webapp.uploads.services import UploadRejected, ingest

videos = AppGroup("videos", help="Manage videos.")


def _default_owner() -> User:
    owner = db.session.scalar(
        select(User).where(User.role.in_([Role.ADMIN, Role.INSTRUCTOR])).order_by(User.id)
    )
    if owner is None:
        raise click.ClickException("no instructor or admin exists: create one with `users create`")
    return owner


@videos.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--title", required=True)
@click.option("--owner", "owner_email", default=None, help="Instructor e-mail (default: first).")
@click.option("--wait", is_flag=True, help="Wait until READY (exit 0) or FAILED (exit 1).")
@click.option("--timeout", default=3600, show_default=True, help="Seconds to wait at most.")
def import_video(path: Path, title: str, owner_email: str | None, wait: bool, timeout: int) -> None:
    """Import a local recording; prints the new video id alone on the first line."""
    owner = _default_owner()
    if owner_email:
        named = db.session.scalar(select(User).where(User.email == owner_email.lower()))
        if named is None or not named.can_upload:
            raise click.ClickException(f"{owner_email} is not an instructor or admin")
        owner = named
    try:
        video, job = ingest(path, title=title, owner=owner, filename=path.name)
        db.session.commit()
    except UploadRejected as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(video.id)
    if not jobs.dispatch(job.id):
        click.echo("warning: the queue is unreachable; the job stays queued", err=True)
    if wait:
        sys.exit(_wait(job.id, timeout))


def _wait(job_id: int, timeout: int) -> int:
    deadline = time.monotonic() + timeout
    shown = 0
    with click.progressbar(length=100, label="transcoding", file=sys.stderr) as bar:
        while time.monotonic() < deadline:
            db.session.expire_all()
            job = db.session.get_one(TranscodeJob, job_id)
            bar.update(int(job.progress) - shown)
            shown = int(job.progress)
            if job.state == JobState.READY:
                bar.update(100 - shown)
                return 0
            if job.state == JobState.FAILED:
                click.echo(f"\nFAILED: {job.error}", err=True)
                return 1
            db.session.rollback()
            time.sleep(1)
    click.echo(f"\ntimed out after {timeout}s (job {job_id} still {job.state})", err=True)
    return 2
