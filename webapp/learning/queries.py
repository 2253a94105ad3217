"""Reads for courses and programs, and the progress rollups built on them.

The rollups are pure functions of already loaded rows and one ``module_progress`` map,
so a page costs a fixed number of queries whatever the number of programs, courses and
modules (structure by ``selectinload``, then one progress query).

Rules:

* a module is completed when the learner watched ``COMPLETION_SHARE`` of it;
* a course's progress is the share of its modules completed (and, as a finer measure,
  watched seconds over its total seconds); it is completed when all its modules are;
* a course is locked while any prerequisite course is not completed;
* a program's progress is the share of its courses' modules completed; its next module
  is the first incomplete module of the first unlocked, incomplete course.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.models import (
    Cohort,
    Course,
    CourseModule,
    CoursePrerequisite,
    Enrollment,
    Module,
    Program,
    ProgramCourse,
)
from webapp.progress.queries import NOT_STARTED, ModuleProgress, module_progress

# --------------------------------------------------------------------------- rollups


@dataclass(frozen=True)
class ModuleState:
    """A module of a course with the learner's progress and whether it is locked."""

    module: Module
    progress: ModuleProgress
    locked: bool

    @property
    def completed(self) -> bool:
        """Completion as recorded by the heartbeats."""
        return self.progress.completed


@dataclass(frozen=True)
class CourseState:
    """A course rolled up for one learner."""

    course: Course
    modules: tuple[ModuleState, ...]
    requires: tuple[Course, ...]
    blockers: tuple[Course, ...]

    @property
    def locked(self) -> bool:
        """Locked while any prerequisite course is not completed."""
        return bool(self.blockers)

    @property
    def unlock_hint(self) -> str:
        """What unlocks the course, e.g. "Complete ‘SEO Basics’ first" (empty if open)."""
        return unlock_hint([c.title for c in self.blockers])

    @property
    def total_modules(self) -> int:
        """Number of modules in the course."""
        return len(self.modules)

    @property
    def completed_modules(self) -> int:
        """Number of modules completed."""
        return sum(1 for m in self.modules if m.completed)

    @property
    def total_seconds(self) -> float:
        """Sum of the module durations."""
        return sum(m.module.duration or 0.0 for m in self.modules)

    @property
    def watched_seconds(self) -> float:
        """Seconds watched, each module capped at its duration."""
        return sum(_capped_watch(m) for m in self.modules)

    @property
    def percent(self) -> int:
        """Share of modules completed, 0–100."""
        return share(self.completed_modules, self.total_modules)

    @property
    def watched_percent(self) -> int:
        """Share of the course's seconds watched, 0–100."""
        return share(self.watched_seconds, self.total_seconds)

    @property
    def completed(self) -> bool:
        """All modules completed (an empty course is never completed)."""
        return self.total_modules > 0 and self.completed_modules == self.total_modules

    @property
    def next_module(self) -> ModuleState | None:
        """The first incomplete module, or None when the course is done."""
        return next((m for m in self.modules if not m.completed), None)


@dataclass(frozen=True)
class ProgramState:
    """A program rolled up for one learner."""

    program: Program
    courses: tuple[CourseState, ...]

    @property
    def total_modules(self) -> int:
        """Modules across all courses."""
        return sum(c.total_modules for c in self.courses)

    @property
    def completed_modules(self) -> int:
        """Modules completed across all courses."""
        return sum(c.completed_modules for c in self.courses)

    @property
    def completed_courses(self) -> int:
        """Courses completed."""
        return sum(1 for c in self.courses if c.completed)

    @property
    def total_seconds(self) -> float:
        """Sum of the module durations across courses."""
        return sum(c.total_seconds for c in self.courses)

    @property
    def watched_seconds(self) -> float:
        """Seconds watched across courses."""
        return sum(c.watched_seconds for c in self.courses)

    @property
    def percent(self) -> int:
        """Share of the program's modules completed, 0–100."""
        return share(self.completed_modules, self.total_modules)

    @property
    def watched_percent(self) -> int:
        """Share of the program's seconds watched, 0–100."""
        return share(self.watched_seconds, self.total_seconds)

    @property
    def completed(self) -> bool:
        """Every course completed."""
        return bool(self.courses) and all(c.completed for c in self.courses)

    @property
    def next_course(self) -> CourseState | None:
        """The first unlocked course that is not completed."""
        return next((c for c in self.courses if not c.locked and not c.completed), None)

    @property
    def next_module(self) -> ModuleState | None:
        """The first incomplete module of the first unlocked incomplete course."""
        course = self.next_course
        return course.next_module if course is not None else None


def share(part: float, whole: float) -> int:
    """``part`` of ``whole`` as a whole percentage, floored so 99.6 % is not "100 %"."""
    if whole <= 0:
        return 0
    return max(0, min(100, int(100 * part / whole)))


def _capped_watch(state: ModuleState) -> float:
    duration = state.module.duration or 0.0
    return min(state.progress.watched_seconds, duration) if duration else 0.0


def unlock_hint(titles: Sequence[str]) -> str:
    """ "Complete ‘A’ first", "Complete ‘A’ and ‘B’ first", "Complete ‘A’, ‘B’ and ‘C’ first"."""
    if not titles:
        return ""
    quoted = [f"‘{t}’" for t in titles]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
    return f"Complete {listed} first"


def course_modules(course: Course) -> list[Module]:
    """The course's modules in their order."""
    return [item.module for item in course.items]


def is_completed(course: Course, progress: Mapping[int, ModuleProgress]) -> bool:
    """Every module of ``course`` completed according to ``progress``."""
    modules = course_modules(course)
    return bool(modules) and all(_progress(progress, m).completed for m in modules)


def _progress(progress: Mapping[int, ModuleProgress], module: Module) -> ModuleProgress:
    return progress.get(module.id) or ModuleProgress(module.id, *NOT_STARTED)


def roll_up_course(
    course: Course,
    requires: Sequence[Course],
    progress: Mapping[int, ModuleProgress],
) -> CourseState:
    """A course's state from its prerequisites and a progress map covering both."""
    blockers = tuple(r for r in requires if not is_completed(r, progress))
    locked = bool(blockers)
    modules = tuple(ModuleState(m, _progress(progress, m), locked) for m in course_modules(course))
    return CourseState(course, modules, tuple(requires), blockers)


def roll_up_program(
    program: Program,
    requires: Mapping[int, Sequence[Course]],
    progress: Mapping[int, ModuleProgress],
) -> ProgramState:
    """A program's state: each of its courses rolled up in order."""
    courses = tuple(
        roll_up_course(item.course, requires.get(item.course_id, ()), progress)
        for item in program.items
    )
    return ProgramState(program, courses)


# --------------------------------------------------------------------------- loading

_COURSE_MODULES = selectinload(Course.items).selectinload(CourseModule.module)
_PROGRAM_TREE = (
    selectinload(Program.items)
    .selectinload(ProgramCourse.course)
    .selectinload(Course.items)
    .selectinload(CourseModule.module)
)


def load_program(slug: str) -> Program | None:
    """The program with its courses and their modules (a fixed number of queries)."""
    return db.session.scalar(select(Program).where(Program.slug == slug).options(_PROGRAM_TREE))


def load_course(slug: str) -> Course | None:
    """The course with its modules."""
    return db.session.scalar(select(Course).where(Course.slug == slug).options(_COURSE_MODULES))


def all_programs() -> list[Program]:
    """Every program, by title."""
    return list(db.session.scalars(select(Program).order_by(Program.title, Program.id)))


def prerequisites(course_ids: Iterable[int]) -> dict[int, list[Course]]:
    """``course_id → [required course, …]`` with the required courses' modules loaded."""
    ids = sorted(set(course_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(CoursePrerequisite.course_id, Course)
        .join(Course, Course.id == CoursePrerequisite.requires_id)
        .where(CoursePrerequisite.course_id.in_(ids))
        .options(_COURSE_MODULES)
        .order_by(CoursePrerequisite.course_id, CoursePrerequisite.id)
    ).all()
    found: dict[int, list[Course]] = defaultdict(list)
    for course_id, required in rows:
        found[course_id].append(required)
    return dict(found)


def _all_modules(courses: Iterable[Course], requires: Mapping[int, Sequence[Course]]) -> list:
    modules: dict[int, Module] = {}
    for course in courses:
        for module in course_modules(course):
            modules[module.id] = module
    for required in requires.values():
        for course in required:
            for module in course_modules(course):
                modules[module.id] = module
    return list(modules.values())


def _progress_for(user_id: int | None, modules: Sequence[Module]) -> dict[int, ModuleProgress]:
    if user_id is None or not modules:
        return {}
    return module_progress(user_id, modules)


def program_states(user_id: int | None, programs: Sequence[Program]) -> list[ProgramState]:
    """Roll up ``programs`` (loaded with their tree) for a learner: two more queries
    (prerequisites, progress); ``user_id`` None gives everything unstarted."""
    courses = [item.course for p in programs for item in p.items]
    requires = prerequisites(c.id for c in courses)
    progress = _progress_for(user_id, _all_modules(courses, requires))
    return [roll_up_program(p, requires, progress) for p in programs]


def program_state(user_id: int | None, program: Program) -> ProgramState:
    """One program rolled up for a learner."""
    return program_states(user_id, [program])[0]


def course_state(user_id: int | None, course: Course) -> CourseState:
    """One course rolled up for a learner, with its lock state."""
    requires = prerequisites([course.id])
    progress = _progress_for(user_id, _all_modules([course], requires))
    return roll_up_course(course, requires.get(course.id, ()), progress)


def enrolled_programs(user_id: int) -> list[Program]:
    """The learner's programs with their tree, in enrolment order."""
    return list(
        db.session.scalars(
            select(Program)
            .join(Enrollment, Enrollment.program_id == Program.id)
            .where(Enrollment.user_id == user_id)
            .options(_PROGRAM_TREE)
            .order_by(Enrollment.enrolled_at, Enrollment.id)
        )
    )


def enrolled_ids(user_id: int | None) -> set[int]:
    """Ids of the programs the user is enrolled in."""
    if user_id is None:
        return set()
    return set(
        db.session.scalars(select(Enrollment.program_id).where(Enrollment.user_id == user_id))
    )


def programs_of_course(course_id: int) -> list[Program]:
    """Programs that contain the course (for its page's breadcrumbs)."""
    return list(
        db.session.scalars(
            select(Program)
            .join(ProgramCourse, ProgramCourse.program_id == Program.id)
            .where(ProgramCourse.course_id == course_id)
            .order_by(Program.title)
        )
    )


# --------------------------------------------------------------------------- catalogue


def today() -> date:
    """Today's date in UTC (cohort start dates are calendar dates)."""
    return datetime.now(UTC).date()


def upcoming_cohorts(program_ids: Iterable[int], on: date | None = None) -> dict[int, list]:
    """``program_id → [start date, …]`` of cohorts starting on or after ``on`` (today)."""
    ids = sorted(set(program_ids))
    if not ids:
        return {}
    on = on or today()
    rows = db.session.execute(
        select(Cohort.program_id, Cohort.starts_on)
        .where(Cohort.program_id.in_(ids), Cohort.starts_on >= on)
        .order_by(Cohort.starts_on, Cohort.id)
    ).all()
    found: dict[int, list[date]] = defaultdict(list)
    for program_id, starts_on in rows:
        if starts_on not in found[program_id]:
            found[program_id].append(starts_on)
    return dict(found)


def program_totals(program_ids: Iterable[int]) -> dict[int, tuple[int, int, float]]:
    """``program_id → (courses, modules, total seconds)`` in one aggregate query."""
    ids = sorted(set(program_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(
            ProgramCourse.program_id,
            func.count(func.distinct(ProgramCourse.course_id)),
            func.count(Module.id),
            func.coalesce(func.sum(Module.duration), 0.0),
        )
        .select_from(ProgramCourse)
        .outerjoin(CourseModule, CourseModule.course_id == ProgramCourse.course_id)
        .outerjoin(Module, Module.id == CourseModule.module_id)
        .where(ProgramCourse.program_id.in_(ids))
        .group_by(ProgramCourse.program_id)
    ).all()
    return {pid: (int(c), int(m), float(s)) for pid, c, m, s in rows}


@dataclass(frozen=True)
class CatalogueEntry:
    """What a buyer compares about one program."""

    program: Program
    course_count: int
    module_count: int
    total_seconds: float
    cohort_dates: tuple[date, ...]
    enrolled: bool


def catalogue(user_id: int | None) -> list[CatalogueEntry]:
    """Every program with its totals, upcoming cohorts and whether the user is enrolled
    (four queries whatever the catalogue's size)."""
    programs = all_programs()
    ids = [p.id for p in programs]
    totals = program_totals(ids)
    cohorts = upcoming_cohorts(ids)
    mine = enrolled_ids(user_id)
    return [
        CatalogueEntry(
            p,
            *totals.get(p.id, (0, 0, 0.0)),
            tuple(cohorts.get(p.id, ())),
            p.id in mine,
        )
        for p in programs
    ]
