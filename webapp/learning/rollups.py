"""Progress rollups for courses and programs: pure functions of loaded rows.

Rules:

* a module is completed when the learner watched ``COMPLETION_SHARE`` of it;
* a course's progress is the share of its modules completed (and, as a finer measure,
  watched seconds over its total seconds); it is completed when all its modules are;
* a course is locked while any prerequisite course is not completed;
* a program's progress is the share of its courses' modules completed; its next module
  is the first incomplete module of the first unlocked, incomplete course.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from webapp.models import Course, Module, Program
from webapp.progress.queries import NOT_STARTED, ModuleProgress


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
