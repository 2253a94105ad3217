"""Programs (learning paths) over the API: the catalogue, a program with the caller's
progress, enrolment, and the caller's own paths. Reads are for every signed-in user;
enrolling someone else is for admins."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from flask import Response, after_this_request, g, url_for
from pydantic import Field

from webapp.access import can_create_course, can_manage_course, can_manage_programs
from webapp.api.blueprint import bp
from webapp.api.contract import Input, Output, Query, operation
from webapp.extensions import db
from webapp.learning import queries
from webapp.learning.formatting import format_fee
from webapp.learning.queries import CatalogueEntry
from webapp.learning.rollups import CourseState, ModuleState, ProgramState
from webapp.learning.services import (
    MAX_CERTIFICATE,
    MAX_DESCRIPTION,
    MAX_SLUG,
    MAX_TITLE,
    EnrolmentNotAllowed,
    InUse,
    LearningError,
    course_by_slug,
    enrol,
    find_enrollment,
    program_by_slug,
    save_course,
    save_program,
    unenrol,
    user_by_email,
)
from webapp.learning.services import delete_course as remove_course
from webapp.learning.services import delete_program as remove_program
from webapp.learning.views import module_url
from webapp.models import Course, Level, Program, Topic
from webapp.problems import ApiError, FieldError

# --------------------------------------------------------------------------- input


class AdminEnrolment(Input):
    """The learner an admin enrols, by e-mail address (case does not matter)."""

    email: str = Field(min_length=1, max_length=320)


# --------------------------------------------------------------------------- output


class Fee(Output):
    """A program's price."""

    cents: int
    currency: str = Field(examples=["EUR"])
    display: str = Field(examples=["€499.00", "Free"])


class ProgramFacts(Output):
    """The buyer-facing facts of a program."""

    slug: str
    title: str
    description: str
    level: Level
    length_weeks: int
    fee: Fee
    certificate: str
    self_enrol: bool = Field(description="False: a company program, enrolled by admins.")


def program_facts(program: Program) -> dict[str, Any]:
    """The :class:`ProgramFacts` fields of ``program`` (for the models that extend it)."""
    return {
        "slug": program.slug,
        "title": program.title,
        "description": program.description,
        "level": Level(program.level),
        "length_weeks": program.length_weeks,
        "fee": Fee(
            cents=program.fee_cents,
            currency=program.currency,
            display=format_fee(program.fee_cents, program.currency),
        ),
        "certificate": program.certificate,
        "self_enrol": program.self_enrol,
    }


class CatalogueItem(ProgramFacts):
    """A catalogue entry: facts, totals, upcoming cohort dates, the caller's enrolment."""

    course_count: int
    module_count: int
    duration_seconds: float
    upcoming_cohorts: list[date]
    enrolled: bool

    @classmethod
    def of(cls, entry: CatalogueEntry) -> CatalogueItem:
        """The catalogue line of ``entry``."""
        return cls(
            **program_facts(entry.program),
            course_count=entry.course_count,
            module_count=entry.module_count,
            duration_seconds=round(entry.total_seconds, 3),
            upcoming_cohorts=list(entry.cohort_dates),
            enrolled=entry.enrolled,
        )


class Catalogue(Output):
    """Every program."""

    programs: list[CatalogueItem]


class ModuleProgressOut(Output):
    """The caller's progress on a module."""

    percent: float
    watched_seconds: float
    completed: bool


class ModuleOut(Output):
    """A module with the caller's progress and lock state."""

    id: int
    title: str
    kind: Literal["clip", "video"]
    video_id: int
    clip_id: int | None
    duration: float
    url: str = Field(description="The module's watch page.")
    locked: bool
    progress: ModuleProgressOut

    @classmethod
    def of(cls, state: ModuleState) -> ModuleOut:
        """The module of ``state``."""
        module = state.module
        return cls(
            id=module.id,
            title=module.title,
            kind="clip" if module.is_clip else "video",
            video_id=module.video_id,
            clip_id=module.clip_id,
            duration=module.duration,
            url=module_url(state),
            locked=state.locked,
            progress=ModuleProgressOut(
                percent=state.progress.percent,
                watched_seconds=round(state.progress.watched_seconds, 3),
                completed=state.progress.completed,
            ),
        )


class NextModule(ModuleOut):
    """The module to watch next and the slug of its course."""

    course: str

    @classmethod
    def of_program(cls, state: ProgramState) -> NextModule | None:
        """The next module of ``state`` (None when nothing is left)."""
        module, course = state.next_module, state.next_course
        if module is None or course is None:
            return None
        return cls(**ModuleOut.of(module).model_dump(), course=course.course.slug)


class CourseProgress(Output):
    """The caller's progress on a course."""

    completed_modules: int
    total_modules: int
    percent: int = Field(description="Share of modules completed, 0–100.")
    watched_seconds: float
    total_seconds: float
    watched_percent: int = Field(description="Share of the course's seconds watched, 0–100.")
    completed: bool


class CourseOut(Output):
    """A course with its modules, the caller's progress and the lock state."""

    slug: str
    title: str
    description: str
    level: Level
    requires: list[str] = Field(description="Slugs of the courses to complete first.")
    locked: bool
    unlock_hint: str | None
    progress: CourseProgress
    modules: list[ModuleOut]

    @classmethod
    def of(cls, state: CourseState) -> CourseOut:
        """The course of ``state``."""
        return cls(
            slug=state.course.slug,
            title=state.course.title,
            description=state.course.description,
            level=Level(state.course.level),
            requires=[c.slug for c in state.requires],
            locked=state.locked,
            unlock_hint=state.unlock_hint or None,
            progress=CourseProgress(
                completed_modules=state.completed_modules,
                total_modules=state.total_modules,
                percent=state.percent,
                watched_seconds=round(state.watched_seconds, 3),
                total_seconds=round(state.total_seconds, 3),
                watched_percent=state.watched_percent,
                completed=state.completed,
            ),
            modules=[ModuleOut.of(m) for m in state.modules],
        )


class ProgramProgress(Output):
    """The caller's progress on a program, rolled up over its courses."""

    completed_modules: int
    total_modules: int
    completed_courses: int
    total_courses: int
    percent: int
    watched_seconds: float
    total_seconds: float
    watched_percent: int
    completed: bool

    @classmethod
    def of(cls, state: ProgramState) -> ProgramProgress:
        """The rollup of ``state``."""
        return cls(
            completed_modules=state.completed_modules,
            total_modules=state.total_modules,
            completed_courses=state.completed_courses,
            total_courses=len(state.courses),
            percent=state.percent,
            watched_seconds=round(state.watched_seconds, 3),
            total_seconds=round(state.total_seconds, 3),
            watched_percent=state.watched_percent,
            completed=state.completed,
        )


class ProgramOut(ProgramFacts):
    """A program with its courses and modules, the caller's progress and lock states."""

    duration_seconds: float
    upcoming_cohorts: list[date]
    enrolled: bool
    progress: ProgramProgress
    next_module: NextModule | None
    courses: list[CourseOut]


class PathCourse(Output):
    """A course of one of the caller's paths: lock state and progress."""

    slug: str
    title: str
    locked: bool
    unlock_hint: str | None
    percent: int
    completed: bool

    @classmethod
    def of(cls, state: CourseState) -> PathCourse:
        """The line of ``state``."""
        return cls(
            slug=state.course.slug,
            title=state.course.title,
            locked=state.locked,
            unlock_hint=state.unlock_hint or None,
            percent=state.percent,
            completed=state.completed,
        )


class PathOut(ProgramFacts):
    """One of the caller's programs: facts, progress, next module, course lock states."""

    progress: ProgramProgress
    next_module: NextModule | None
    courses: list[PathCourse]

    @classmethod
    def of(cls, state: ProgramState) -> PathOut:
        """The path of ``state``."""
        return cls(
            **program_facts(state.program),
            progress=ProgramProgress.of(state),
            next_module=NextModule.of_program(state),
            courses=[PathCourse.of(c) for c in state.courses],
        )


class Paths(Output):
    """The caller's programs."""

    paths: list[PathOut]


class SelfEnrolment(Output):
    """The caller is enrolled (``created``: by this request)."""

    program: str
    enrolled: Literal[True]
    created: bool


class AdminEnrolmentOut(Output):
    """The learner is enrolled (``created``: by this request)."""

    program: str
    email: str
    created: bool


# --------------------------------------------------------------------------- routes


def _program_or_404(slug: str) -> Program:
    program = queries.load_program(slug)
    if program is None:
        raise ApiError(404, "no such program")
    return program


@operation(bp, "GET", "/programs", responses={200: Catalogue})
def list_programs() -> Catalogue:
    """The program catalogue."""
    return Catalogue(programs=[CatalogueItem.of(e) for e in queries.catalogue(g.user.id)])


@operation(bp, "GET", "/programs/<slug>", responses={200: ProgramOut}, errors=(404,))
def get_program(slug: str) -> ProgramOut:
    """A program with its courses, modules, the caller's progress and lock states."""
    program = _program_or_404(slug)
    state = queries.program_state(g.user.id, program)
    cohorts = queries.upcoming_cohorts([program.id]).get(program.id, [])
    return ProgramOut(
        **program_facts(program),
        duration_seconds=round(state.total_seconds, 3),
        upcoming_cohorts=cohorts,
        enrolled=find_enrollment(g.user.id, program.id) is not None,
        progress=ProgramProgress.of(state),
        next_module=NextModule.of_program(state),
        courses=[CourseOut.of(c) for c in state.courses],
    )


@operation(
    bp,
    "POST",
    "/programs/<slug>/enrol",
    responses={200: SelfEnrolment, 201: SelfEnrolment},
    errors=(403, 404),
)
def enrol_in_program(slug: str) -> tuple[SelfEnrolment, int]:
    """Self-enrol the caller (open programs only; idempotent: 201 then 200)."""
    program = _program_or_404(slug)
    try:
        _, created = enrol(g.user, program)
    except EnrolmentNotAllowed as exc:
        raise ApiError(403, str(exc)) from None
    db.session.commit()
    return SelfEnrolment(program=program.slug, enrolled=True, created=created), (
        201 if created else 200
    )


@operation(
    bp,
    "POST",
    "/programs/<slug>/enrollments",
    body=AdminEnrolment,
    responses={200: AdminEnrolmentOut, 201: AdminEnrolmentOut},
    errors=(403, 404),
)
def enrol_someone(slug: str, body: AdminEnrolment) -> tuple[AdminEnrolmentOut, int]:
    """Admins enrol a learner by e-mail (201 new, 200 existing; Location: the program)."""
    if not g.user.is_admin:
        raise ApiError(403, "only admins enrol other people")
    program = _program_or_404(slug)
    user = user_by_email(body.email)
    if user is None:
        raise ApiError(404, "no account with that e-mail address")
    _, created = enrol(user, program, admin=True, by=g.user)
    db.session.commit()
    location = url_for("api.get_program", slug=program.slug)

    @after_this_request
    def _locate(response: Response) -> Response:
        response.headers["Location"] = location
        return response

    answer = AdminEnrolmentOut(program=program.slug, email=user.email, created=created)
    return answer, 201 if created else 200


@operation(
    bp,
    "DELETE",
    "/programs/<slug>/enrollments/<int:user_id>",
    responses={204: None},
    errors=(403, 404),
)
def unenrol_someone(slug: str, user_id: int) -> None:
    """Admins end a person's enrolment (their progress on the modules stays)."""
    if not g.user.is_admin:
        raise ApiError(403, "only admins end other people's enrolments")
    program = _program_or_404(slug)
    try:
        unenrol(user_id, program)
    except LearningError as exc:
        raise ApiError(404, str(exc)) from None
    db.session.commit()


@operation(bp, "GET", "/me/paths", responses={200: Paths})
def my_paths() -> Paths:
    """The caller's programs with progress, next module and course lock states."""
    states = queries.program_states(g.user.id, queries.enrolled_programs(g.user.id))
    return Paths(paths=[PathOut.of(s) for s in states])


# --------------------------------------------------------------------------- back office
# Create, change and delete courses and programs through the services the pages use.

LevelName = Literal["foundation", "intermediate", "advanced"]


class CourseIn(Input):
    """A new course; ``slug`` left empty is made from the title."""

    title: str = Field(max_length=MAX_TITLE)
    slug: str = Field("", max_length=MAX_SLUG)
    description: str = Field("", max_length=MAX_DESCRIPTION)
    level: LevelName = "foundation"
    topic: str | None = Field(None, description="A topic's slug; null: none.")
    modules: list[int] = Field(default_factory=list, description="Module ids, in order.")
    prerequisites: list[str] = Field(
        default_factory=list, description="Slugs of the courses to complete first."
    )


class CourseChange(Input):
    """Any of a course's fields; lists replace the whole order."""

    title: str | None = Field(None, max_length=MAX_TITLE)
    slug: str | None = Field(None, max_length=MAX_SLUG)
    description: str | None = Field(None, max_length=MAX_DESCRIPTION)
    level: LevelName | None = None
    topic: str | None = None
    modules: list[int] | None = None
    prerequisites: list[str] | None = None


class CourseDetail(Output):
    """A course as the back office edits it."""

    slug: str
    title: str
    description: str
    level: Level
    topic: str | None = Field(description="The topic's slug.")
    modules: list[int] = Field(description="Module ids, in order.")
    prerequisites: list[str]

    @classmethod
    def of(cls, course: Course) -> CourseDetail:
        """The details of ``course``."""
        topic = db.session.get(Topic, course.topic_id) if course.topic_id else None
        return cls(
            slug=course.slug,
            title=course.title,
            description=course.description,
            level=Level(course.level),
            topic=topic.slug if topic is not None else None,
            modules=[item.module_id for item in course.items],
            prerequisites=[c.slug for c in queries.prerequisites([course.id]).get(course.id, [])],
        )


class ProgramIn(Input):
    """A new program; ``slug`` left empty is made from the title."""

    title: str = Field(max_length=MAX_TITLE)
    slug: str = Field("", max_length=MAX_SLUG)
    description: str = Field("", max_length=MAX_DESCRIPTION)
    level: LevelName = "foundation"
    weeks: int = Field(0, description="Length in weeks.")
    fee: str = Field("0", max_length=20, examples=["499.00"], description="At most two decimals.")
    currency: str = Field("EUR", max_length=3, description="ISO 4217 code.")
    certificate: str = Field("", max_length=MAX_CERTIFICATE)
    self_enrol: bool = Field(True, description="False: a company program, enrolled by admins.")
    courses: list[str] = Field(default_factory=list, description="Course slugs, in order.")


class ProgramChange(Input):
    """Any of a program's fields; ``courses`` replaces the whole order."""

    title: str | None = Field(None, max_length=MAX_TITLE)
    slug: str | None = Field(None, max_length=MAX_SLUG)
    description: str | None = Field(None, max_length=MAX_DESCRIPTION)
    level: LevelName | None = None
    weeks: int | None = None
    fee: str | None = Field(None, max_length=20)
    currency: str | None = Field(None, max_length=3)
    certificate: str | None = Field(None, max_length=MAX_CERTIFICATE)
    self_enrol: bool | None = None
    courses: list[str] | None = None


class ProgramDetail(ProgramFacts):
    """A program as the back office edits it."""

    courses: list[str] = Field(description="Course slugs, in order.")

    @classmethod
    def of(cls, program: Program) -> ProgramDetail:
        """The details of ``program``."""
        return cls(**program_facts(program), courses=[i.course.slug for i in program.items])


class DeleteQuery(Query):
    """``force=true`` deletes a program with cohorts or issued certificates too."""

    force: bool = False


def _bad_input(exc: LearningError) -> ApiError:
    if isinstance(exc, InUse):
        return ApiError(409, str(exc))
    field = exc.field or "body"
    return ApiError(400, f"{field}: {exc}", [FieldError(field, str(exc))])


def _managed_course(slug: str) -> Course:
    course = course_by_slug(slug)
    if course is None:
        raise ApiError(404, "no such course")
    if not can_manage_course(g.user, course):
        raise ApiError(403, "only admins and the instructor who created it manage this course")
    return course


def _managed_program(slug: str) -> Program:
    if not can_manage_programs(g.user):
        raise ApiError(403, "only admins manage programs")
    program = program_by_slug(slug)
    if program is None:
        raise ApiError(404, "no such program")
    return program


@operation(bp, "POST", "/courses", body=CourseIn, responses={201: CourseDetail}, errors=(403,))
def create_course(body: CourseIn) -> tuple[CourseDetail, int]:
    """Create a course (instructors and admins; the creator manages it)."""
    if not can_create_course(g.user):
        raise ApiError(403, "only instructors and admins create courses")
    try:
        course = save_course(None, body.model_dump(), by=g.user)
    except LearningError as exc:
        raise _bad_input(exc) from None
    db.session.commit()
    return CourseDetail.of(course), 201


@operation(
    bp,
    "PATCH",
    "/courses/<slug>",
    body=CourseChange,
    responses={200: CourseDetail},
    errors=(403, 404),
)
def update_course(slug: str, body: CourseChange) -> CourseDetail:
    """Change a course: any field; ``modules`` and ``prerequisites`` replace the lists."""
    course = _managed_course(slug)
    try:
        save_course(course, body.model_dump(exclude_unset=True))
    except LearningError as exc:
        raise _bad_input(exc) from None
    db.session.commit()
    return CourseDetail.of(course)


@operation(bp, "DELETE", "/courses/<slug>", responses={204: None}, errors=(403, 404, 409))
def delete_course(slug: str) -> None:
    """Delete a course (its modules and progress stay); 409 while a program contains it."""
    course = _managed_course(slug)
    try:
        remove_course(course)
    except LearningError as exc:
        raise _bad_input(exc) from None
    db.session.commit()


@operation(bp, "POST", "/programs", body=ProgramIn, responses={201: ProgramDetail}, errors=(403,))
def create_program(body: ProgramIn) -> tuple[ProgramDetail, int]:
    """Create a program (admins)."""
    if not can_manage_programs(g.user):
        raise ApiError(403, "only admins manage programs")
    try:
        program = save_program(None, body.model_dump())
    except LearningError as exc:
        raise _bad_input(exc) from None
    db.session.commit()
    return ProgramDetail.of(program), 201


@operation(
    bp,
    "PATCH",
    "/programs/<slug>",
    body=ProgramChange,
    responses={200: ProgramDetail},
    errors=(403, 404),
)
def update_program(slug: str, body: ProgramChange) -> ProgramDetail:
    """Change a program: any field; ``courses`` replaces the order (admins)."""
    program = _managed_program(slug)
    try:
        save_program(program, body.model_dump(exclude_unset=True))
    except LearningError as exc:
        raise _bad_input(exc) from None
    db.session.commit()
    return ProgramDetail.of(program)


@operation(
    bp,
    "DELETE",
    "/programs/<slug>",
    query=DeleteQuery,
    responses={204: None},
    errors=(403, 404, 409),
)
def delete_program(slug: str, query: DeleteQuery) -> None:
    """Delete a program with its enrolments (admins); 409 while it has cohorts or issued
    certificates, unless ``force=true`` (cohorts go too, certificates stay valid)."""
    program = _managed_program(slug)
    try:
        remove_program(program, force=query.force)
    except LearningError as exc:
        raise _bad_input(exc) from None
    db.session.commit()
