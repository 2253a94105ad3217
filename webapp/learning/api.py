"""Programs (learning paths) over the API: the catalogue, a program with the caller's
progress, and the caller's own paths (for every signed-in user). Importing this module
registers the rest of the learning API too: enrolment (``api_enrolments``) and the back
office's course and program writes (``api_courses``, ``api_programs``)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from flask import g
from pydantic import Field

from webapp.access import can_see_program
from webapp.api.blueprint import bp
from webapp.api.contract import Output, operation
from webapp.enrolment.membership import is_active

# The api_* modules are imported for their routes: importing this module registers them all.
from webapp.learning import api_courses, api_enrolments, api_programs, queries  # noqa: F401
from webapp.learning.api_common import ProgramFacts, program_facts, program_or_404
from webapp.learning.queries import CatalogueEntry
from webapp.learning.rollups import CourseState, ModuleState, ProgramState
from webapp.learning.services import find_enrollment
from webapp.learning.views import module_url
from webapp.models import Level

# --------------------------------------------------------------------------- output


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


# --------------------------------------------------------------------------- routes


@operation(bp, "GET", "/programs", responses={200: Catalogue})
def list_programs() -> Catalogue:
    """The program catalogue."""
    entries = queries.catalogue(g.user.id)
    return Catalogue(
        programs=[CatalogueItem.of(e) for e in entries if can_see_program(g.user, e.program)]
    )


@operation(bp, "GET", "/programs/<slug>", responses={200: ProgramOut}, errors=(404,))
def get_program(slug: str) -> ProgramOut:
    """A program with its courses, modules, the caller's progress and lock states."""
    program = program_or_404(slug)
    state = queries.program_state(g.user.id, program)
    cohorts = queries.upcoming_cohorts([program.id]).get(program.id, [])
    return ProgramOut(
        **program_facts(program),
        duration_seconds=round(state.total_seconds, 3),
        upcoming_cohorts=cohorts,
        enrolled=is_active(find_enrollment(g.user.id, program.id)),
        progress=ProgramProgress.of(state),
        next_module=NextModule.of_program(state),
        courses=[CourseOut.of(c) for c in state.courses],
    )


@operation(bp, "GET", "/me/paths", responses={200: Paths})
def my_paths() -> Paths:
    """The caller's programs with progress, next module and course lock states."""
    states = queries.program_states(g.user.id, queries.enrolled_programs(g.user.id))
    return Paths(paths=[PathOut.of(s) for s in states])
