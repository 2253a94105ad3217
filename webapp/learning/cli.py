"""``flask learning course add|program add|enrol`` for admins."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click
from flask.cli import AppGroup

from webapp.extensions import db
from webapp.learning import services
from webapp.learning.formatting import format_fee
from webapp.models import Level

learning = AppGroup("learning", help="Courses, programs and enrolments.")
course_group = AppGroup("course", help="Manage courses.")
program_group = AppGroup("program", help="Manage programs (learning paths).")
learning.add_command(course_group)
learning.add_command(program_group)

T = TypeVar("T")

LEVELS = click.Choice([lv.value for lv in Level])


def _commit_or_fail(write: Callable[[], T]) -> T:
    """Run a service write and commit it; a LearningError becomes a clean CLI error."""
    try:
        result = write()
        db.session.commit()
    except services.LearningError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    return result


@course_group.command("add")
@click.argument("slug")
@click.option("--title", required=True, help="Course title.")
@click.option(
    "--module", "modules", type=int, multiple=True, required=True, help="Module id, in order."
)
@click.option("--requires", multiple=True, help="Slug of a course to complete first.")
@click.option("--description", default="", help="Course description.")
@click.option("--level", type=LEVELS, default=Level.FOUNDATION.value)
def course_add(
    slug: str,
    title: str,
    modules: tuple[int, ...],
    requires: tuple[str, ...],
    description: str,
    level: str,
) -> None:
    """Create a course of modules (in the order given)."""
    course = _commit_or_fail(
        lambda: services.create_course(slug, title, modules, requires, description, level)
    )
    locked = f", requires {', '.join(requires)}" if requires else ""
    click.echo(f"created course {course.slug} ({len(modules)} modules{locked})")


@program_group.command("add")
@click.argument("slug")
@click.option("--title", required=True, help="Program title.")
@click.option("--course", "courses", multiple=True, required=True, help="Course slug, in order.")
@click.option("--weeks", type=click.IntRange(0, services.MAX_WEEKS), default=0)
@click.option("--fee", default="0", help="Fee such as 499.00.")
@click.option("--currency", default="EUR", help="Three-letter currency code.")
@click.option("--certificate", default="", help="The certificate the program leads to.")
@click.option("--company", is_flag=True, help="Enrolled by admins only (no self-enrolment).")
@click.option("--description", default="", help="Program description.")
@click.option("--level", type=LEVELS, default=Level.FOUNDATION.value)
def program_add(
    slug: str,
    title: str,
    courses: tuple[str, ...],
    weeks: int,
    fee: str,
    currency: str,
    certificate: str,
    company: bool,
    description: str,
    level: str,
) -> None:
    """Create a program of courses (in the order given)."""
    program = _commit_or_fail(
        lambda: services.create_program(
            slug,
            title,
            courses,
            weeks=weeks,
            fee=fee,
            currency=currency,
            certificate=certificate,
            company=company,
            description=description,
            level=level,
        )
    )
    kind = "company" if company else "open"
    price = format_fee(program.fee_cents, program.currency)
    click.echo(f"created {kind} program {program.slug} ({len(courses)} courses, {price})")


@learning.command("enrol")
@click.argument("email")
@click.argument("program_slug")
def enrol_command(email: str, program_slug: str) -> None:
    """Enrol a learner in a program (company or open; idempotent)."""

    def write() -> tuple[object, bool]:
        user = services.user_by_email(email)
        if user is None:
            raise services.LearningError(f"no account with e-mail {email}")
        program = services.program_by_slug(program_slug)
        if program is None:
            raise services.LearningError(f"no program with slug {program_slug}")
        return services.enrol(user, program, admin=True)

    _, created = _commit_or_fail(write)
    verb = "enrolled" if created else "already enrolled:"
    click.echo(f"{verb} {email} in {program_slug}")
