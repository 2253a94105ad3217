"""Who may see a cohort's private recording and act on its classes: one table.

Roles: a learner of cohort A, a learner of cohort B, a signed-in learner in no cohort, an
instructor of A, an instructor of B, and an admin. The recording is owned by an instructor
who is in neither cohort, so every 200 below comes from membership (or admin), never
ownership.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import factories
from tests.support.auth import Auth
from webapp.auth.passwords import hash_password
from webapp.extensions import db
from webapp.models import Clip, Cohort, CohortMember, LiveClass, Program, User

ROLES = ("learner_a", "learner_b", "outsider", "instructor_a", "instructor_b", "admin")

# target → expected status for each role, in ROLES order.
TABLE: dict[str, tuple[int, ...]] = {
    "watch page": (200, 404, 404, 200, 404, 200),
    "hls master": (200, 403, 403, 200, 403, 200),
    "poster": (200, 403, 403, 200, 403, 200),
    "video api": (200, 404, 404, 200, 404, 200),
    "progress put": (200, 404, 404, 200, 404, 200),
    "clip of it (api)": (200, 404, 404, 200, 404, 200),
    "cohort page": (200, 404, 404, 200, 404, 200),
    "schedule api": (200, 404, 404, 200, 404, 200),
    "attendance post": (403, 404, 404, 200, 404, 200),
    "check-in post": (200, 404, 404, 403, 404, 403),
}

CASES = [
    pytest.param(target, role, expected, id=f"{target}-{role}")
    for target, row in TABLE.items()
    for role, expected in zip(ROLES, row, strict=True)
]

_HASH = hash_password(factories.PASSWORD)  # hashed once: the table has many rows


@dataclass(frozen=True)
class World:
    """Ids of everything the table touches."""

    emails: dict[str, str]
    users: dict[str, int]
    recording_id: int
    clip_id: int
    cohort_a: int
    live_class_id: int


def _user(email: str, role: str) -> User:
    user = User(email=email, password_hash=_HASH, role=role)
    db.session.add(user)
    return user


@pytest.fixture
def world(app: Flask, make_ready_video) -> World:
    """Cohorts A and B of one program; A has a past class with the recording and a class
    running now (check-in window open)."""
    with app.app_context():
        owner = _user("owner@example.com", "instructor")
        people = {
            "learner_a": _user("learner-a@example.com", "learner"),
            "learner_b": _user("learner-b@example.com", "learner"),
            "outsider": _user("outsider@example.com", "learner"),
            "instructor_a": _user("instructor-a@example.com", "instructor"),
            "instructor_b": _user("instructor-b@example.com", "instructor"),
            "admin": _user("admin@example.com", "admin"),
        }
        program = Program(title="Data", slug="data")
        db.session.add(program)
        db.session.flush()
        cohorts = {
            k: Cohort(program_id=program.id, name=k, starts_on=date(2027, 1, 15)) for k in "AB"
        }
        db.session.add_all(cohorts.values())
        db.session.flush()
        for key, cohort_key, role in (
            ("learner_a", "A", "learner"),
            ("learner_b", "B", "learner"),
            ("instructor_a", "A", "instructor"),
            ("instructor_b", "B", "instructor"),
        ):
            db.session.add(
                CohortMember(cohort_id=cohorts[cohort_key].id, user_id=people[key].id, role=role)
            )
        db.session.commit()
        owner_id = owner.id
        emails = {k: u.email for k, u in people.items()}
        users = {k: u.id for k, u in people.items()}
        cohort_a = cohorts["A"].id
    recording_id = make_ready_video(owner_id, "A's class recording")
    with app.app_context():
        now = datetime.now(UTC)
        past = LiveClass(
            cohort_id=cohort_a,
            title="Week 1",
            starts_at=now - timedelta(days=2),
            duration_minutes=60,
            recording_id=recording_id,
        )
        live = LiveClass(
            cohort_id=cohort_a,
            title="Week 2",
            starts_at=now - timedelta(minutes=5),
            duration_minutes=60,
            join_url="https://meet.example.com/a",
        )
        clip = Clip(
            video_id=recording_id, title="Key idea", start=0.0, end=2.0, created_by=owner_id
        )
        db.session.add_all([past, live, clip])
        db.session.commit()
        return World(emails, users, recording_id, clip.id, cohort_a, live.id)


def _request(client: FlaskClient, auth: Auth, target: str, w: World):
    video = f"/videos/{w.recording_id}"
    api = f"/api/v1/videos/{w.recording_id}"
    calls = {
        "watch page": lambda: client.get(video),
        "hls master": lambda: client.get(f"{video}/hls/master.m3u8", buffered=True),
        "poster": lambda: client.get(f"{video}/poster.jpg", buffered=True),
        "video api": lambda: client.get(api),
        "progress put": lambda: client.put(
            f"{api}/progress", json={"position": 1.0}, headers=auth.json_headers()
        ),
        "clip of it (api)": lambda: client.get(f"/api/v1/clips/{w.clip_id}/progress"),
        "cohort page": lambda: client.get(f"/cohorts/{w.cohort_a}"),
        "schedule api": lambda: client.get(f"/api/v1/cohorts/{w.cohort_a}/schedule"),
        "attendance post": lambda: client.post(
            f"/api/v1/classes/{w.live_class_id}/attendance",
            json={"user_id": w.users["learner_a"], "present": True},
            headers=auth.json_headers(),
        ),
        "check-in post": lambda: client.post(
            f"/api/v1/classes/{w.live_class_id}/check-in", headers=auth.json_headers()
        ),
    }
    return calls[target]()


@pytest.mark.parametrize(("target", "role", "expected"), CASES)
def test_access_matrix(
    client: FlaskClient, auth: Auth, world: World, target: str, role: str, expected: int
) -> None:
    assert auth.login(world.emails[role]).status_code == 302
    response = _request(client, auth, target, world)
    assert response.status_code == expected, response.get_data(as_text=True)[:300]


def test_signed_out_callers_see_nothing(client: FlaskClient, world: World) -> None:
    assert client.get(f"/videos/{world.recording_id}").status_code == 302  # to sign-in
    assert client.get(f"/api/v1/videos/{world.recording_id}").status_code == 401
    assert client.get(f"/cohorts/{world.cohort_a}").status_code == 302
    assert client.get(f"/api/v1/cohorts/{world.cohort_a}/schedule").status_code == 401
