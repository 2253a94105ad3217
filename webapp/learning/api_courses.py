"""Courses in the back office over the API: create, change and delete them through the
services the pages use (instructors manage the courses they created; admins all)."""

from __future__ import annotations

from flask import g
from pydantic import Field

from webapp.access import can_create_course, can_manage_course
from webapp.api.blueprint import bp
from webapp.api.contract import Input, Output, operation
from webapp.extensions import db
from webapp.learning import queries
from webapp.learning.api_common import LevelName, write
from webapp.learning.services import (
    MAX_DESCRIPTION,
    MAX_SLUG,
    MAX_TITLE,
    course_by_slug,
    save_course,
)
from webapp.learning.services import delete_course as remove_course
from webapp.models import Course, Level, Topic
from webapp.problems import ApiError


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


def _managed_course(slug: str) -> Course:
    course = course_by_slug(slug)
    if course is None:
        raise ApiError(404, "no such course")
    if not can_manage_course(g.user, course):
        raise ApiError(403, "only admins and the instructor who created it manage this course")
    return course


@operation(bp, "POST", "/courses", body=CourseIn, responses={201: CourseDetail}, errors=(403,))
def create_course(body: CourseIn) -> tuple[CourseDetail, int]:
    """Create a course (instructors and admins; the creator manages it)."""
    if not can_create_course(g.user):
        raise ApiError(403, "only instructors and admins create courses")
    course = write(lambda: save_course(None, body.model_dump(), by=g.user))
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
    write(lambda: save_course(course, body.model_dump(exclude_unset=True)))
    return CourseDetail.of(course)


@operation(bp, "DELETE", "/courses/<slug>", responses={204: None}, errors=(403, 404, 409))
def delete_course(slug: str) -> None:
    """Delete a course (its modules and progress stay); 409 while a program contains it."""
    course = _managed_course(slug)
    write(lambda: remove_course(course))
