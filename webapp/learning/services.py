"""Writes for courses, programs and enrolments (they flush; the caller commits)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import (
    Course,
    CourseModule,
    CoursePrerequisite,
    Enrollment,
    Level,
    Module,
    Program,
    ProgramCourse,
    User,
)

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_SLUG = 120
MAX_TITLE = 200
MAX_CERTIFICATE = 200
MAX_WEEKS = 520
MAX_FEE_CENTS = 10_000_000_00  # ten million in any currency is surely a typo


class LearningError(ValueError):
    """Bad input for a course, program or enrolment; the message says what is wrong."""


class EnrolmentNotAllowed(LearningError):
    """The program is enrolled by a company (admins), not by the learner."""


# --------------------------------------------------------------------------- validation


def check_slug(slug: str) -> str:
    """A lower-case, hyphenated slug such as ``seo-basics``."""
    if not isinstance(slug, str) or not SLUG.match(slug) or len(slug) > MAX_SLUG:
        raise LearningError(
            f"slug {slug!r} must be lower-case letters, digits and single hyphens "
            f"(at most {MAX_SLUG} characters), e.g. 'seo-basics'"
        )
    return slug


def check_title(title: str, what: str = "title", limit: int = MAX_TITLE) -> str:
    """A non-blank, stripped text of at most ``limit`` characters."""
    text = (title or "").strip()
    if not text:
        raise LearningError(f"{what} must not be empty")
    if len(text) > limit:
        raise LearningError(f"{what} must be at most {limit} characters")
    return text


def check_level(level: str) -> Level:
    """One of the :class:`Level` values, as a member."""
    try:
        return Level(level)
    except ValueError:
        raise LearningError(f"level must be one of {', '.join(Level)}") from None


def parse_fee(text: str) -> int:
    """``"499.00"`` → ``49900`` cents; at most two decimals, not negative."""
    try:
        amount = Decimal(str(text).strip())
    except InvalidOperation as exc:
        raise LearningError(f"fee {text!r} is not a number such as 499.00") from exc
    if not amount.is_finite() or amount < 0:
        raise LearningError("fee must be a finite amount of zero or more")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise LearningError("fee must have at most two decimals")
    if cents > MAX_FEE_CENTS:
        raise LearningError("fee is implausibly large")
    return int(cents)


def check_currency(code: str) -> str:
    """An ISO 4217-style three-letter code, upper-cased."""
    code = (code or "").strip().upper()
    if not CURRENCY.match(code):
        raise LearningError(f"currency {code!r} must be a three-letter code such as EUR")
    return code


def check_weeks(weeks: int) -> int:
    """A program length between 0 and ten years."""
    if isinstance(weeks, bool) or not isinstance(weeks, int) or not 0 <= weeks <= MAX_WEEKS:
        raise LearningError(f"weeks must be a whole number from 0 to {MAX_WEEKS}")
    return weeks


def _no_duplicates(values: Sequence, what: str) -> None:
    seen = set()
    for value in values:
        if value in seen:
            raise LearningError(f"{what} {value} is listed twice")
        seen.add(value)


# --------------------------------------------------------------------------- lookups


def course_by_slug(slug: str) -> Course | None:
    """The course with this slug, if any."""
    return db.session.scalar(select(Course).where(Course.slug == slug))


def program_by_slug(slug: str) -> Program | None:
    """The program with this slug, if any."""
    return db.session.scalar(select(Program).where(Program.slug == slug))


def user_by_email(email: str) -> User | None:
    """The account with this e-mail address (case-insensitive), if any."""
    address = (email or "").strip().lower()
    return db.session.scalar(select(User).where(func.lower(User.email) == address))


def _courses_in_order(slugs: Sequence[str], what: str) -> list[Course]:
    _no_duplicates(slugs, what)
    found = {c.slug: c for c in db.session.scalars(select(Course).where(Course.slug.in_(slugs)))}
    missing = [s for s in slugs if s not in found]
    if missing:
        raise LearningError(f"no course with slug {', '.join(missing)}")
    return [found[s] for s in slugs]


def _modules_in_order(module_ids: Sequence[int]) -> list[Module]:
    _no_duplicates(module_ids, "module")
    found = {m.id: m for m in db.session.scalars(select(Module).where(Module.id.in_(module_ids)))}
    missing = [str(i) for i in module_ids if i not in found]
    if missing:
        raise LearningError(f"no module with id {', '.join(missing)}")
    return [found[i] for i in module_ids]


# --------------------------------------------------------------------------- writes


def create_course(
    slug: str,
    title: str,
    module_ids: Sequence[int],
    requires: Sequence[str] = (),
    description: str = "",
    level: str = Level.FOUNDATION,
) -> Course:
    """A new course of the given modules in order, locked until ``requires`` are done."""
    check_slug(slug)
    if course_by_slug(slug) is not None:
        raise LearningError(f"a course with slug {slug!r} already exists")
    if not module_ids:
        raise LearningError("a course needs at least one module")
    if slug in requires:
        raise LearningError("a course cannot require itself")
    modules = _modules_in_order(module_ids)
    prerequisites = _courses_in_order(list(requires), "required course")
    course = Course(
        slug=slug,
        title=check_title(title),
        description=(description or "").strip(),
        level=check_level(level),
    )
    course.items = [CourseModule(module_id=m.id, position=i) for i, m in enumerate(modules)]
    db.session.add(course)
    db.session.flush()
    for required in prerequisites:
        db.session.add(CoursePrerequisite(course_id=course.id, requires_id=required.id))
    db.session.flush()
    return course


def create_program(
    slug: str,
    title: str,
    course_slugs: Sequence[str],
    *,
    weeks: int = 0,
    fee: str = "0",
    currency: str = "EUR",
    certificate: str = "",
    company: bool = False,
    description: str = "",
    level: str = Level.FOUNDATION,
) -> Program:
    """A new program of the given courses in order; ``company`` programs are admin-enrolled."""
    check_slug(slug)
    if program_by_slug(slug) is not None:
        raise LearningError(f"a program with slug {slug!r} already exists")
    if not course_slugs:
        raise LearningError("a program needs at least one course")
    courses = _courses_in_order(list(course_slugs), "course")
    program = Program(
        slug=slug,
        title=check_title(title),
        description=(description or "").strip(),
        level=check_level(level),
        length_weeks=check_weeks(weeks),
        fee_cents=parse_fee(fee),
        currency=check_currency(currency),
        certificate=(certificate or "").strip()[:MAX_CERTIFICATE],
        self_enrol=not company,
    )
    program.items = [ProgramCourse(course_id=c.id, position=i) for i, c in enumerate(courses)]
    db.session.add(program)
    db.session.flush()
    return program


def find_enrollment(user_id: int, program_id: int) -> Enrollment | None:
    """The user's enrolment in the program, if any."""
    return db.session.scalar(
        select(Enrollment).where(Enrollment.user_id == user_id, Enrollment.program_id == program_id)
    )


def enrol(
    user: User, program: Program, *, admin: bool = False, by: User | None = None
) -> tuple[Enrollment, bool]:
    """Enrol ``user`` (idempotent): ``(enrolment, created)``.

    Without ``admin`` this is a self-enrolment, which only open programs allow; admins
    (``by``, or the CLI with no acting user) enrol anyone in any program. A concurrent
    duplicate is absorbed by the unique constraint inside a savepoint.
    """
    if not admin and not program.self_enrol:
        raise EnrolmentNotAllowed(
            f"'{program.title}' is enrolled by your company; ask your administrator"
        )
    existing = find_enrollment(user.id, program.id)
    if existing is not None:
        return existing, False
    enrollment = Enrollment(
        user_id=user.id, program_id=program.id, enrolled_by=by.id if by is not None else None
    )
    try:
        with db.session.begin_nested():
            db.session.add(enrollment)
    except IntegrityError:
        existing = find_enrollment(user.id, program.id)
        if existing is None:
            raise
        return existing, False
    return enrollment, True
