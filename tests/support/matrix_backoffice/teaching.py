"""Route-matrix entries: teaching (back office) — cohorts, members, live classes,
masterclasses and exams, as pages and over the API.

Read pages and edits use cohort A, its running class and its exam; deletes use
throw-away objects (``fresh=``) so the cases do not depend on their order. Forms are
posted empty on purpose (400 once past the access checks); API bodies are legal (the
schema is checked before the access rules)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from webapp.cohorts import services
from webapp.extensions import db
from webapp.models import Cohort, User

if TYPE_CHECKING:
    from tests.support.matrix_world import World
    from tests.support.route_matrix import Entry


def _later() -> str:
    return (datetime.now(UTC) + timedelta(days=30)).isoformat()


def fresh_cohort(world: World) -> dict[str, Any]:
    """A new, empty cohort of program A."""
    cohort = services.create_cohort("matrix-a", "Spare cohort", date(2027, 1, 4), "UTC")
    db.session.commit()
    return {"cohort_id": cohort.id}


def fresh_member(world: World) -> dict[str, Any]:
    """A new account, a learner of cohort A."""
    user = User(email=f"spare-{uuid.uuid4().hex[:12]}@matrix.example.com", password_hash="!")
    db.session.add(user)
    db.session.flush()
    services.add_member(db.session.get_one(Cohort, world.cohort_a), user, "learner")
    db.session.commit()
    return {"cohort_id": world.cohort_a, "user_id": user.id}


def fresh_class(world: World) -> dict[str, Any]:
    """A new future class of cohort A."""
    cohort = db.session.get_one(Cohort, world.cohort_a)
    start = datetime.now(UTC) + timedelta(days=3)
    live_class = services.add_class(cohort, "Spare class", start, 30)
    db.session.commit()
    return {"class_id": live_class.id}


def fresh_exam(world: World) -> dict[str, Any]:
    """A new exam of cohort A without modules."""
    cohort = db.session.get_one(Cohort, world.cohort_a)
    exam = services.add_exam(cohort, "Spare exam", datetime.now(UTC) + timedelta(days=9), [])
    db.session.commit()
    return {"exam_id": exam.id}


def entries() -> Iterator[Entry]:
    """This feature's entries."""
    from tests.support.route_matrix import ADMIN, REPORTER, TEACHER, _at, _e

    cohort, live = _at(cohort_id="cohort_a"), _at(class_id="live_class_a")
    master, exam = _at(class_id="masterclass"), _at(exam_id="exam_a")
    empty = {"ok": 400, "form": lambda w: {}}

    def learner_a(w: World) -> dict[str, Any]:
        return {"cohort_id": w.cohort_a, "user_id": w.users["learner_a"]}

    # Pages.
    yield _e("cohorts.manage_cohorts", "GET", REPORTER)
    yield _e("cohorts.new_cohort", "GET", ADMIN)
    yield _e("cohorts.new_cohort", "POST", ADMIN, **empty)
    yield _e("cohorts.edit_cohort", "GET", ADMIN, cohort)
    yield _e("cohorts.edit_cohort", "POST", ADMIN, cohort, **empty)
    yield _e("cohorts.delete_cohort", "GET", ADMIN, cohort)
    yield _e(
        "cohorts.delete_cohort", "POST", ADMIN, _at(), fresh=fresh_cohort, ok=302, form=lambda w: {}
    )
    yield _e("cohorts.manage_cohort", "GET", TEACHER, cohort)
    yield _e("cohorts.add_member", "POST", TEACHER, cohort, **empty)
    yield _e("cohorts.import_members", "POST", TEACHER, cohort, **empty)
    yield _e(
        "cohorts.change_member_role",
        "POST",
        TEACHER,
        lambda w, f: learner_a(w),
        ok=302,
        form=lambda w: {"role": "learner"},
    )
    yield _e("cohorts.remove_member", "GET", TEACHER, lambda w, f: learner_a(w))
    yield _e(
        "cohorts.remove_member",
        "POST",
        TEACHER,
        _at(),
        fresh=fresh_member,
        ok=302,
        form=lambda w: {},
    )
    yield _e("cohorts.new_class", "GET", TEACHER, cohort)
    yield _e("cohorts.new_class", "POST", TEACHER, cohort, **empty)
    yield _e("cohorts.manage_masterclasses", "GET", ADMIN)
    yield _e("cohorts.new_masterclass", "GET", ADMIN)
    yield _e("cohorts.new_masterclass", "POST", ADMIN, **empty)
    yield _e("cohorts.edit_class", "GET", TEACHER, live)
    yield _e("cohorts.edit_class", "GET", ADMIN, master, variant="masterclass")
    yield _e("cohorts.edit_class", "POST", TEACHER, live, **empty)
    yield _e("cohorts.delete_class", "GET", TEACHER, live)
    yield _e(
        "cohorts.delete_class", "POST", TEACHER, _at(), fresh=fresh_class, ok=302, form=lambda w: {}
    )
    yield _e("cohorts.new_exam", "GET", TEACHER, cohort)
    yield _e("cohorts.new_exam", "POST", TEACHER, cohort, **empty)
    yield _e("cohorts.edit_exam", "GET", TEACHER, exam)
    yield _e("cohorts.edit_exam", "POST", TEACHER, exam, **empty)
    yield _e("cohorts.delete_exam", "GET", TEACHER, exam)
    yield _e(
        "cohorts.delete_exam", "POST", TEACHER, _at(), fresh=fresh_exam, ok=302, form=lambda w: {}
    )

    # API.
    new_cohort = {"program": "matrix-a", "name": "API cohort", "starts_on": "2027-02-01"}
    yield _e("api.create_cohort", "POST", ADMIN, ok=201, json=lambda w: new_cohort)
    yield _e("api.update_cohort", "PATCH", ADMIN, cohort, json=lambda w: {})
    yield _e("api.delete_cohort", "DELETE", ADMIN, _at(), fresh=fresh_cohort, ok=204)
    nobody = {"email": "nobody@matrix.example.com", "role": "learner"}
    yield _e("api.add_cohort_member", "POST", TEACHER, cohort, ok=400, json=lambda w: nobody)
    yield _e(
        "api.update_cohort_member",
        "PATCH",
        TEACHER,
        lambda w, f: learner_a(w),
        json=lambda w: {"role": "learner"},
    )
    yield _e("api.remove_cohort_member", "DELETE", TEACHER, _at(), fresh=fresh_member, ok=204)

    def new_class(w: World) -> dict[str, Any]:
        return {"title": "API class", "starts_at": _later(), "duration_minutes": 45}

    yield _e("api.create_class", "POST", TEACHER, cohort, ok=201, json=new_class)
    yield _e("api.create_masterclass", "POST", ADMIN, ok=201, json=new_class)
    yield _e("api.update_class", "PATCH", TEACHER, live, json=lambda w: {})
    yield _e("api.update_class", "PATCH", ADMIN, master, json=lambda w: {}, variant="masterclass")
    yield _e("api.delete_class", "DELETE", TEACHER, _at(), fresh=fresh_class, ok=204)

    def new_exam(w: World) -> dict[str, Any]:
        return {"title": "API exam", "starts_at": _later(), "module_ids": []}

    yield _e("api.create_exam", "POST", TEACHER, cohort, ok=201, json=new_exam)
    yield _e("api.update_exam", "PATCH", TEACHER, exam, json=lambda w: {})
    yield _e("api.delete_exam", "DELETE", TEACHER, _at(), fresh=fresh_exam, ok=204)
