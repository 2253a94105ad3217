"""The learner's path on the watch page: which program and course a video was reached
through, the course's modules with the learner's progress, and the next lesson.

The path comes from the link (``?course=<id>&program=<id>``, added by the program and
course pages) and is checked here: a course that does not hold the video, or a program
the viewer may not see or that does not hold the course, is dropped silently, so a
forged link shows less, never an error page or someone else's program.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.access import can_see_program
from webapp.extensions import db
from webapp.learning.queries import course_state
from webapp.learning.rollups import CourseState, ModuleState
from webapp.models import Course, CourseModule, Module, Program, ProgramCourse, User, Video


@dataclass(frozen=True)
class WatchPath:
    """The course (and program) a video is watched in, rolled up for the viewer."""

    program: Program | None
    course: CourseState
    index: int  # the position of the watched module in ``course.modules``

    @property
    def current(self) -> ModuleState:
        """The module being watched."""
        return self.course.modules[self.index]

    @property
    def next(self) -> ModuleState | None:
        """The module after this one in the course, unless there is none or it is locked."""
        following = self.course.modules[self.index + 1 : self.index + 2]
        return following[0] if following and not following[0].locked else None

    def url(self, state: ModuleState) -> str:
        """The watch page of a module of this path, keeping the path in the link."""
        return watch_url(
            state.module, self.course.course.id, self.program.id if self.program else None
        )


def watch_url(module: Module, course_id: int | None = None, program_id: int | None = None) -> str:
    """The watch page of a module (``/clips/ID`` for a clip, else ``/videos/ID``), with the
    course and program it is reached through, if any."""
    context: dict[str, Any] = {}
    if course_id is not None:
        context["course"] = course_id
        if program_id is not None:
            context["program"] = program_id
    if module.clip_id is not None:
        return url_for("clips.watch", clip_id=module.clip_id, **context)
    return url_for("playback.watch", video_id=module.video_id, **context)


def _course_with_modules(course_id: int) -> Course | None:
    return db.session.scalar(
        select(Course)
        .where(Course.id == course_id)
        .options(selectinload(Course.items).selectinload(CourseModule.module))
    )


def _program_holding(user: User, program_id: int | None, course_id: int) -> Program | None:
    if program_id is None:
        return None
    program = db.session.get(Program, program_id)
    if program is None or not can_see_program(user, program):
        return None
    held = db.session.scalar(
        select(ProgramCourse.id).where(
            ProgramCourse.program_id == program_id, ProgramCourse.course_id == course_id
        )
    )
    return program if held is not None else None


def watch_path(
    user: User, video: Video, course_id: int | None, program_id: int | None
) -> WatchPath | None:
    """The validated path of ``video`` for ``user`` from the link's ids, or None. The
    module list costs a fixed number of queries (one for the progress of all modules)."""
    if course_id is None:
        return None
    course = _course_with_modules(course_id)
    if course is None:
        return None
    index = next(
        (
            i
            for i, item in enumerate(course.items)
            if item.module.video_id == video.id and item.module.clip_id is None
        ),
        None,
    )
    if index is None:
        return None
    program = _program_holding(user, program_id, course.id)
    return WatchPath(program, course_state(user.id, course), index)
