"""A learner enrolled in a one-course program of two lessons: the path the watch-page
tests reach a lesson through (``?course=…&program=…``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask

from tests.support import factories
from webapp.extensions import db
from webapp.learning import services
from webapp.models import Module, User, Video


@dataclass(frozen=True)
class Course:
    """Two lessons in 'SEO Basics' of the 'Marketing' program; the learner is enrolled."""

    learner: factories.UserInfo
    first: int  # the captioned lesson (its transcript shows)
    second: int
    query: str  # ?course=…&program=…


def enrolled_course(
    app: Flask,
    make_user: Callable[..., factories.UserInfo],
    make_lesson: Callable[..., int],
    captioned_lesson: int,
) -> Course:
    """A new learner enrolled in 'Marketing', whose course holds ``captioned_lesson`` and
    a second lesson of the same owner."""
    learner = make_user("learner")
    with app.app_context():
        owner_id = db.session.get(Video, captioned_lesson).owner_id
    second = make_lesson(owner_id, "Second lesson")
    with app.app_context():
        modules = [
            Module(video_id=captioned_lesson, title="Optimisers", duration=12.0),
            Module(video_id=second, title="Momentum", duration=12.0),
        ]
        db.session.add_all(modules)
        db.session.flush()
        basics = services.create_course("seo-basics", "SEO Basics", [m.id for m in modules])
        program = services.create_program("marketing", "Marketing", ["seo-basics"])
        services.enrol(db.session.get(User, learner.id), program, admin=True)
        db.session.commit()
        query = f"?course={basics.id}&program={program.id}"
    return Course(learner, captioned_lesson, second, query)
