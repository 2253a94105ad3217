"""Reads for courses and programs (see ``rollups`` for how progress adds up).

The rollups are pure functions of already loaded rows and one ``module_progress`` map,
so a page costs a fixed number of queries whatever the number of programs, courses and
modules (structure by ``selectinload``, then one progress query).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.orm import selectinload

from webapp.audiences.rules import visible_module_rule
from webapp.enrolment.membership import active_enrollment
from webapp.extensions import db

# --------------------------------------------------------------------------- rollups
from webapp.learning.rollups import (
    CourseState,
    ProgramState,
    course_modules,
    roll_up_course,
    roll_up_program,
    share,
)
from webapp.models import (
    Cohort,
    Course,
    CourseModule,
    CoursePrerequisite,
    Enrollment,
    Module,
    Program,
    ProgramCourse,
    User,
    WatchProgress,
)
from webapp.models.base import as_utc
from webapp.models.progress import WatchDay
from webapp.progress.queries import ModuleProgress, module_progress

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
            .where(Enrollment.user_id == user_id, active_enrollment())
            .options(_PROGRAM_TREE)
            .order_by(Enrollment.enrolled_at, Enrollment.id)
        )
    )


def enrolled_ids(user_id: int | None) -> set[int]:
    """Ids of the programs the user is enrolled in."""
    if user_id is None:
        return set()
    return set(
        db.session.scalars(
            select(Enrollment.program_id).where(Enrollment.user_id == user_id, active_enrollment())
        )
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


# --------------------------------------------------------------------------- learner home

CONTINUE_LIMIT = 6
COMPLETED_LIMIT = 20


@dataclass(frozen=True)
class ResumePoint:
    """An unfinished module with where the learner left it."""

    module: Module
    position: float
    percent: int
    updated_at: datetime


@dataclass(frozen=True)
class CompletedModule:
    """A module the learner completed, and when."""

    module: Module
    completed_at: datetime


@dataclass(frozen=True)
class LearnerHome:
    """Everything the learner's home shows."""

    paths: list[ProgramState]
    resume: list[ResumePoint]
    completed: list[CompletedModule]
    completed_total: int
    week_start: date
    week_seconds: float


def _module_of_progress():
    """Join condition: the module a progress row belongs to (a clip, or a whole video)."""
    return or_(
        and_(WatchProgress.clip_id.is_not(None), Module.clip_id == WatchProgress.clip_id),
        and_(
            WatchProgress.clip_id.is_(None),
            Module.clip_id.is_(None),
            Module.video_id == WatchProgress.video_id,
        ),
    )


def continue_watching(
    user_id: int, limit: int = CONTINUE_LIMIT, viewer: User | None = None
) -> list[ResumePoint]:
    """Started, unfinished modules, most recently watched first (one query); with
    ``viewer``, only those the viewer may still see (an enrolment ended, a module made
    private since)."""
    visible = visible_module_rule(viewer) if viewer is not None else true()
    rows = db.session.execute(
        select(Module, WatchProgress.position, WatchProgress.watched_seconds)
        .add_columns(WatchProgress.updated_at)
        .select_from(WatchProgress)
        .join(Module, _module_of_progress())
        .where(
            WatchProgress.user_id == user_id,
            WatchProgress.completed_at.is_(None),
            or_(WatchProgress.position > 0, WatchProgress.watched_seconds > 0),
            visible,
        )
        .order_by(WatchProgress.updated_at.desc(), WatchProgress.id.desc())
        .limit(limit)
    ).all()
    return [
        ResumePoint(module, position, share(watched, module.duration or 0.0), as_utc(updated))
        for module, position, watched, updated in rows
    ]


def completed_modules(
    user_id: int, limit: int = COMPLETED_LIMIT
) -> tuple[list[CompletedModule], int]:
    """The learner's most recently completed modules (at most ``limit``) and how many
    modules they completed in all (two queries)."""
    completed = WatchProgress.completed_at.is_not(None)
    base = (
        select(Module, WatchProgress.completed_at)
        .select_from(WatchProgress)
        .join(Module, _module_of_progress())
        .where(WatchProgress.user_id == user_id, completed)
    )
    rows = db.session.execute(
        base.order_by(WatchProgress.completed_at.desc(), Module.id.desc()).limit(limit)
    ).all()
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    modules = [CompletedModule(m, as_utc(at)) for m, at in rows if at is not None]
    return modules, int(total or 0)


def week_start(now: datetime) -> date:
    """Monday of the ISO week that contains ``now``, in UTC."""
    day = as_utc(now).date()
    return day - timedelta(days=day.weekday())


def seconds_this_week(user_id: int, now: datetime) -> float:
    """New watch time of the ISO week (Monday–Sunday, UTC days, as ``watch_days`` records
    them) that contains ``now``: one SUM."""
    start = week_start(now)
    total = db.session.scalar(
        select(func.coalesce(func.sum(WatchDay.seconds), 0.0)).where(
            WatchDay.user_id == user_id,
            WatchDay.day >= start,
            WatchDay.day < start + timedelta(days=7),
        )
    )
    return float(total or 0.0)


def learner_home(user_id: int, now: datetime, viewer: User | None = None) -> LearnerHome:
    """The learner's paths rolled up, resume points (those ``viewer`` may see, when
    given), completed modules and this week's watch time (``now`` decides the week;
    tests pass a fixed one)."""
    completed, completed_total = completed_modules(user_id)
    return LearnerHome(
        paths=program_states(user_id, enrolled_programs(user_id)),
        resume=continue_watching(user_id, viewer=viewer),
        completed=completed,
        completed_total=completed_total,
        week_start=week_start(now),
        week_seconds=seconds_this_week(user_id, now),
    )


def enrolled_people(program_id: int, limit: int = 500) -> list[tuple[User, datetime]]:
    """Who is enrolled in the program and since when, newest first."""
    rows = db.session.execute(
        select(User, Enrollment.enrolled_at)
        .join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.program_id == program_id, active_enrollment())
        .order_by(Enrollment.enrolled_at.desc(), User.id.desc())
        .limit(limit)
    ).all()
    return [(user, as_utc(at)) for user, at in rows]
