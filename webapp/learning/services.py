"""Writes for courses, programs and enrolments (they flush; the caller commits)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, TypeVar

from babel.numbers import list_currencies
from flask_babel import gettext as _
from flask_babel import ngettext as _n
from sqlalchemy import delete, func, select

from webapp.audit.events import Kind
from webapp.audit.services import record
from webapp.catalogue.services import slugify
from webapp.extensions import db
from webapp.models import (
    Certificate,
    Cohort,
    Course,
    CourseModule,
    CoursePrerequisite,
    Enrollment,
    Level,
    LiveClass,
    Module,
    Program,
    ProgramCourse,
    Topic,
    User,
)

T = TypeVar("T")
R = TypeVar("R")

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_SLUG = 120
MAX_TITLE = 200
MAX_CERTIFICATE = 200
MAX_WEEKS = 520
MAX_DESCRIPTION = 5000
MAX_FEE_CENTS = 10_000_000_00  # ten million in any currency is surely a typo


class LearningError(ValueError):
    """Bad input for a course, program or enrolment; the message says what is wrong and
    ``field`` (when known) which input it is about, so a form shows it beside that field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InUse(LearningError):
    """A delete refused because something still depends on the object (the API's 409)."""


class EnrolmentNotAllowed(LearningError):
    """The program is enrolled by a company (admins), not by the learner."""


# --------------------------------------------------------------------------- validation


def check_slug(slug: str) -> str:
    """A lower-case, hyphenated slug such as ``seo-basics``."""
    if not isinstance(slug, str) or not SLUG.match(slug) or len(slug) > MAX_SLUG:
        raise LearningError(
            _(
                "slug %(slug)s must be lower-case letters, digits and single hyphens "
                "(at most %(max)d characters), e.g. 'seo-basics'",
                slug=repr(slug),
                max=MAX_SLUG,
            )
        )
    return slug


def _named(what: str) -> str:
    """The name of a checked input in the page's language ("title" in English)."""
    names = {"title": _("title"), "certificate title": _("certificate title")}
    return names.get(what, what)


def check_title(
    title: str, what: str = "title", limit: int = MAX_TITLE, field: str | None = None
) -> str:
    """A non-blank, stripped, one-line text of at most ``limit`` characters."""
    text = (title or "").strip()
    field = field or what
    if not text:
        raise LearningError(_("%(what)s must not be empty", what=_named(what)), field=field)
    if len(text) > limit:
        raise LearningError(
            _("%(what)s must be at most %(max)d characters", what=_named(what), max=limit),
            field=field,
        )
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise LearningError(
            _("%(what)s must be one line of plain text", what=_named(what)), field=field
        )
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
        raise LearningError(
            _("fee %(text)s is not a number such as 499.00", text=repr(text))
        ) from exc
    if not amount.is_finite() or amount < 0:
        raise LearningError(_("fee must be a finite amount of zero or more"))
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise LearningError(_("fee must have at most two decimals"))
    if cents > MAX_FEE_CENTS:
        raise LearningError(_("fee is implausibly large"))
    return int(cents)


@cache
def currencies() -> tuple[str, ...]:
    """The ISO 4217 codes we accept (Babel's list), sorted."""
    return tuple(sorted(c for c in list_currencies() if CURRENCY.match(c)))


def check_currency(code: str) -> str:
    """An ISO 4217 three-letter code from :func:`currencies`, upper-cased."""
    code = (code or "").strip().upper()
    if not CURRENCY.match(code) or code not in currencies():
        raise LearningError(
            _("currency %(code)s must be an ISO 4217 code such as EUR", code=repr(code)),
            field="currency",
        )
    return code


def check_weeks(weeks: int) -> int:
    """A program length between 0 and ten years."""
    if isinstance(weeks, bool) or not isinstance(weeks, int) or not 0 <= weeks <= MAX_WEEKS:
        raise LearningError(_("weeks must be a whole number from 0 to %(max)d", max=MAX_WEEKS))
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


def enrol_by_email(email: str, program: Program, by: User | None) -> tuple[Enrollment, bool]:
    """An admin enrols the account with this address (``LearningError`` on ``email``
    when there is none): ``(enrolment, created)``."""
    user = user_by_email(email)
    if user is None:
        raise LearningError(
            _("No account has this address: invite the person instead (Invitations)."), "email"
        )
    return enrol(user, program, admin=True, by=by)


def unenrol(user_id: int, program: Program) -> None:
    """End a person's enrolment in the program (their progress on its modules stays; the
    cohort seat it held goes to the first waitlisted learner); ``LearningError`` when
    they are not enrolled."""
    from webapp.enrolment import services as enrolment

    enrollment = find_enrollment(user_id, program.id)
    if enrollment is None:
        raise LearningError(_("That person is not enrolled in this program."))
    freed = enrolment.removed(enrollment)
    db.session.delete(enrollment)
    db.session.flush()
    if freed is not None:
        enrolment.seat_freed(freed)


def find_enrollment(user_id: int, program_id: int) -> Enrollment | None:
    """The user's enrolment in the program, if any."""
    return db.session.scalar(
        select(Enrollment).where(Enrollment.user_id == user_id, Enrollment.program_id == program_id)
    )


def enrol(
    user: User,
    program: Program,
    *,
    admin: bool = False,
    by: User | None = None,
    paid_by: str | None = None,
    cohort: Cohort | int | None = None,
    voucher: str | None = None,
) -> tuple[Enrollment, bool]:
    """Enrol ``user`` (idempotent): ``(enrolment, created)``.

    Without ``admin`` this is a self-enrolment, which only open programs allow; admins
    (``by``, or the CLI with no acting user) enrol anyone in any program, active at once.
    ``paid_by`` says someone pays outside Learnstream's orders (an organisation's seat):
    no order, active at once. A learner's self-enrolment in a paid program places an
    order and stays ``awaiting_payment`` until it is paid; a full ``cohort`` waitlists.
    The rules are ``webapp.enrolment.services.enrol``'s.
    """
    if not admin and paid_by is None and not program.self_enrol:
        raise EnrolmentNotAllowed(
            f"'{program.title}' is enrolled by your company; ask your administrator"
        )
    from webapp.enrolment import services as enrolment

    outcome = enrolment.enrol(
        user, program, cohort=cohort, voucher=voucher, admin=admin, by=by, paid_by=paid_by
    )
    return outcome.enrollment, outcome.created


# --------------------------------------------------------------------------- back office
# One write per action, used by the pages and the API alike. ``changes`` holds only what
# the caller sets: on a create every missing key takes its default.

COURSE_KEYS = frozenset(
    {"title", "slug", "description", "level", "topic", "modules", "prerequisites"}
)
PROGRAM_KEYS = frozenset(
    {
        "title",
        "slug",
        "description",
        "level",
        "weeks",
        "fee",
        "currency",
        "certificate",
        "self_enrol",
        "courses",
    }
)


def moved(items: Sequence[T], item: T, delta: int) -> list[T]:
    """``items`` with ``item`` moved ``delta`` places (clamped at both ends)."""
    order = list(items)
    if item not in order:
        raise LearningError(f"{item} is not in the list")
    start = order.index(item)
    order.pop(start)
    order.insert(max(0, min(len(order), start + delta)), item)
    return order


def check_description(text: str | None) -> str:
    """A stripped description of at most MAX_DESCRIPTION characters."""
    value = (text or "").strip()
    if len(value) > MAX_DESCRIPTION:
        raise LearningError(
            _("description must be at most %(max)d characters", max=MAX_DESCRIPTION),
            field="description",
        )
    return value


def _slug_for(value: str | None, title: str, taken: Callable[[str], bool], what: str) -> str:
    slug = (value or "").strip()
    if not slug:
        slug = slugify(title)[:MAX_SLUG].strip("-")
        if not slug:
            raise LearningError(
                _("the title has no letters or digits to make a slug from: type one"),
                field="slug",
            )
    try:
        check_slug(slug)
    except LearningError as exc:
        raise LearningError(str(exc), field="slug") from None
    if taken(slug):
        if what == "course":
            message = _("a course with slug %(slug)s already exists", slug=repr(slug))
        elif what == "program":
            message = _("a program with slug %(slug)s already exists", slug=repr(slug))
        else:
            message = f"a {what} with slug {slug!r} already exists"
        raise LearningError(message, field="slug")
    return slug


def _topic(value: str | None) -> Topic | None:
    if not value:
        return None
    topic = db.session.scalar(select(Topic).where(Topic.slug == value))
    if topic is None:
        raise LearningError(_("no topic with slug %(slug)s", slug=repr(value)), field="topic")
    return topic


def _field(name: str, check: Callable[[], R]) -> R:
    """Run ``check``; its LearningError is about the input ``name``."""
    try:
        return check()
    except LearningError as exc:
        raise LearningError(str(exc), field=exc.field or name) from None


def _requires(course_id: int | None) -> dict[int, set[int]]:
    graph: dict[int, set[int]] = {}
    for row in db.session.scalars(select(CoursePrerequisite)):
        if row.course_id != course_id:
            graph.setdefault(row.course_id, set()).add(row.requires_id)
    return graph


def _check_no_cycle(course: Course, required: Sequence[Course]) -> None:
    """Refuse a prerequisite that requires ``course`` back, directly or through others."""
    if course.id is None:
        return
    graph = _requires(course.id)
    for start in required:
        seen: set[int] = set()
        stack = [start.id]
        while stack:
            current = stack.pop()
            if current == course.id:
                raise LearningError(
                    _(
                        "'%(title)s' already requires this course (directly or through "
                        "others): that would be a cycle",
                        title=start.title,
                    ),
                    field="prerequisites",
                )
            if current not in seen:
                seen.add(current)
                stack.extend(graph.get(current, ()))


def _set_positions(existing: Sequence[Any], key: str, ids: Sequence[int], make: Any) -> list[Any]:
    """Rows in the order of ``ids``: existing ones kept (new position), new ones made."""
    by_id = {getattr(row, key): row for row in existing}
    rows = []
    for position, ident in enumerate(ids):
        row = by_id.get(ident) or make(ident)
        row.position = position
        rows.append(row)
    return rows


def _check_keys(changes: Mapping[str, Any], known: frozenset[str]) -> None:
    unknown = set(changes) - known
    if unknown:
        raise LearningError(f"unknown field {', '.join(sorted(unknown))}")


def _set_details(
    target: Course | Program,
    changes: Mapping[str, Any],
    creating: bool,
    by_slug: Callable[[str], Course | Program | None],
    what: str,
) -> None:
    """The fields courses and programs share: title, slug, description and level (all of
    them on a create, where a missing one takes its default; else those in ``changes``)."""
    if creating or "title" in changes:
        target.title = check_title(changes.get("title", ""))
    if creating or "slug" in changes:

        def taken(slug: str) -> bool:
            other = by_slug(slug)
            return other is not None and other is not target

        target.slug = _slug_for(changes.get("slug"), target.title, taken, what)
    if creating or "description" in changes:
        target.description = check_description(changes.get("description"))
    if creating or "level" in changes:
        target.level = _field("level", lambda: check_level(changes.get("level") or "foundation"))


def _refuse_while(blockers: Sequence[str], title: str) -> None:
    """InUse naming ``blockers`` when there are any (the deletes' shared refusal)."""
    if blockers:
        raise InUse(f"‘{title}’ cannot be deleted: {'; '.join(blockers)}")


def save_course(
    course: Course | None, changes: Mapping[str, Any], by: User | None = None
) -> Course:
    """Create (``course`` None) or change a course. Keys of ``changes``: ``title``,
    ``slug`` (empty: derived from the title), ``description``, ``level``, ``topic`` (a
    topic slug; empty: none), ``modules`` (module ids in order), ``prerequisites`` (course
    slugs). Raises LearningError naming the field at fault."""
    _check_keys(changes, COURSE_KEYS)
    creating = course is None
    if course is None:
        course = Course(created_by=by.id if by is not None else None)
    target = course
    _set_details(course, changes, creating, course_by_slug, "course")
    if creating or "topic" in changes:
        topic = _topic(changes.get("topic"))
        course.topic_id = topic.id if topic is not None else None
    modules: list[Module] | None = None
    if "modules" in changes:
        modules = _field("modules", lambda: _modules_in_order(list(changes["modules"] or [])))
        present = {item.module_id for item in course.items}
        for module in modules:
            # Unlisted modules are cohort recordings: private, never put in a course here.
            if module.id not in present and not module.listed:
                raise LearningError(f"module {module.id} is not listed in the catalogue", "modules")
    required: list[Course] | None = None
    if "prerequisites" in changes:
        slugs = list(changes["prerequisites"] or [])
        required = _field("prerequisites", lambda: _courses_in_order(slugs, "required course"))
        if course.slug in slugs or any(c is target for c in required):
            raise LearningError(_("a course cannot require itself"), field="prerequisites")
        _check_no_cycle(course, required)
    if creating:
        db.session.add(course)
    if modules is not None:
        course.items = _set_positions(
            course.items, "module_id", [m.id for m in modules], lambda i: CourseModule(module_id=i)
        )
    db.session.flush()
    if required is not None:
        db.session.execute(
            delete(CoursePrerequisite).where(CoursePrerequisite.course_id == course.id)
        )
        for other in required:
            db.session.add(CoursePrerequisite(course_id=course.id, requires_id=other.id))
        db.session.flush()
    return course


def course_blockers(course: Course) -> list[str]:
    """Why the course cannot be deleted: the programs that contain it."""
    titles = db.session.scalars(
        select(Program.title)
        .join(ProgramCourse, ProgramCourse.program_id == Program.id)
        .where(ProgramCourse.course_id == course.id)
        .order_by(Program.title)
    ).all()
    return [_("the program ‘%(title)s’ contains it", title=title) for title in titles]


def course_consequences(course: Course) -> list[str]:
    """What goes with the course (its modules and everyone's progress on them stay)."""
    modules = _n("%(num)d module", "%(num)d modules", len(course.items))
    goes = [
        _(
            "its order of %(modules)s (the modules and everyone's progress on them stay)",
            modules=modules,
        )
    ]
    links = db.session.scalar(
        select(func.count(CoursePrerequisite.id)).where(
            (CoursePrerequisite.course_id == course.id)
            | (CoursePrerequisite.requires_id == course.id)
        )
    )
    if links:
        goes.append(
            _n(
                "%(num)d prerequisite link to or from other courses",
                "%(num)d prerequisite links to or from other courses",
                links,
            )
        )
    return goes


def delete_course(course: Course) -> None:
    """Delete a course; refused (InUse) while a program contains it."""
    _refuse_while(course_blockers(course), course.title)
    record(Kind.DELETED, target=course)
    db.session.delete(course)
    db.session.flush()


def save_program(program: Program | None, changes: Mapping[str, Any]) -> Program:
    """Create (``program`` None) or change a program. Keys of ``changes``: ``title``,
    ``slug``, ``description``, ``level``, ``weeks``, ``fee`` (text such as "499.00"),
    ``currency``, ``certificate``, ``self_enrol``, ``courses`` (course slugs in order)."""
    _check_keys(changes, PROGRAM_KEYS)
    creating = program is None
    if program is None:
        program = Program()
    _set_details(program, changes, creating, program_by_slug, "program")
    if creating or "weeks" in changes:
        program.length_weeks = _field("weeks", lambda: check_weeks(changes.get("weeks", 0)))
    if creating or "fee" in changes:
        program.fee_cents = _field("fee", lambda: parse_fee(changes.get("fee", "0")))
    if creating or "currency" in changes:
        program.currency = check_currency(changes.get("currency") or "EUR")
    if creating or "certificate" in changes:
        certificate = (changes.get("certificate") or "").strip()
        program.certificate = (
            check_title(certificate, "certificate title", MAX_CERTIFICATE, field="certificate")
            if certificate
            else ""
        )
    if creating or "self_enrol" in changes:
        program.self_enrol = bool(changes.get("self_enrol", True))
    if "courses" in changes:
        courses = _field(
            "courses", lambda: _courses_in_order(list(changes["courses"] or []), "course")
        )
        program.items = _set_positions(
            program.items,
            "course_id",
            [c.id for c in courses],
            lambda i: ProgramCourse(course_id=i),
        )
    if creating:
        db.session.add(program)
    db.session.flush()
    return program


def _count(model: Any, *where: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def program_blockers(program: Program) -> list[str]:
    """Why the program cannot simply be deleted: its cohorts and issued certificates."""
    reasons = []
    cohorts = _count(Cohort, Cohort.program_id == program.id)
    if cohorts:
        reasons.append(_n("%(num)d cohort runs it", "%(num)d cohorts run it", cohorts))
    issued = _count(Certificate, Certificate.program_id == program.id)
    if issued:
        reasons.append(
            _n(
                "%(num)d certificate of it was issued",
                "%(num)d certificates of it were issued",
                issued,
            )
        )
    return reasons


def program_consequences(program: Program) -> list[str]:
    """What goes with the program."""
    cohort_ids = select(Cohort.id).where(Cohort.program_id == program.id)
    courses = _n("%(num)d course", "%(num)d courses", len(program.items))
    goes = [_("its order of %(courses)s (the courses stay)", courses=courses)]
    enrolled = _count(Enrollment, Enrollment.program_id == program.id)
    if enrolled:
        goes.append(_n("%(num)d enrolment", "%(num)d enrolments", enrolled))
    cohorts = _count(Cohort, Cohort.program_id == program.id)
    if cohorts:
        classes = _count(LiveClass, LiveClass.cohort_id.in_(cohort_ids))
        goes.append(
            _(
                "%(cohorts)s with their members, %(classes)s, attendance and exams",
                cohorts=_n("%(num)d cohort", "%(num)d cohorts", cohorts),
                classes=_n("%(num)d live class", "%(num)d live classes", classes),
            )
        )
    issued = _count(Certificate, Certificate.program_id == program.id)
    if issued:
        goes.append(
            _(
                "nothing of the %(issued)s: they stay valid",
                issued=_n("%(num)d issued certificate", "%(num)d issued certificates", issued),
            )
        )
    return goes


def delete_program(program: Program, force: bool = False) -> None:
    """Delete a program; refused (InUse) while it has cohorts or issued certificates,
    unless ``force``: then its cohorts (with classes, attendance, exams) go too and the
    certificates stay, detached from it."""
    if not force:
        _refuse_while(program_blockers(program), program.title)
    record(Kind.DELETED, target=program, detail={"forced": force})
    db.session.execute(delete(Enrollment).where(Enrollment.program_id == program.id))
    for cohort in db.session.scalars(select(Cohort).where(Cohort.program_id == program.id)):
        db.session.delete(cohort)
    db.session.delete(program)
    db.session.flush()
