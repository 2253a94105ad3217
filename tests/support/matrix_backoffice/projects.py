"""Route-matrix entries: projects (issue 21) — instructors' pages to set, edit, delete
and grade a project of cohort A; its learners' page, hand-in and the download of a
handed-in file (learner A's); over the API, the project and grading.

Every case works on throw-away objects (``fresh=``): a project of cohort A, and for the
grading and the download learner A's hand-in with a small text file. Forms are posted
empty on purpose (400 once past the access checks); the grading body is well formed but
grades no criterion (400 from the rubric, once past the access checks)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask import current_app

from webapp.extensions import db
from webapp.models import Cohort, LatePolicy, Project, User
from webapp.projects import services

if TYPE_CHECKING:
    from tests.support.matrix_world import World
    from tests.support.route_matrix import Entry


def _project(world: World) -> Project:
    with current_app.test_request_context():
        project = services.save_project(
            db.session.get_one(Cohort, world.cohort_a),
            None,
            services.ProjectValues(
                title="Matrix project",
                brief="Hand in *something*.",
                due_at=datetime.now(UTC) + timedelta(days=7),
                pass_mark=1,
                late_policy=LatePolicy.ACCEPT,
                penalty_percent=0,
                rubric="Work | None = 0 | Done = 2",
            ),
        )
        db.session.commit()
        return project


def fresh_project(world: World) -> dict[str, Any]:
    """A new project of cohort A."""
    return {"project_id": _project(world).id}


def fresh_submission(world: World) -> dict[str, Any]:
    """Learner A's hand-in (a text file) of a new project of cohort A."""
    project = _project(world)
    learner = db.session.get_one(User, world.users["learner_a"])
    with current_app.test_request_context():
        submission = services.submit(
            project, learner, [services.Upload("notes.md", b"# Notes\n")], [], 1024 * 1024
        )
        db.session.commit()
        return {"submission_id": submission.id, "item_id": submission.items[0].id}


def entries() -> Iterator[Entry]:
    """This feature's entries."""
    from tests.support.route_matrix import COHORT_LEARNER, MEMBER, TEACHER, _at, _e

    empty = {"ok": 400, "form": lambda w: {}}
    cohort = _at(cohort_id="cohort_a")

    def project(**kw: Any) -> dict[str, Any]:
        return {"values": _at(), "fresh": fresh_project, **kw}

    def submission(**kw: Any) -> dict[str, Any]:
        return {"values": _at(), "fresh": fresh_submission, **kw}

    # Learners' pages.
    yield _e("projects.project", "GET", MEMBER, **project())
    yield _e("projects.submit", "POST", COHORT_LEARNER, **project(**empty))
    yield _e("projects.download", "GET", MEMBER, **submission())

    # Instructors' pages.
    yield _e("projects.new_project", "GET", TEACHER, cohort)
    yield _e("projects.new_project", "POST", TEACHER, cohort, **empty)
    yield _e("projects.manage_project", "GET", TEACHER, **project())
    yield _e("projects.edit_project", "GET", TEACHER, **project())
    yield _e("projects.edit_project", "POST", TEACHER, **project(**empty))
    yield _e("projects.delete_project", "GET", TEACHER, **project())
    yield _e("projects.delete_project", "POST", TEACHER, **project(ok=302, form=lambda w: {}))
    yield _e("projects.grade", "GET", TEACHER, **submission())
    yield _e("projects.grade", "POST", TEACHER, **submission(**empty))

    # API.
    yield _e("api.get_project", "GET", MEMBER, **project())
    yield _e(
        "api.grade_submission",
        "POST",
        TEACHER,
        **submission(ok=400, json=lambda w: {"scores": [], "decision": "return"}),
    )
