"""Mass assignment: extra fields in a write (``role``, ``owner_id``, ``user_id``, ``id``,
``created_at``, ``video_id``, ``status``…) never change anything.

Each write endpoint either refuses the extras (400 naming the field, and then the whole
database is byte-for-byte what it was), or ignores them (the write succeeds, and reading
the rows back shows only the legal fields changed, on the caller's own rows). JSON APIs
of our own pages refuse; the heartbeat, the Uppy upload protocol, token creation and the
HTML forms ignore, because their clients send other fields by design.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.support import factories
from tests.support.matrix_callers import Caller
from tests.support.matrix_world import A_POSITION, VTT, World
from webapp.extensions import db
from webapp.models import (
    ApiToken,
    Attendance,
    Caption,
    Enrollment,
    LiveClass,
    Program,
    UploadSession,
    User,
    Video,
    WatchProgress,
)

FAKE_ID = 999_999
OLD = "2000-01-01T00:00:00+00:00"


@pytest.fixture(autouse=True)
def _clean_tables() -> Iterator[None]:
    """Replaces conftest's per-test wipe: ``world`` (tests/support/matrix_callers.py) is built
    once for the module and wiped at its end."""
    yield


def hostile(world: World, *legal: str) -> dict[str, Any]:
    """Fields nobody may set through a request, minus the ones legal for the endpoint."""
    fields = {
        "id": FAKE_ID,
        "role": "admin",
        "is_admin": True,
        "active": False,
        "email": "mallory@example.com",
        "password_hash": "x",
        "owner_id": world.users["instructor_b"],
        "user_id": world.users["learner_b"],
        "created_by": world.users["instructor_b"],
        "uploaded_by": world.users["instructor_b"],
        "enrolled_by": world.users["admin"],
        "video_id": world.other_video,
        "clip_id": world.private_clip,
        "program_id": FAKE_ID,
        "cohort_id": world.cohort_b,
        "created_at": OLD,
        "updated_at": OLD,
        "status": "completed",
        "state": "ready",
    }
    return {k: v for k, v in fields.items() if k not in legal}


def snapshot(app: Flask) -> dict[str, set[str]]:
    """Every row of every table, as text."""
    with app.app_context():
        return {
            table.name: {repr(tuple(row)) for row in db.session.execute(table.select())}
            for table in db.metadata.sorted_tables
        }


def changed(before: dict[str, set[str]], after: dict[str, set[str]]) -> set[str]:
    """Tables with any row added, removed or altered."""
    return {name for name in before if before[name] != after[name]}


def roles_of(app: Flask) -> dict[int, tuple[str, bool]]:
    """Every account's role and active flag."""
    with app.app_context():
        return {u.id: (u.role, u.active) for u in db.session.scalars(select(User))}


# --------------------------------------------------------------------------- refused


@dataclass(frozen=True)
class Strict:
    """A write that refuses unknown fields: who, where, and a legal body."""

    name: str
    role: str
    method: str
    url: Callable[[World], str]
    legal: Callable[[World], dict[str, Any]]
    keeps: tuple[str, ...] = ()  # hostile names that are legal fields here


STRICT = [
    Strict(
        "preferences",
        "learner_b",
        "PUT",
        lambda w: "/api/v1/me/preferences",
        lambda w: {"volume": 0.5},
    ),
    Strict(
        "clip create",
        "instructor_a",
        "POST",
        lambda w: f"/api/v1/videos/{w.public_video}/clips",
        lambda w: {"title": "Cut", "start": 0, "end": 1.5},
    ),
    Strict(
        "clip update",
        "instructor_a",
        "PATCH",
        lambda w: f"/api/v1/videos/{w.public_video}/clips/{w.public_clip}",
        lambda w: {"title": "Renamed clip"},
    ),
    Strict(
        "chapter create",
        "instructor_a",
        "POST",
        lambda w: f"/api/v1/videos/{w.public_video}/chapters",
        lambda w: {"title": "Later", "start": 3.0},
    ),
    Strict(
        "chapter update",
        "instructor_a",
        "PATCH",
        lambda w: f"/api/v1/videos/{w.public_video}/chapters/{w.public_chapter}",
        lambda w: {"title": "Opening"},
    ),
    Strict(
        "module curation",
        "instructor_a",
        "PATCH",
        lambda w: f"/api/v1/modules/{w.public_module}",
        lambda w: {"description": "Curated"},
    ),
    Strict(
        "caption relabel",
        "instructor_a",
        "PATCH",
        lambda w: f"/api/v1/videos/{w.public_video}/captions/en",
        lambda w: {"label": "English (UK)"},
    ),
    Strict(
        "caption upload (JSON)",
        "instructor_a",
        "POST",
        lambda w: f"/api/v1/videos/{w.public_video}/captions",
        lambda w: {"language": "de", "content": VTT.decode()},
    ),
    Strict(
        "attendance mark",
        "instructor_a",
        "POST",
        lambda w: f"/api/v1/classes/{w.live_class_a}/attendance",
        lambda w: {"user_id": w.users["learner_a"], "present": False},
        keeps=("user_id",),
    ),
    Strict(
        "admin enrolment",
        "admin",
        "POST",
        lambda w: f"/api/v1/programs/{w.program_b}/enrollments",
        lambda w: {"email": w.emails["learner_a"]},
    ),
]


@pytest.mark.parametrize("case", STRICT, ids=[c.name for c in STRICT])
def test_unknown_fields_are_refused_and_change_nothing(
    app: Flask, world: World, callers: dict[str, Caller], case: Strict
) -> None:
    caller = callers[case.role]
    before = snapshot(app)
    extras = hostile(world, *case.keeps)
    refused = caller.api(case.method, case.url(world), json={**case.legal(world), **extras})
    assert refused.status_code == 400, refused.get_data(as_text=True)
    message = refused.get_json()["error"]
    assert "role" in message and "owner_id" in message, message
    assert changed(before, snapshot(app)) == set()
    # The same request without the extras is accepted: the refusal was for them alone.
    accepted = caller.api(case.method, case.url(world), json=case.legal(world))
    assert accepted.status_code in (200, 201), accepted.get_data(as_text=True)


# --------------------------------------------------------------------------- ignored


def _progress(app: Flask, user: int, video: int, clip: int | None) -> dict[str, Any] | None:
    with app.app_context():
        row = db.session.scalar(
            select(WatchProgress).where(
                WatchProgress.user_id == user,
                WatchProgress.video_id == video,
                WatchProgress.clip_id.is_(None) if clip is None else WatchProgress.clip_id == clip,
            )
        )
        if row is None:
            return None
        return {
            "id": row.id,
            "position": row.position,
            "watched_seconds": row.watched_seconds,
            "completed_at": row.completed_at,
            "intervals": row.intervals,
        }


@pytest.mark.parametrize("target", ["video", "clip"])
def test_heartbeat_extras_touch_only_the_callers_own_position(
    app: Flask, world: World, callers: dict[str, Caller], target: str
) -> None:
    """A heartbeat naming another user, video, row id or a watched total moves only the
    caller's resume point on the module in the URL."""
    learner_a, learner_b = world.users["learner_a"], world.users["learner_b"]
    clip = world.public_clip if target == "clip" else None
    url = (
        f"/api/v1/clips/{clip}/progress"
        if clip
        else f"/api/v1/videos/{world.public_video}/progress"
    )
    a_before = _progress(app, learner_a, world.public_video, clip)
    a_row = a_before["id"]
    body = {
        "position": 1.5,
        **hostile(world),
        "user_id": learner_a,
        "id": a_row,
        "watched_seconds": 9999,
        "completed_at": OLD,
        "intervals": [[0, 4]],
        "completed": True,
    }
    before = snapshot(app)
    response = callers["learner_b"].api("PUT", url, json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert _progress(app, learner_a, world.public_video, clip) == a_before
    mine = _progress(app, learner_b, world.public_video, clip)
    assert mine["position"] == 1.5
    assert mine["watched_seconds"] == 0 and mine["intervals"] == [] and mine["completed_at"] is None
    assert mine["id"] != FAKE_ID
    # the module's view count goes up on a first heartbeat
    assert changed(before, snapshot(app)) <= {"watch_progress", "watch_days", "modules"}
    assert a_before["position"] == A_POSITION


def test_upload_session_fields_come_from_the_server(
    app: Flask, world: World, callers: dict[str, Caller]
) -> None:
    """Uppy's create call: owner, state, key, store id and video come from the server.

    Fields beyond the declaration are refused; Uppy's metadata beyond the title ignored.
    """
    body = {
        "filename": "talk.mp4",
        "type": "video/mp4",
        "size": 2048,
        "metadata": {"title": "Talk", "owner_id": world.users["instructor_b"]},
    }
    before = snapshot(app)
    extras = {**hostile(world), "key": "uploads/1/evil/source.mp4", "upload_id": "evil"}
    refused = callers["instructor_a"].api("POST", "/api/v1/uploads", json={**body, **extras})
    assert refused.status_code == 400, refused.get_data(as_text=True)
    named = {error["field"] for error in refused.get_json()["errors"]}
    assert named == set(extras)
    assert changed(before, snapshot(app)) == set()
    response = callers["instructor_a"].api("POST", "/api/v1/uploads", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert created["id"] != FAKE_ID
    with app.app_context():
        session = db.session.get(UploadSession, created["id"])
        assert session.owner_id == world.users["instructor_a"]
        assert session.state == "open" and session.video_id is None
        assert session.key.startswith(f"uploads/{world.users['instructor_a']}/")
        assert session.upload_id != "evil" and session.size == 2048
        assert session.created_at.year > 2000
    # and instructor B, named as its owner, cannot see it
    assert callers["instructor_b"].api("GET", f"/api/v1/uploads/{created['id']}").status_code == 404


def test_self_enrolment_enrols_only_the_caller(
    app: Flask, world: World, callers: dict[str, Caller]
) -> None:
    before_roles = roles_of(app)
    # cohort_id is this route's own field (the cohort chosen, checked: 400 for another
    # program's), so it is not among the hostile ones.
    body = {
        **hostile(world, "cohort_id"),
        "user_id": world.users["learner_a"],
        "email": world.emails["admin"],
    }
    response = callers["learner_b"].api(
        "POST", f"/api/v1/programs/{world.program_a}/enrol", json=body
    )
    assert response.status_code in (200, 201)
    with app.app_context():
        rows = db.session.scalars(
            select(Enrollment).join(Program).where(Program.slug == world.program_a)
        ).all()
        mine = [r for r in rows if r.user_id == world.users["learner_b"]]
        assert [r.enrolled_by for r in mine] == [None]
        assert {r.user_id for r in rows} <= {world.users["learner_a"], world.users["learner_b"]}
    assert roles_of(app) == before_roles


def test_check_in_marks_only_the_caller(
    app: Flask, world: World, callers: dict[str, Caller]
) -> None:
    body = {**hostile(world), "source": "instructor", "present": False, "marked_at": OLD}
    response = callers["learner_a"].api(
        "POST", f"/api/v1/classes/{world.live_class_a}/check-in", json=body
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    with app.app_context():
        rows = db.session.scalars(
            select(Attendance).where(Attendance.class_id == world.live_class_a)
        ).all()
        assert world.users["learner_b"] not in {r.user_id for r in rows}
        mine = next(r for r in rows if r.user_id == world.users["learner_a"])
        assert mine.present is True and mine.source == "check-in"
        assert mine.marked_at.year > 2000


def test_token_request_cannot_pick_role_user_or_expiry(
    app: Flask, world: World, callers: dict[str, Caller]
) -> None:
    body = {
        **hostile(world),
        "email": world.emails["learner_a"],
        "password": factories.PASSWORD,
        "user_id": world.users["admin"],
        "expires_at": "2999-01-01T00:00:00+00:00",
    }
    with app.app_context():
        before = db.session.scalar(select(func.count(ApiToken.id)))
    response = callers["anonymous"].client.post("/api/v1/tokens", json=body)
    # The extra fields are refused outright (the contract forbids unknown fields) ...
    assert response.status_code == 400, response.get_data(as_text=True)
    named = {error["field"] for error in response.get_json()["errors"]}
    assert {"user_id", "expires_at"} <= named
    with app.app_context():
        assert db.session.scalar(select(func.count(ApiToken.id))) == before
    # ... and the plain request gets a token of the signed-in learner, with the usual expiry.
    plain = {"email": body["email"], "password": body["password"]}
    response = callers["anonymous"].client.post("/api/v1/tokens", json=plain)
    assert response.status_code == 201, response.get_data(as_text=True)
    token = response.get_json()["token"]
    me = callers["anonymous"].client.get(
        "/api/v1/me/preferences", headers={"Authorization": f"Bearer {token}"}
    )
    assert me.status_code == 200
    with app.app_context():
        newest = db.session.scalars(select(ApiToken).order_by(ApiToken.id.desc())).first()
        assert newest.user_id == world.users["learner_a"]
        expires = newest.expires_at.replace(tzinfo=newest.expires_at.tzinfo or UTC)
        assert expires < datetime.now(UTC) + timedelta(days=400)
        assert db.session.get(User, world.users["learner_a"]).role == "learner"


# --------------------------------------------------------------------------- forms


def test_attendance_form_marks_only_the_cohorts_learners(
    app: Flask, world: World, callers: dict[str, Caller]
) -> None:
    """Fields other than ``present-<id>`` are ignored; a stranger's id is refused."""
    url = f"/classes/{world.live_class_a}/attendance"
    teacher = callers["instructor_a"]
    before = snapshot(app)
    stranger = teacher.form(url, {f"present-{world.users['learner_b']}": "1"})
    assert stranger.status_code == 400
    assert changed(before, snapshot(app)) == set()
    extras = {**hostile(world), "source": "check-in"}
    extras = {k: str(v) for k, v in extras.items()}
    ok = teacher.form(url, {f"present-{world.users['learner_a']}": "0", **extras})
    assert ok.status_code == 302
    with app.app_context():
        rows = db.session.scalars(
            select(Attendance).where(Attendance.class_id == world.live_class_a)
        ).all()
        assert {r.user_id for r in rows} == {world.users["learner_a"]}
        assert rows[0].source == "instructor" and rows[0].present is False


def test_recording_form_takes_only_the_instructors_own_videos(
    app: Flask, world: World, callers: dict[str, Caller]
) -> None:
    url = f"/classes/{world.past_class_a}/recording"
    before = snapshot(app)
    response = callers["instructor_a"].form(
        url, {"video_id": str(world.other_video), "cohort_id": str(world.cohort_b)}
    )
    assert response.status_code == 400
    assert changed(before, snapshot(app)) == set()
    with app.app_context():
        assert db.session.get(LiveClass, world.past_class_a).recording_id == world.recording


def test_caption_form_extras_are_ignored(
    app: Flask, world: World, callers: dict[str, Caller]
) -> None:
    data = {
        "file": (BytesIO(VTT), "nl.vtt"),
        "language": "nl",
        "label": "Nederlands",
        **{k: str(v) for k, v in hostile(world).items()},
        "csrf_token": callers["instructor_a"].csrf,
    }
    response = callers["instructor_a"].client.post(
        f"/videos/{world.public_video}/captions", data=data, buffered=True
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        rows = db.session.scalars(select(Caption).where(Caption.language == "nl")).all()
        assert [(r.video_id, r.uploaded_by) for r in rows] == [
            (world.public_video, world.users["instructor_a"])
        ]
        assert rows[0].id != FAKE_ID and rows[0].created_at.year > 2000


def test_upload_form_owner_is_the_caller(
    app: Flask, world: World, callers: dict[str, Caller], sample_clip: Path
) -> None:
    caller = callers["instructor_a"]
    extras = {k: str(v) for k, v in hostile(world).items()}
    with sample_clip.open("rb") as handle:
        form = {"file": (handle, "talk.mp4"), "title": "Form talk", **extras}
        response = caller.client.post(
            "/upload", data={**form, "csrf_token": caller.csrf}, buffered=True
        )
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    with app.app_context():
        video = db.session.scalar(select(Video).where(Video.title == "Form talk"))
        assert video.owner_id == world.users["instructor_a"]
        assert video.id != FAKE_ID and video.state in ("uploaded", "processing")
        assert video.created_at.year > 2000


# --------------------------------------------------------------------------- query strings


def test_report_filters_cannot_widen_the_report(
    app: Flask, world: World, callers: dict[str, Caller]
) -> None:
    """Instructor A's path report: cohort B is refused as a filter, and other parameters
    (a user id, another program) change nothing."""
    caller = callers["instructor_a"]
    url = f"/api/v1/reports/paths/{world.program_a}"
    assert caller.api("GET", f"{url}?cohort={world.cohort_b}").status_code == 400
    plain = caller.api("GET", url).get_json()
    widened = caller.api(
        "GET",
        f"{url}?user_id={world.users['learner_b']}&program={world.program_b}&everyone=1",
    ).get_json()
    assert widened == plain
    emails = {row["email"] for row in plain["learners"]}
    assert world.emails["learner_b"] not in emails
    assert emails == {world.emails["learner_a"]}
