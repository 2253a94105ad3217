"""Macro learning: rollups, prerequisite locking, enrolment rules, pages, API and CLI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, func, select

from tests.support import factories
from tests.support.auth import Auth
from tests.support.problems import assert_bad_input
from tests.support.querycount import recorded_statements
from tests.support.watching import watch as beat_after_playing
from webapp.extensions import db
from webapp.learning import formatting, queries, rollups, services
from webapp.learning.services import LearningError
from webapp.models import (
    Clip,
    Cohort,
    Enrollment,
    Module,
    Program,
    User,
    Video,
    VideoState,
    WatchProgress,
)
from webapp.models.base import utcnow

# --------------------------------------------------------------------------- fixtures


@dataclass(frozen=True)
class World:
    """Ids of the fixed catalogue every test here works on."""

    learner: factories.UserInfo
    admin: factories.UserInfo
    m1: int  # SEO Basics 1 (video, 100 s)
    m2: int  # SEO Basics 2 (video, 100 s)
    m3: int  # SEO Advanced 1 (video, 200 s)
    m4: int  # SEO Advanced 2 (clip, 50 s)
    v1: int
    v4: int
    clip4: int


def _video(owner_id: int, title: str, duration: float) -> Video:
    video = Video(title=title, owner_id=owner_id, state=VideoState.READY.value, duration=duration)
    db.session.add(video)
    db.session.flush()
    return video


@pytest.fixture
def world(app: Flask, make_user: Callable[..., factories.UserInfo]) -> World:
    """SEO Basics (2 modules) → SEO Advanced (requires Basics; a video and a clip) in the
    open 'digital-marketing' program; 'acme-onboarding' is a company program."""
    learner, admin = make_user("learner"), make_user("admin")
    owner = make_user("instructor")
    with app.app_context():
        v1, v2, v3 = (_video(owner.id, f"Lesson {i}", d) for i, d in ((1, 100), (2, 100), (3, 200)))
        v4 = _video(owner.id, "Recording 4", 300)
        clip = Clip(video_id=v4.id, title="Clip 4", start=10, end=60, created_by=owner.id)
        db.session.add(clip)
        db.session.flush()
        modules = [
            Module(video_id=v1.id, title="Keywords", duration=100),
            Module(video_id=v2.id, title="On-page SEO", duration=100),
            Module(video_id=v3.id, title="Link building", duration=200),
            Module(video_id=v4.id, clip_id=clip.id, title="Technical audit", duration=50),
        ]
        db.session.add_all(modules)
        db.session.flush()
        m1, m2, m3, m4 = (m.id for m in modules)
        services.create_course("seo-basics", "SEO Basics", [m1, m2])
        services.create_course("seo-advanced", "SEO Advanced", [m3, m4], ["seo-basics"])
        program = services.create_program(
            "digital-marketing",
            "Digital Marketing",
            ["seo-basics", "seo-advanced"],
            weeks=12,
            fee="499.00",
            currency="EUR",
            certificate="Certified Digital Marketer",
            description="Search, social and analytics.",
        )
        services.create_program(
            "acme-onboarding", "ACME Onboarding", ["seo-basics"], weeks=2, company=True
        )
        today = queries.today()
        db.session.add_all(
            [
                Cohort(program_id=program.id, name="Past", starts_on=today - timedelta(days=30)),
                Cohort(program_id=program.id, name="Soon", starts_on=today + timedelta(days=14)),
                Cohort(program_id=program.id, name="Later", starts_on=today + timedelta(days=90)),
            ]
        )
        db.session.commit()
        return World(learner, admin, m1, m2, m3, m4, v1.id, v4.id, clip.id)


def watch(app: Flask, user_id: int, module_id: int, seconds: float) -> None:
    """Store progress on a module directly: ``seconds`` watched, completed at 90 %."""
    with app.app_context():
        module = db.session.get(Module, module_id)
        row = db.session.scalar(
            select(WatchProgress).where(
                WatchProgress.user_id == user_id,
                WatchProgress.video_id == module.video_id,
                WatchProgress.clip_id.is_(None)
                if module.clip_id is None
                else WatchProgress.clip_id == module.clip_id,
            )
        )
        if row is None:
            row = WatchProgress(
                user_id=user_id, video_id=module.video_id, clip_id=module.clip_id, intervals=[]
            )
            db.session.add(row)
        row.watched_seconds = seconds
        row.position = seconds
        row.intervals = [[0, seconds]]
        if seconds >= 0.9 * module.duration:
            row.completed_at = utcnow()
        db.session.commit()


def enrol(app: Flask, user_id: int, slug: str) -> None:
    """Enrol directly, as an admin would."""
    with app.app_context():
        user = db.session.get(User, user_id)
        services.enrol(user, services.program_by_slug(slug), admin=True)
        db.session.commit()


def state_of(app: Flask, user_id: int, slug: str = "digital-marketing") -> rollups.ProgramState:
    """The program rolled up for the user (plain values read inside the context)."""
    with app.app_context():
        return queries.program_state(user_id, queries.load_program(slug))


def token_for(client: FlaskClient, user: factories.UserInfo) -> dict[str, str]:
    """Bearer headers for ``user``."""
    resp = client.post("/api/v1/tokens", json={"email": user.email, "password": user.password})
    assert resp.status_code == 201
    return {"Authorization": f"Bearer {resp.get_json()['token']}"}


# --------------------------------------------------------------------------- pure rules


def test_unlock_hint_wording() -> None:
    assert rollups.unlock_hint([]) == ""
    assert rollups.unlock_hint(["SEO Basics"]) == "Complete ‘SEO Basics’ first"
    assert rollups.unlock_hint(["A", "B"]) == "Complete ‘A’ and ‘B’ first"
    assert rollups.unlock_hint(["A", "B", "C"]) == "Complete ‘A’, ‘B’ and ‘C’ first"


def test_share_floors_and_clamps() -> None:
    assert rollups.share(1, 3) == 33
    assert rollups.share(199, 200) == 99
    assert rollups.share(5, 0) == 0
    assert rollups.share(7, 5) == 100


def test_formatting() -> None:
    assert formatting.format_fee(49900, "EUR") == "€499.00"
    assert formatting.format_fee(125000, "USD") == "$1,250.00"
    assert formatting.format_fee(49950, "CHF") == "499.50 CHF"
    assert formatting.format_fee(0, "EUR") == "Free"
    assert formatting.format_length(0) == "Self-paced"
    assert formatting.format_length(1) == "1 week"
    assert formatting.format_length(6) == "6 weeks"
    assert formatting.format_length(12) == "12 weeks (about 3 months)"
    assert formatting.format_length(26) == "26 weeks (about 6 months)"


@pytest.mark.parametrize(
    ("text", "cents"), [("499.00", 49900), ("0", 0), ("12.5", 1250), (" 7 ", 700)]
)
def test_parse_fee(text: str, cents: int) -> None:
    assert services.parse_fee(text) == cents


@pytest.mark.parametrize("text", ["abc", "-1", "1.999", "NaN", "Infinity", "", "1e12"])
def test_parse_fee_rejects(text: str) -> None:
    with pytest.raises(LearningError):
        services.parse_fee(text)


@pytest.mark.parametrize("slug", ["SEO", "seo basics", "-seo", "seo--x", "seo/x", "", "a" * 121])
def test_bad_slugs(slug: str) -> None:
    with pytest.raises(LearningError):
        services.check_slug(slug)


# --------------------------------------------------------------------------- rollups


def test_unstarted_program(app: Flask, world: World) -> None:
    state = state_of(app, world.learner.id)
    basics, advanced = state.courses
    assert (state.percent, state.completed_modules, state.total_modules) == (0, 0, 4)
    assert state.total_seconds == 450
    assert not basics.locked and basics.unlock_hint == ""
    assert advanced.locked
    assert advanced.unlock_hint == "Complete ‘SEO Basics’ first"
    assert all(m.locked for m in advanced.modules)
    assert state.next_module.module.id == world.m1


def test_rollup_with_known_answers(app: Flask, world: World) -> None:
    watch(app, world.learner.id, world.m1, 95)  # completed (≥ 90 of 100)
    watch(app, world.learner.id, world.m2, 50)  # half
    state = state_of(app, world.learner.id)
    basics, advanced = state.courses
    assert (basics.completed_modules, basics.total_modules, basics.percent) == (1, 2, 50)
    assert basics.watched_seconds == 145
    assert basics.watched_percent == 72  # 145 / 200, floored
    assert not basics.completed
    assert advanced.locked and advanced.unlock_hint == "Complete ‘SEO Basics’ first"
    assert state.percent == 25  # 1 of 4 modules
    assert state.watched_percent == 32  # 145 / 450
    assert state.next_module.module.id == world.m2
    assert state.next_course.course.slug == "seo-basics"


def test_completing_a_prerequisite_unlocks_the_next_course(app: Flask, world: World) -> None:
    watch(app, world.learner.id, world.m1, 100)
    watch(app, world.learner.id, world.m2, 90)
    state = state_of(app, world.learner.id)
    basics, advanced = state.courses
    assert basics.completed and basics.percent == 100
    assert not advanced.locked and advanced.unlock_hint == ""
    assert state.next_module.module.id == world.m3
    assert state.completed_courses == 1 and state.percent == 50


def test_clip_progress_counts_for_its_module(app: Flask, world: World) -> None:
    for module_id, seconds in ((world.m1, 100), (world.m2, 100), (world.m3, 200)):
        watch(app, world.learner.id, module_id, seconds)
    assert state_of(app, world.learner.id).next_module.module.id == world.m4
    watch(app, world.learner.id, world.m4, 46)  # of the 50 s clip
    state = state_of(app, world.learner.id)
    assert state.completed and state.percent == 100 and state.next_module is None
    # Whole-video progress on the clip's recording does not count for the clip.
    other = factories.create_user(app, "learner")
    with app.app_context():
        db.session.add(
            WatchProgress(
                user_id=other.id,
                video_id=world.v4,
                watched_seconds=300,
                completed_at=utcnow(),
                intervals=[[0, 300]],
            )
        )
        db.session.commit()
    assert state_of(app, other.id).courses[1].modules[1].completed is False


def test_watched_seconds_are_capped_at_the_duration(app: Flask, world: World) -> None:
    watch(app, world.learner.id, world.m1, 500)
    basics = state_of(app, world.learner.id).courses[0]
    assert basics.watched_seconds == 100


def test_progress_is_per_learner(app: Flask, world: World) -> None:
    watch(app, world.learner.id, world.m1, 100)
    other = factories.create_user(app, "learner")
    assert state_of(app, other.id).completed_modules == 0
    assert state_of(app, world.learner.id).completed_modules == 1


def test_prerequisite_outside_the_program(app: Flask, world: World) -> None:
    """A course may require one that is not in the program; its modules still count."""
    with app.app_context():
        services.create_course("analytics", "Analytics", [world.m3], ["seo-basics"])
        services.create_program("analytics-path", "Analytics Path", ["analytics"])
        db.session.commit()
    state = state_of(app, world.learner.id, "analytics-path")
    assert state.courses[0].unlock_hint == "Complete ‘SEO Basics’ first"
    assert state.next_module is None and not state.completed
    watch(app, world.learner.id, world.m1, 100)
    watch(app, world.learner.id, world.m2, 100)
    state = state_of(app, world.learner.id, "analytics-path")
    assert not state.courses[0].locked
    assert state.next_module.module.id == world.m3


def test_heartbeat_api_completes_a_module(
    app: Flask, client: FlaskClient, make_ready_video, world: World, clock
) -> None:
    """Progress recorded by the real heartbeat endpoint feeds the course rollup."""
    video_id = make_ready_video(world.admin.id, "Intro")
    with app.app_context():
        duration = db.session.get(Video, video_id).duration
        module = Module(video_id=video_id, title="Intro", duration=duration)
        db.session.add(module)
        db.session.flush()
        services.create_course("intro", "Intro", [module.id])
        db.session.commit()
    headers = token_for(client, world.learner)
    url = f"/api/v1/videos/{video_id}/progress"
    resp = beat_after_playing(client, url, [[0, duration]], clock, headers)
    assert resp.status_code == 200 and resp.get_json()["completed"] is True
    with app.app_context():
        state = queries.course_state(world.learner.id, queries.load_course("intro"))
        assert state.completed and state.percent == 100


# --------------------------------------------------------------------------- services


def test_create_course_rejects_bad_input(app: Flask, world: World) -> None:
    with app.app_context():
        cases = [
            (("seo-basics", "Again", [world.m1]), "already exists"),
            (("new", "New", []), "at least one module"),
            (("new", "New", [999_999]), "no module with id 999999"),
            (("new", "New", [world.m1, world.m1]), "listed twice"),
            (("new", "  ", [world.m1]), "title must not be empty"),
            (("new", "New", [world.m1], ["nope"]), "no course with slug nope"),
            (("new", "New", [world.m1], ["new"]), "cannot require itself"),
        ]
        for args, message in cases:
            with pytest.raises(LearningError, match=message):
                services.create_course(*args)


def test_create_program_rejects_bad_input(app: Flask, world: World) -> None:
    with app.app_context():
        with pytest.raises(LearningError, match="already exists"):
            services.create_program("digital-marketing", "X", ["seo-basics"])
        with pytest.raises(LearningError, match="no course with slug nope"):
            services.create_program("x", "X", ["nope"])
        with pytest.raises(LearningError, match="currency"):
            services.create_program("x", "X", ["seo-basics"], currency="EURO")
        with pytest.raises(LearningError, match="weeks"):
            services.create_program("x", "X", ["seo-basics"], weeks=-1)
        with pytest.raises(LearningError, match="at least one course"):
            services.create_program("x", "X", [])


def test_enrol_rules(app: Flask, world: World) -> None:
    with app.app_context():
        learner = services.user_by_email(world.learner.email.upper())
        open_program = services.program_by_slug("digital-marketing")
        company = services.program_by_slug("acme-onboarding")
        first, created = services.enrol(learner, open_program)
        again, created_again = services.enrol(learner, open_program)
        assert created and not created_again and first.id == again.id
        with pytest.raises(services.EnrolmentNotAllowed, match="company"):
            services.enrol(learner, company)
        _, created = services.enrol(learner, company, admin=True)
        assert created
        db.session.commit()
        count = db.session.scalar(select(func.count()).select_from(Enrollment))
        assert count == 2


# --------------------------------------------------------------------------- pages


def test_catalogue_page_shows_what_a_buyer_compares(
    app: Flask, client: FlaskClient, auth: Auth, world: World
) -> None:
    html = client.get("/programs").get_data(as_text=True)  # public
    assert "Digital Marketing" in html and "ACME Onboarding" in html
    assert "€499.00" in html
    assert "12 weeks (about 3 months)" in html
    assert "Certified Digital Marketer" in html
    assert "8 min in 2 courses, 4 modules" in html  # 450 s of video
    soon = queries.today() + timedelta(days=14)
    past = queries.today() - timedelta(days=30)
    assert f'datetime="{soon.isoformat()}"' in html
    assert f'datetime="{past.isoformat()}"' not in html
    assert "Company program" in html


def test_program_page(app: Flask, client: FlaskClient, auth: Auth, world: World) -> None:
    html = client.get("/programs/digital-marketing").get_data(as_text=True)
    assert "€499.00" in html and "Certified Digital Marketer" in html
    assert html.index("SEO Basics") < html.index("SEO Advanced")
    assert html.index("Keywords") < html.index("On-page SEO") < html.index("Technical audit")
    assert "Sign in to enrol" in html
    assert client.get("/programs/nope").status_code == 404

    auth.login(world.learner.email)
    html = client.get("/programs/digital-marketing").get_data(as_text=True)
    assert ">Enrol</button>" in html
    assert "Complete ‘SEO Basics’ first" in html
    company = client.get("/programs/acme-onboarding").get_data(as_text=True)
    assert "Enrolled by your company" in company and ">Enrol</button>" not in company


def free_click(app: Flask, slug: str) -> None:
    """Make the program free and without cohorts: enrolling is then one click (issue 19:
    a paid program's enrolment is an order, a program with cohorts asks for one)."""
    with app.app_context():
        program = db.session.scalar(select(Program).where(Program.slug == slug))
        assert program is not None
        program.fee_cents = 0
        db.session.execute(delete(Cohort).where(Cohort.program_id == program.id))
        db.session.commit()


def test_self_enrolment_through_the_page(
    app: Flask, client: FlaskClient, auth: Auth, world: World
) -> None:
    assert client.post("/programs/digital-marketing/enrol").status_code == 400  # no CSRF
    anonymous = auth.csrf("/programs/digital-marketing")
    resp = client.post("/programs/digital-marketing/enrol", data={"csrf_token": anonymous})
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    auth.login(world.learner.email)
    assert client.post("/programs/digital-marketing/enrol").status_code == 400  # no CSRF
    token = auth.csrf("/programs/digital-marketing")
    # A fee (and upcoming cohorts): the click leads to the enrolment page, enrols nobody.
    resp = client.post("/programs/digital-marketing/enrol", data={"csrf_token": token})
    assert resp.headers["Location"].endswith("/programs/digital-marketing/enrolment")
    free_click(app, "digital-marketing")
    for _ in range(2):
        resp = client.post("/programs/digital-marketing/enrol", data={"csrf_token": token})
        assert resp.status_code == 302 and resp.headers["Location"].endswith("/home")
    html = client.get("/home").get_data(as_text=True)
    assert "already enrolled" in html and "Digital Marketing" in html
    resp = client.post("/programs/acme-onboarding/enrol", data={"csrf_token": token})
    assert resp.status_code == 403
    assert client.post("/programs/nope/enrol", data={"csrf_token": token}).status_code == 404
    with app.app_context():
        rows = db.session.scalars(select(Enrollment)).all()
        assert [(r.user_id, r.enrolled_by) for r in rows] == [(world.learner.id, None)]


def test_home_shows_progress_next_module_and_locks(
    app: Flask, client: FlaskClient, auth: Auth, world: World
) -> None:
    auth.login(world.learner.email)
    assert "not enrolled in a program yet" in client.get("/home").get_data(as_text=True)
    enrol(app, world.learner.id, "digital-marketing")
    watch(app, world.learner.id, world.m1, 100)
    watch(app, world.learner.id, world.m2, 50)
    html = client.get("/home").get_data(as_text=True)
    assert "1 of 4 modules completed · 33% watched" in html
    assert 'aria-valuenow="25"' in html
    assert f'Next: <a href="/videos/{db_video(app, world.m2)}">On-page SEO</a>' in html
    assert "Complete ‘SEO Basics’ first" in html and "Unlocked" in html


def db_video(app: Flask, module_id: int) -> int:
    """The recording id of a module."""
    with app.app_context():
        return db.session.get(Module, module_id).video_id


def test_course_page_links_and_locks(
    app: Flask, client: FlaskClient, auth: Auth, world: World
) -> None:
    assert client.get("/courses/seo-basics").status_code == 302  # sign in first
    auth.login(world.learner.email)
    watch(app, world.learner.id, world.m1, 40)
    basics = client.get("/courses/seo-basics").get_data(as_text=True)
    # The links carry the course, so the watch page shows the learner's path.
    assert f'href="/videos/{world.v1}?course=' in basics and "40% watched" in basics
    assert "Part of" in basics and "Digital Marketing" in basics
    advanced = client.get("/courses/seo-advanced").get_data(as_text=True)
    assert "Complete ‘SEO Basics’ first" in advanced
    # The lock is drawn (the emoji renders as an empty box where no font has it) and named.
    assert '<svg class="lock-icon" role="img" aria-label="Locked"' in advanced
    assert "\U0001f512" not in advanced
    assert f'href="/clips/{world.clip4}' not in advanced  # locked: not linked
    watch(app, world.learner.id, world.m1, 100)
    watch(app, world.learner.id, world.m2, 100)
    advanced = client.get("/courses/seo-advanced").get_data(as_text=True)
    assert f'href="/clips/{world.clip4}?course=' in advanced and "Locked" not in advanced
    assert client.get("/courses/nope").status_code == 404


def test_home_query_count_does_not_grow_with_programs(
    app: Flask, client: FlaskClient, auth: Auth, world: World
) -> None:
    """No N+1: the home page costs the same with one program or three."""
    auth.login(world.learner.email)
    enrol(app, world.learner.id, "digital-marketing")
    client.get("/home")
    with recorded_statements(app) as one:
        client.get("/home")
    with app.app_context():
        services.create_course("extra", "Extra", [world.m3, world.m4], ["seo-advanced"])
        services.create_program("extra-path", "Extra Path", ["seo-basics", "extra"])
        services.create_program("third-path", "Third Path", ["seo-advanced", "extra"])
        db.session.commit()
    enrol(app, world.learner.id, "acme-onboarding")
    enrol(app, world.learner.id, "extra-path")
    enrol(app, world.learner.id, "third-path")
    with recorded_statements(app) as four:
        html = client.get("/home").get_data(as_text=True)
    assert "Third Path" in html
    assert len(four) == len(one)
    progress_queries = [s for s in four if "watch_progress" in s and "JOIN modules" not in s]
    assert len(progress_queries) == 1


# --------------------------------------------------------------------------- API


def _role_headers(client: FlaskClient, world: World, role: str) -> dict[str, str]:
    if role == "anonymous":
        return {}
    return token_for(client, world.learner if role == "learner" else world.admin)


@pytest.mark.parametrize(
    ("role", "method", "path", "body", "status"),
    [
        ("anonymous", "get", "/api/v1/programs", None, 401),
        ("anonymous", "get", "/api/v1/programs/digital-marketing", None, 401),
        ("anonymous", "post", "/api/v1/programs/digital-marketing/enrol", None, 401),
        ("anonymous", "get", "/api/v1/me/paths", None, 401),
        ("anonymous", "post", "/api/v1/programs/digital-marketing/enrollments", {}, 401),
        ("learner", "get", "/api/v1/programs", None, 200),
        ("learner", "get", "/api/v1/programs/digital-marketing", None, 200),
        ("learner", "get", "/api/v1/programs/nope", None, 404),
        ("learner", "post", "/api/v1/programs/digital-marketing/enrol", None, 202),  # an order
        ("learner", "post", "/api/v1/programs/acme-onboarding/enrol", None, 403),
        ("learner", "post", "/api/v1/programs/nope/enrol", None, 404),
        ("learner", "get", "/api/v1/me/paths", None, 200),
        ("learner", "post", "/api/v1/programs/acme-onboarding/enrollments", "LEARNER", 403),
        ("admin", "get", "/api/v1/programs", None, 200),
        ("admin", "post", "/api/v1/programs/acme-onboarding/enrol", None, 403),
        ("admin", "post", "/api/v1/programs/acme-onboarding/enrollments", "LEARNER", 201),
        ("admin", "post", "/api/v1/programs/nope/enrollments", "LEARNER", 404),
        ("admin", "post", "/api/v1/programs/acme-onboarding/enrollments", {}, 400),
        ("admin", "post", "/api/v1/programs/acme-onboarding/enrollments", {"email": 3}, 400),
        (
            "admin",
            "post",
            "/api/v1/programs/acme-onboarding/enrollments",
            {"email": "nobody@example.com"},
            404,
        ),
        (
            "admin",
            "post",
            "/api/v1/programs/acme-onboarding/enrollments",
            "LEARNER+enrolled_by",
            400,
        ),
    ],
)
def test_api_permissions(
    client: FlaskClient,
    world: World,
    role: str,
    method: str,
    path: str,
    body: object,
    status: int,
) -> None:
    if body == "LEARNER":
        body = {"email": world.learner.email}
    elif body == "LEARNER+enrolled_by":
        body = {"email": world.learner.email, "enrolled_by": world.learner.id}
    headers = _role_headers(client, world, role)
    resp = getattr(client, method)(path, json=body, headers=headers)
    assert resp.status_code == status, resp.get_data(as_text=True)
    if status >= 400:
        assert isinstance(resp.get_json()["error"], str)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "email", "Field required"),
        ({"email": 3}, "email", "valid string"),
        ({"email": ["LEARNER"]}, "email", "valid string"),
        ({"email": ""}, "email", "at least 1 character"),
        ({"email": "x" * 321}, "email", "at most 320 characters"),
        ({"email": "LEARNER", "enrolled_by": 1}, "enrolled_by", "unknown field"),
        ("LEARNER", None, "send a JSON object"),
    ],
)
def test_bad_admin_enrolments_are_a_problem_naming_the_field(
    app: Flask, client: FlaskClient, world: World, body: object, field: str | None, message: str
) -> None:
    def fill(value: object) -> object:
        return world.learner.email if value == "LEARNER" else value

    body = {k: fill(v) for k, v in body.items()} if isinstance(body, dict) else fill(body)
    url = "/api/v1/programs/acme-onboarding/enrollments"
    response = client.post(url, json=body, headers=token_for(client, world.admin))
    assert_bad_input(response, field, message)
    with app.app_context():
        assert db.session.scalars(select(Enrollment)).all() == []


def test_api_enrol_is_idempotent_and_ignores_body(
    app: Flask, client: FlaskClient, world: World
) -> None:
    """The caller enrols only themselves, whatever the body names."""
    free_click(app, "digital-marketing")
    headers = token_for(client, world.learner)
    url = "/api/v1/programs/digital-marketing/enrol"
    first = client.post(url, json={"user_id": world.admin.id}, headers=headers)
    second = client.post(url, headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.get_json() == {"program": "digital-marketing", "enrolled": True, "created": False}
    with app.app_context():
        rows = db.session.scalars(select(Enrollment)).all()
        assert [r.user_id for r in rows] == [world.learner.id]


def test_api_admin_enrolment_records_who(app: Flask, client: FlaskClient, world: World) -> None:
    headers = token_for(client, world.admin)
    url = "/api/v1/programs/acme-onboarding/enrollments"
    first = client.post(url, json={"email": world.learner.email.upper()}, headers=headers)
    again = client.post(url, json={"email": world.learner.email}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.headers["Location"].endswith("/api/v1/programs/acme-onboarding")
    with app.app_context():
        row = db.session.scalar(select(Enrollment))
        assert (row.user_id, row.enrolled_by) == (world.learner.id, world.admin.id)


def test_api_cookie_session_needs_csrf(client: FlaskClient, auth: Auth, world: World) -> None:
    auth.login(world.learner.email)
    url = "/api/v1/programs/digital-marketing/enrol"
    assert client.post(url, json={}).status_code == 400
    assert client.post(url, json={}, headers=auth.json_headers()).status_code == 202  # an order


def test_api_program_detail(app: Flask, client: FlaskClient, world: World) -> None:
    watch(app, world.learner.id, world.m1, 100)
    data = client.get(
        "/api/v1/programs/digital-marketing", headers=token_for(client, world.learner)
    ).get_json()
    assert data["fee"] == {"cents": 49900, "currency": "EUR", "display": "€499.00"}
    assert data["length_weeks"] == 12 and data["duration_seconds"] == 450
    assert data["upcoming_cohorts"] == [
        (queries.today() + timedelta(days=d)).isoformat() for d in (14, 90)
    ]
    assert data["enrolled"] is False
    basics, advanced = data["courses"]
    assert [m["id"] for m in basics["modules"]] == [world.m1, world.m2]
    assert basics["modules"][0]["progress"]["completed"] is True
    assert basics["progress"]["percent"] == 50 and basics["locked"] is False
    assert advanced["locked"] is True
    assert advanced["unlock_hint"] == "Complete ‘SEO Basics’ first"
    assert advanced["requires"] == ["seo-basics"]
    assert advanced["modules"][1]["kind"] == "clip"
    assert advanced["modules"][1]["url"] == f"/clips/{world.clip4}"
    assert data["next_module"]["id"] == world.m2
    assert data["next_module"]["course"] == "seo-basics"


def test_api_catalogue_and_my_paths(app: Flask, client: FlaskClient, world: World) -> None:
    headers = token_for(client, world.learner)
    listing = client.get("/api/v1/programs", headers=headers).get_json()["programs"]
    assert [p["slug"] for p in listing] == ["acme-onboarding", "digital-marketing"]
    dm = listing[1]
    assert (dm["course_count"], dm["module_count"], dm["duration_seconds"]) == (2, 4, 450)
    assert listing[0]["self_enrol"] is False and dm["enrolled"] is False

    assert client.get("/api/v1/me/paths", headers=headers).get_json() == {"paths": []}
    enrol(app, world.learner.id, "digital-marketing")
    watch(app, world.learner.id, world.m1, 100)
    watch(app, world.learner.id, world.m2, 100)
    (path,) = client.get("/api/v1/me/paths", headers=headers).get_json()["paths"]
    assert path["slug"] == "digital-marketing"
    assert path["progress"]["percent"] == 50 and path["progress"]["completed_courses"] == 1
    assert path["next_module"]["id"] == world.m3
    assert [(c["slug"], c["locked"]) for c in path["courses"]] == [
        ("seo-basics", False),
        ("seo-advanced", False),
    ]


# --------------------------------------------------------------------------- CLI


def test_cli_builds_a_program_and_enrols(app: Flask, world: World) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["learning", "course", "add", "ads", "--title", "Ads", "--module", str(world.m3),
              "--module", str(world.m4), "--requires", "seo-basics"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "created course ads (2 modules, requires seo-basics)" in result.output
    result = runner.invoke(
        args=["learning", "program", "add", "ads-pro", "--title", "Ads Pro", "--course",
              "seo-basics", "--course", "ads", "--weeks", "8", "--fee", "1250.50",
              "--currency", "usd", "--certificate", "Ads Pro Certificate", "--company"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "created company program ads-pro (2 courses, $1,250.50)" in result.output
    with app.app_context():
        program = db.session.scalar(select(Program).where(Program.slug == "ads-pro"))
        assert (program.fee_cents, program.currency, program.length_weeks) == (125050, "USD", 8)
        assert program.self_enrol is False
        assert [i.course.slug for i in program.items] == ["seo-basics", "ads"]
    result = runner.invoke(args=["learning", "enrol", world.learner.email, "ads-pro"])
    assert result.exit_code == 0 and "enrolled" in result.output
    result = runner.invoke(args=["learning", "enrol", world.learner.email, "ads-pro"])
    assert result.exit_code == 0 and "already enrolled" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["course", "add", "x", "--title", "X", "--module", "999999"], "no module with id 999999"),
        (["course", "add", "x", "--title", "X"], "Missing option '--module'"),
        (["course", "add", "Bad Slug", "--title", "X", "--module", "1"], "lower-case"),
        (["course", "add", "x", "--title", "X", "--module", "abc"], "is not a valid integer"),
        (["program", "add", "x", "--title", "X", "--course", "nope"], "no course with slug nope"),
        (
            ["program", "add", "x", "--title", "X", "--course", "seo-basics", "--fee", "cheap"],
            "is not a number",
        ),
        (
            ["program", "add", "x", "--title", "X", "--course", "seo-basics", "--weeks", "-2"],
            "Invalid value for '--weeks'",
        ),
        (["enrol", "nobody@example.com", "digital-marketing"], "no account with e-mail"),
        (["enrol", "ADMIN", "nope"], "no program with slug nope"),
    ],
)
def test_cli_errors(app: Flask, world: World, args: list[str], message: str) -> None:
    args = [world.admin.email if a == "ADMIN" else a for a in args]
    result = app.test_cli_runner().invoke(args=["learning", *args])
    assert result.exit_code != 0
    assert message in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Program)) == 2
