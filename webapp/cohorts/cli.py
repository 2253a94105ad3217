"""``flask cohorts add|member|class add|exam add|recording`` for admins."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup
from sqlalchemy import select

from webapp.cohorts import services
from webapp.cohorts.services import CohortError
from webapp.cohorts.timezones import parse_local
from webapp.extensions import db
from webapp.models import Cohort, CohortRole, LiveClass, User, Video
from webapp.textfmt import with_article

cohorts = AppGroup("cohorts", help="Manage cohorts, live classes, exams and recordings.")
classes = AppGroup("class", help="Live classes and masterclasses.")
exams = AppGroup("exam", help="Exams.")
cohorts.add_command(classes)
cohorts.add_command(exams)


def _cohort(cohort_id: int) -> Cohort:
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise click.ClickException(f"no cohort with id {cohort_id}")
    return cohort


def _get(model: type, row_id: int, what: str):
    row = db.session.get(model, row_id)
    if row is None:
        raise click.ClickException(f"no {what} with id {row_id}")
    return row


def _when(text: str, zone: str) -> datetime:
    try:
        return parse_local(text, zone)
    except ValueError as exc:
        raise click.ClickException(f"bad time {text!r}: {exc}") from exc


def _refuse(exc: CohortError) -> click.ClickException:
    db.session.rollback()
    return click.ClickException(str(exc))


@cohorts.command("add")
@click.argument("program_slug")
@click.argument("name")
@click.option("--starts", required=True, type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD.")
@click.option("--tz", "zone", default="UTC", show_default=True, help="IANA zone name.")
def add_cohort(program_slug: str, name: str, starts: datetime, zone: str) -> None:
    """Create a cohort (a run of a program); prints its id."""
    try:
        cohort = services.create_cohort(program_slug, name, starts.date(), zone)
        db.session.commit()
    except CohortError as exc:
        raise _refuse(exc) from exc
    click.echo(f"created cohort {cohort.id} {cohort.name!r} ({cohort.time_zone})")


@cohorts.command("member")
@click.argument("cohort_id", type=int)
@click.argument("email")
@click.option(
    "--role", type=click.Choice([r.value for r in CohortRole]), default=CohortRole.LEARNER.value
)
def add_member(cohort_id: int, email: str, role: str) -> None:
    """Add a user to a cohort as learner or instructor (or change their role)."""
    cohort = _cohort(cohort_id)
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no account for {email}")
    try:
        services.add_member(cohort, user, role)
        db.session.commit()
    except CohortError as exc:
        raise _refuse(exc) from exc
    click.echo(f"{user.email} is {with_article(role)} of cohort {cohort.id}")


def _class_target(args: tuple[str, ...], masterclass: bool) -> tuple[Cohort | None, str]:
    """``COHORT_ID TITLE``, or ``TITLE`` with ``--masterclass``."""
    if masterclass and len(args) == 1:
        return None, args[0]
    if not masterclass and len(args) == 2 and args[0].isdigit():
        return _cohort(int(args[0])), args[1]
    raise click.UsageError("use `class add COHORT_ID TITLE` or `class add --masterclass TITLE`")


@classes.command("add")
@click.argument("args", nargs=-1, required=True, metavar="COHORT_ID|--masterclass TITLE")
@click.option("--masterclass", is_flag=True, help="A public masterclass (no cohort).")
@click.option("--at", "at", required=True, help='"YYYY-MM-DD HH:MM" in the cohort\'s zone.')
@click.option("--tz", "zone", default=None, help="Zone of --at (default: cohort's, else UTC).")
@click.option("--minutes", default=60, show_default=True, type=int)
@click.option("--join", "join_url", default="", help="Video-call link.")
def add_class(
    args: tuple[str, ...],
    masterclass: bool,
    at: str,
    zone: str | None,
    minutes: int,
    join_url: str,
) -> None:
    """Schedule a class: ``class add COHORT_ID TITLE`` or ``class add --masterclass TITLE``."""
    cohort, title = _class_target(args, masterclass)
    starts_at = _when(at, zone or (cohort.time_zone if cohort else "UTC"))
    try:
        live_class = services.add_class(cohort, title, starts_at, minutes, join_url)
        db.session.commit()
    except CohortError as exc:
        raise _refuse(exc) from exc
    kind = "masterclass" if cohort is None else f"class of cohort {cohort.id}"
    click.echo(f"created {kind} {live_class.id} at {starts_at:%Y-%m-%d %H:%M} UTC")


@exams.command("add")
@click.argument("cohort_id", type=int)
@click.argument("title")
@click.option("--at", "at", required=True, help='"YYYY-MM-DD HH:MM" in the cohort\'s zone.')
@click.option("--module", "module_ids", type=int, multiple=True, help="Module id (repeat).")
def add_exam(cohort_id: int, title: str, at: str, module_ids: tuple[int, ...]) -> None:
    """Schedule an exam covering the given modules."""
    cohort = _cohort(cohort_id)
    try:
        exam = services.add_exam(cohort, title, _when(at, cohort.time_zone), module_ids)
        db.session.commit()
    except CohortError as exc:
        raise _refuse(exc) from exc
    click.echo(f"created exam {exam.id} with {len(set(module_ids))} module(s)")


@cohorts.command("recording")
@click.argument("class_id", type=int)
@click.argument("video_id", type=int)
def attach_recording(class_id: int, video_id: int) -> None:
    """Attach a READY video as a class's recording (cohort recordings become private)."""
    live_class = _get(LiveClass, class_id, "class")
    video = _get(Video, video_id, "video")
    try:
        services.attach_recording(live_class, video)
        db.session.commit()
    except CohortError as exc:
        raise _refuse(exc) from exc
    click.echo(f"video {video.id} is the recording of class {live_class.id}")
