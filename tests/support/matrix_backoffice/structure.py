"""Route-matrix entries: structure (back office): topics, courses and programs.

Topics and programs are the admins'; instructors create courses and manage the ones they
created (``COURSE_AUTHOR``, on a throw-away course of instructor A). Cases that change or
delete something work on throw-away objects made by the ``fresh_*`` functions below.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count
from typing import TYPE_CHECKING

from webapp.catalogue.services import add_topic
from webapp.extensions import db
from webapp.learning.services import enrol, program_by_slug, save_course, save_program
from webapp.models import User

if TYPE_CHECKING:
    from tests.support.matrix_world import World
    from tests.support.route_matrix import Entry

_serial = count(1)


def fresh_topic(world: World) -> dict[str, object]:
    """A new, unused topic."""
    topic = add_topic(f"Spare topic {next(_serial)}")
    db.session.commit()
    return {"slug": topic.slug}


def fresh_course(world: World, author: str | None = None) -> dict[str, object]:
    """A new course of the public module, in no program (``author``: its creator's role)."""
    by = db.session.get(User, world.users[author]) if author else None
    changes = {"title": f"Spare course {next(_serial)}", "modules": [world.public_module]}
    course = save_course(None, changes, by=by)
    db.session.commit()
    return {"slug": course.slug, "module_id": world.public_module}


def fresh_instructor_course(world: World) -> dict[str, object]:
    """A new course created by instructor A."""
    return fresh_course(world, "instructor_a")


def fresh_program(world: World) -> dict[str, object]:
    """A new program of course A, with no cohort or certificate."""
    program = save_program(
        None, {"title": f"Spare program {next(_serial)}", "courses": [world.course_a]}
    )
    db.session.commit()
    return {"slug": program.slug, "course": world.course_a}


def fresh_enrolment(world: World) -> dict[str, object]:
    """Learner B enrolled in a new program (an enrolment to end)."""
    slug = str(fresh_program(world)["slug"])
    program = program_by_slug(slug)
    learner = db.session.get(User, world.users["learner_b"])
    assert program is not None and learner is not None
    enrol(learner, program, admin=True)
    db.session.commit()
    return {"slug": slug, "user_id": learner.id}


def fresh_bare_program(world: World) -> dict[str, object]:
    """A new program (its slug only: the delete route reads its query string)."""
    return {"slug": fresh_program(world)["slug"]}


def entries() -> Iterator[Entry]:
    """This feature's entries."""
    from tests.support.route_matrix import ADMIN, UPLOADER, Policy, _at, _e

    course_author = Policy(
        "COURSE_AUTHOR",
        "the instructor who created the course, admins",
        "auth 403 403 ok 403 ok",
    )
    empty = {"form": lambda w: {}}
    down = {"form": lambda w: {"direction": "down"}}

    # Topics (admins).
    yield _e("catalogue_manage.topics", "GET", ADMIN)
    yield _e("catalogue_manage.topics", "POST", ADMIN, ok=400, **empty)
    yield _e("catalogue_manage.edit_topic", "GET", ADMIN, _at(), fresh=fresh_topic)
    yield _e(
        "catalogue_manage.edit_topic", "POST", ADMIN, _at(), fresh=fresh_topic, ok=400, **empty
    )
    yield _e("catalogue_manage.delete_topic", "GET", ADMIN, _at(), fresh=fresh_topic)
    yield _e("catalogue_manage.delete_topic", "POST", ADMIN, _at(), fresh=fresh_topic, ok=302)
    yield _e("api.create_topic", "POST", ADMIN, ok=400, json=lambda w: {"name": ""})
    yield _e(
        "api.update_topic",
        "PATCH",
        ADMIN,
        _at(),
        fresh=fresh_topic,
        ok=400,
        json=lambda w: {"name": ""},
    )
    yield _e("api.delete_topic", "DELETE", ADMIN, _at(), fresh=fresh_topic, ok=204)

    # SortableJS is a dependency (package.json), installed wherever the suite runs.
    # Courses: instructors and admins create; course A was made by no one (admins only).
    yield _e(
        "learning_manage.vendor",
        "GET",
        UPLOADER,
        _at({"name": "sortable.esm.js"}),
        needs_npm=True,
    )
    yield _e("learning_manage.courses", "GET", UPLOADER)
    yield _e("learning_manage.new_course", "GET", UPLOADER)
    yield _e("learning_manage.new_course", "POST", UPLOADER, ok=400, **empty)
    yield _e("learning_manage.edit_course", "GET", ADMIN, _at(slug="course_a"))
    yield _e(
        "learning_manage.edit_course",
        "GET",
        course_author,
        _at(),
        fresh=fresh_instructor_course,
        variant="own course",
    )
    yield _e("learning_manage.edit_course", "POST", ADMIN, _at(slug="course_a"), ok=400, **empty)
    yield _e(
        "learning_manage.course_add_module", "POST", ADMIN, _at(slug="course_a"), ok=302, **empty
    )
    yield _e(
        "learning_manage.course_remove_module", "POST", ADMIN, _at(), fresh=fresh_course, ok=302
    )
    yield _e(
        "learning_manage.course_move_module",
        "POST",
        ADMIN,
        _at(),
        fresh=fresh_course,
        ok=302,
        **down,
    )
    yield _e("learning_manage.delete_course", "GET", ADMIN, _at(slug="course_a"))
    yield _e("learning_manage.delete_course", "POST", ADMIN, _at(), fresh=fresh_course, ok=302)
    yield _e("api.create_course", "POST", UPLOADER, ok=400, json=lambda w: {"title": ""})
    yield _e("api.update_course", "PATCH", ADMIN, _at(slug="course_a"), json=lambda w: {})
    yield _e(
        "api.update_course",
        "PATCH",
        course_author,
        _at(),
        fresh=fresh_instructor_course,
        json=lambda w: {"level": "advanced"},
        variant="own course",
    )
    yield _e("api.delete_course", "DELETE", ADMIN, _at(), fresh=fresh_course, ok=204)

    # Programs (admins).
    yield _e("learning_manage.programs", "GET", ADMIN)
    yield _e("learning_manage.new_program", "GET", ADMIN)
    yield _e("learning_manage.new_program", "POST", ADMIN, ok=400, **empty)
    yield _e("learning_manage.edit_program", "GET", ADMIN, _at(slug="program_a"))
    yield _e("learning_manage.edit_program", "POST", ADMIN, _at(slug="program_a"), ok=400, **empty)
    yield _e(
        "learning_manage.program_add_course", "POST", ADMIN, _at(slug="program_a"), ok=302, **empty
    )
    yield _e(
        "learning_manage.program_remove_course", "POST", ADMIN, _at(), fresh=fresh_program, ok=302
    )
    yield _e(
        "learning_manage.program_move_course",
        "POST",
        ADMIN,
        _at(),
        fresh=fresh_program,
        ok=302,
        **down,
    )
    yield _e("learning_manage.delete_program", "GET", ADMIN, _at(slug="program_a"))
    yield _e("learning_manage.delete_program", "POST", ADMIN, _at(), fresh=fresh_program, ok=302)
    yield _e("learning_manage.enrol_person", "POST", ADMIN, _at(slug="program_a"), ok=400, **empty)
    yield _e("learning_manage.unenrol_person", "POST", ADMIN, _at(), fresh=fresh_enrolment, ok=302)
    yield _e("api.unenrol_someone", "DELETE", ADMIN, _at(), fresh=fresh_enrolment, ok=204)
    yield _e("api.create_program", "POST", ADMIN, ok=400, json=lambda w: {"title": ""})
    yield _e("api.update_program", "PATCH", ADMIN, _at(slug="program_a"), json=lambda w: {})
    yield _e("api.delete_program", "DELETE", ADMIN, _at(), fresh=fresh_bare_program, ok=204)
