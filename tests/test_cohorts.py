"""Blended learning: time zones, check-in window, attendance, recordings, missed classes,
exam review, the list filter for private recordings, and the admin CLI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.support import factories
from tests.support.auth import Auth
from tests.support.problems import assert_bad_input
from tests.support.querycount import recorded_statements
from webapp.access import can_view, visible_videos
from webapp.auth.passwords import hash_password
from webapp.cohorts import queries, services
from webapp.cohorts.review import Range, unwatched
from webapp.cohorts.services import CohortError
from webapp.cohorts.timezones import is_valid_zone, localize, parse_local, pick_zone
from webapp.extensions import db
from webapp.models import (
    Attendance,
    Clip,
    Cohort,
    CohortMember,
    Exam,
    ExamScope,
    LiveClass,
    Module,
    Program,
    User,
    Video,
    VideoState,
    WatchProgress,
)

_HASH = hash_password(factories.PASSWORD)
JAN_20_18_UTC = datetime(2027, 1, 20, 18, 0, tzinfo=UTC)


# --------------------------------------------------------------------------- builders


@dataclass(frozen=True)
class Setup:
    """Ids and e-mails of a program with cohort A (learner, instructor) and cohort B."""

    cohort_a: int
    cohort_b: int
    learner: int
    learner_email: str
    instructor: int
    instructor_email: str
    other_learner_email: str


def _user(email: str, role: str = "learner") -> User:
    user = User(email=email, password_hash=_HASH, role=role)
    db.session.add(user)
    db.session.flush()
    return user


def _video(owner_id: int, title: str = "Recording", duration: float = 120.0) -> Video:
    video = Video(
        title=title,
        owner_id=owner_id,
        state=VideoState.READY.value,
        duration=duration,
        hls_prefix="videos/test/hls",  # playable; nothing is fetched in these tests
    )
    db.session.add(video)
    db.session.flush()
    return video


def _class(cohort_id: int | None, title: str, starts_at: datetime, **kw) -> LiveClass:
    live = LiveClass(cohort_id=cohort_id, title=title, starts_at=starts_at, **kw)
    db.session.add(live)
    db.session.flush()
    return live


@pytest.fixture
def setup(app: Flask) -> Setup:
    with app.app_context():
        program = Program(title="Data Science", slug="data-science")
        db.session.add(program)
        db.session.flush()
        a = Cohort(
            program_id=program.id,
            name="DS Jan",
            starts_on=date(2027, 1, 15),
            time_zone="America/New_York",
        )
        b = Cohort(program_id=program.id, name="DS Feb", starts_on=date(2027, 2, 15))
        db.session.add_all([a, b])
        db.session.flush()
        learner, instructor = _user("ann@example.com"), _user("ian@example.com", "instructor")
        other = _user("bob@example.com")
        db.session.add_all(
            [
                CohortMember(cohort_id=a.id, user_id=learner.id, role="learner"),
                CohortMember(cohort_id=a.id, user_id=instructor.id, role="instructor"),
                CohortMember(cohort_id=b.id, user_id=other.id, role="learner"),
            ]
        )
        db.session.commit()
        return Setup(
            a.id, b.id, learner.id, learner.email, instructor.id, instructor.email, other.email
        )


# --------------------------------------------------------------------------- time zones


def test_berlin_in_january_is_cet() -> None:
    shown = localize(JAN_20_18_UTC, "Europe/Berlin")
    assert shown.time == "19:00" and shown.abbreviation == "CET"
    assert shown.display == "Wed 20 Jan 2027, 19:00 CET"
    assert shown.local.isoformat() == "2027-01-20T19:00:00+01:00"


def test_naive_sqlite_values_are_read_as_utc() -> None:
    assert localize(JAN_20_18_UTC.replace(tzinfo=None), "Europe/Berlin").time == "19:00"


@pytest.mark.parametrize(
    "name", ["", "Mars/Phobos", "../../etc/passwd", "/usr/share/zoneinfo/UTC", "x" * 100, None, 3]
)
def test_bad_zone_names_are_rejected(name) -> None:
    assert not is_valid_zone(name)
    assert pick_zone(name, "Europe/Berlin") == "Europe/Berlin"
    assert pick_zone(name) == "UTC"


def test_parse_local_reads_wall_clock_time_in_the_zone() -> None:
    assert parse_local("2027-01-20 19:00", "Europe/Berlin") == JAN_20_18_UTC
    with pytest.raises(ValueError):
        parse_local("2027-01-20 19:00", "Nowhere/Land")


def test_cohort_page_renders_in_the_browser_zone_with_fallback(
    app: Flask, client: FlaskClient, auth: Auth, setup: Setup
) -> None:
    with app.app_context():
        _class(setup.cohort_a, "Kick-off", JAN_20_18_UTC)
        db.session.commit()
    auth.login(setup.learner_email)
    client.set_cookie("tz", "Europe/Berlin")
    page = client.get(f"/cohorts/{setup.cohort_a}").get_data(as_text=True)
    assert "Wed 20 Jan 2027, 19:00 CET" in page and "Europe/Berlin" in page
    assert 'data-tz-shown="Europe/Berlin"' in page
    # ?tz= wins over the cookie
    page = client.get(f"/cohorts/{setup.cohort_a}?tz=Asia/Tokyo").get_data(as_text=True)
    assert "Thu 21 Jan 2027, 03:00 JST" in page
    # a bad zone falls back to the cohort's zone (America/New_York)
    client.set_cookie("tz", "Not/AZone")
    page = client.get(f"/cohorts/{setup.cohort_a}").get_data(as_text=True)
    assert "Wed 20 Jan 2027, 13:00 EST" in page and "America/New_York" in page


def test_schedule_api_gives_utc_and_the_viewer_rendering(
    app: Flask, client: FlaskClient, auth: Auth, setup: Setup
) -> None:
    with app.app_context():
        _class(setup.cohort_a, "Kick-off", JAN_20_18_UTC, join_url="https://meet.example.com/x")
        db.session.add(Exam(cohort_id=setup.cohort_a, title="Midterm", starts_at=JAN_20_18_UTC))
        db.session.commit()
    auth.login(setup.learner_email)
    body = client.get(f"/api/v1/cohorts/{setup.cohort_a}/schedule?tz=Europe/Berlin").get_json()
    assert body["time_zone"] == "Europe/Berlin"
    [live] = body["classes"]
    assert live["starts_at"] == "2027-01-20T18:00:00+00:00"
    assert live["ends_at"] == "2027-01-20T19:00:00+00:00"
    assert live["local"]["display"] == "Wed 20 Jan 2027, 19:00 CET"
    assert live["join_url"] is None  # not yet open
    assert body["exams"][0]["local"]["zone"] == "Europe/Berlin"
    fallback = client.get(f"/api/v1/cohorts/{setup.cohort_a}/schedule?tz=Bad/Zone").get_json()
    assert fallback["time_zone"] == "America/New_York"
    # The cookie counts when ?tz= does not; a repeated tz counts once; other parameters
    # are ignored, as they always were.
    client.set_cookie("tz", "Asia/Tokyo")
    url = f"/api/v1/cohorts/{setup.cohort_a}/schedule"
    assert client.get(f"{url}?tz=Bad/Zone&_=1").get_json()["time_zone"] == "Asia/Tokyo"
    repeated = client.get(f"{url}?tz=Europe/Berlin&tz=Asia/Tokyo").get_json()
    assert repeated["time_zone"] == "Europe/Berlin"
    cohort = client.get(f"/api/v1/cohorts/{setup.cohort_a}").get_json()
    assert cohort["role"] == "learner" and cohort["program"]["slug"] == "data-science"


# --------------------------------------------------------------------------- check-in


@pytest.mark.parametrize(
    ("offset", "allowed"),
    [
        (timedelta(minutes=-11), False),
        (timedelta(minutes=-10), True),
        (timedelta(0), True),
        (timedelta(minutes=90), True),  # the last moment of a 90-minute class
        (timedelta(minutes=90, seconds=1), False),
    ],
)
def test_check_in_window(app: Flask, setup: Setup, offset: timedelta, allowed: bool) -> None:
    with app.app_context():
        live = _class(setup.cohort_a, "Live", JAN_20_18_UTC, duration_minutes=90)
        learner = db.session.get(User, setup.learner)
        if allowed:
            row = services.check_in(live, learner, now=JAN_20_18_UTC + offset)
            assert row.present and row.source == "check-in"
        else:
            with pytest.raises(CohortError, match="10 minutes before"):
                services.check_in(live, learner, now=JAN_20_18_UTC + offset)
        db.session.rollback()


def test_check_in_over_http(app: Flask, client: FlaskClient, auth: Auth, setup: Setup) -> None:
    now = datetime.now(UTC)
    with app.app_context():
        later = _class(
            setup.cohort_a,
            "Later",
            now + timedelta(days=1),
            join_url="https://meet.example.com/later",
        ).id
        running = _class(
            setup.cohort_a,
            "Now",
            now - timedelta(minutes=1),
            join_url="https://meet.example.com/now",
        ).id
        db.session.commit()
    auth.login(setup.learner_email)
    headers = auth.json_headers()
    early = client.post(f"/api/v1/classes/{later}/check-in", headers=headers)
    assert early.status_code == 400 and "10 minutes before" in early.get_json()["error"]
    ok = client.post(f"/api/v1/classes/{running}/check-in", headers=headers)
    assert ok.status_code == 200 and ok.get_json()["source"] == "check-in"
    # the web form redirects back to the cohort page, which now says "Attended"
    token = auth.csrf(f"/cohorts/{setup.cohort_a}")
    form = client.post(f"/classes/{running}/check-in", data={"csrf_token": token})
    assert form.status_code == 302
    page = client.get(f"/cohorts/{setup.cohort_a}").get_data(as_text=True)
    assert "Attended" in page
    # the join link is shown only shortly before and during the class
    assert "https://meet.example.com/now" in page and "meet.example.com/later" not in page
    early_form = client.post(f"/classes/{later}/check-in", data={"csrf_token": token})
    assert early_form.status_code == 400 and "10 minutes before" in early_form.get_data(True)


# --------------------------------------------------------------------------- attendance


def test_instructor_marks_attendance_in_bulk(
    app: Flask, client: FlaskClient, auth: Auth, setup: Setup
) -> None:
    with app.app_context():
        live = _class(setup.cohort_a, "Past", datetime.now(UTC) - timedelta(days=1)).id
        second = _user("cat@example.com")
        db.session.add(CohortMember(cohort_id=setup.cohort_a, user_id=second.id))
        db.session.commit()
        second_id = second.id
    auth.login(setup.instructor_email)
    page = client.get(f"/cohorts/{setup.cohort_a}").get_data(as_text=True)
    assert f'name="present-{setup.learner}"' in page
    token = auth.csrf(f"/cohorts/{setup.cohort_a}")
    data = {"csrf_token": token, f"present-{setup.learner}": "1", f"present-{second_id}": "0"}
    assert client.post(f"/classes/{live}/attendance", data=data).status_code == 302
    no_csrf = client.post(f"/classes/{live}/attendance", data={f"present-{second_id}": "1"})
    assert no_csrf.status_code == 400
    with app.app_context():
        rows = db.session.scalars(select(Attendance).where(Attendance.class_id == live)).all()
        assert {(r.user_id, r.present, r.source) for r in rows} == {
            (setup.learner, True, "instructor"),
            (second_id, False, "instructor"),
        }
    # a user who is not a learner of this cohort cannot be marked
    stranger = client.post(
        f"/api/v1/classes/{live}/attendance",
        json={"user_id": setup.instructor, "present": True},
        headers=auth.json_headers(),
    )
    assert (
        stranger.status_code == 400
        and "not a learner of this class" in stranger.get_json()["error"]
    )
    auth.logout()
    auth.login(setup.learner_email)
    forbidden = client.post(
        f"/classes/{live}/attendance",
        data={"csrf_token": auth.csrf("/classes"), f"present-{setup.learner}": "1"},
    )
    assert forbidden.status_code == 403


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"user_id": "LEARNER", "present": "yes"}, "present", "valid boolean"),
        ({"user_id": "7", "present": True}, "user_id", "valid integer"),
        ({"user_id": True, "present": True}, "user_id", "valid integer"),
        ({"user_id": 0, "present": True}, "user_id", "greater than or equal to 1"),
        ({"user_id": 2**31, "present": True}, "user_id", "less than or equal to"),
        ({"user_id": "LEARNER"}, "present", "Field required"),
        ({"user_id": "LEARNER", "present": True, "source": "check-in"}, "source", "unknown"),
        ([{"user_id": "LEARNER", "present": True}], None, "send a JSON object"),
    ],
)
def test_bad_attendance_marks_are_a_problem_naming_the_field(
    app: Flask,
    client: FlaskClient,
    auth: Auth,
    setup: Setup,
    body: object,
    field: str | None,
    message: str,
) -> None:
    with app.app_context():
        live = _class(setup.cohort_a, "Past", datetime.now(UTC) - timedelta(days=1)).id
        db.session.commit()
    auth.login(setup.instructor_email)
    fill = {"LEARNER": setup.learner}
    if isinstance(body, dict):
        body = {k: fill.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    response = client.post(
        f"/api/v1/classes/{live}/attendance", json=body, headers=auth.json_headers()
    )
    assert_bad_input(response, field, message)
    with app.app_context():
        assert db.session.scalars(select(Attendance)).all() == []


# --------------------------------------------------------------------------- recordings


def test_attaching_a_recording_unlists_its_modules_and_makes_it_private(
    app: Flask, client: FlaskClient, auth: Auth, setup: Setup, make_user
) -> None:
    other_instructor = make_user("instructor")
    with app.app_context():
        live = _class(setup.cohort_a, "Past", datetime.now(UTC) - timedelta(days=1)).id
        mine = _video(setup.instructor, "My recording")
        theirs = _video(other_instructor.id, "Not mine").id
        db.session.add(Module(video_id=mine.id, title="Whole", listed=True))
        db.session.commit()
        mine_id = mine.id
    auth.login(setup.other_learner_email)
    assert client.get(f"/api/v1/videos/{mine_id}").status_code == 200  # still public
    auth.logout()
    auth.login(setup.instructor_email)
    form = client.get(f"/classes/{live}/recording").get_data(as_text=True)
    assert "My recording" in form and "Not mine" not in form and "/upload" in form
    token = auth.csrf(f"/classes/{live}/recording")
    refused = client.post(
        f"/classes/{live}/recording", data={"csrf_token": token, "video_id": theirs}
    )
    assert refused.status_code == 400
    done = client.post(
        f"/classes/{live}/recording", data={"csrf_token": token, "video_id": mine_id}
    )
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(LiveClass, live).recording_id == mine_id
        assert db.session.scalar(select(Module.listed).where(Module.video_id == mine_id)) is False
    auth.logout()
    auth.login(setup.other_learner_email)
    assert client.get(f"/api/v1/videos/{mine_id}").status_code == 404  # now cohort-private
    auth.logout()
    auth.login(setup.learner_email)
    assert client.get(f"/classes/{live}/recording").status_code == 403


def test_masterclass_recordings_stay_public(
    app: Flask, client: FlaskClient, auth: Auth, setup: Setup, make_user
) -> None:
    with app.app_context():
        video = _video(setup.instructor, "Masterclass recording")
        past = _class(None, "Growth loops", datetime.now(UTC) - timedelta(days=3))
        services.attach_recording(past, video)
        _class(None, "Upcoming", datetime.now(UTC) + timedelta(days=3))
        db.session.commit()
        video_id = video.id
    public = client.get("/masterclasses").get_data(as_text=True)  # no sign-in needed
    assert "Growth loops" in public and "Upcoming" in public and "Sign in to watch" in public
    auth.login(make_user("learner").email)
    assert client.get(f"/api/v1/videos/{video_id}").status_code == 200
    assert f"/videos/{video_id}" in client.get("/masterclasses").get_data(as_text=True)


def test_visible_videos_filters_a_list_query(app: Flask, setup: Setup) -> None:
    with app.app_context():
        public = _video(setup.instructor, "Public").id
        private_a = _video(setup.instructor, "A only")
        _class(setup.cohort_a, "A class", JAN_20_18_UTC, recording_id=private_a.id)
        db.session.commit()
        base = select(Video.id).order_by(Video.id)

        def seen(email: str) -> list[int]:
            user = db.session.scalar(select(User).where(User.email == email))
            return list(db.session.scalars(visible_videos(base, user)))

        assert seen(setup.learner_email) == [public, private_a.id]
        assert seen(setup.other_learner_email) == [public]
        assert seen(setup.instructor_email) == [public, private_a.id]  # owner


# --------------------------------------------------------------------------- missed classes


def test_missed_classes_with_catch_up_progress(
    app: Flask, client: FlaskClient, auth: Auth, setup: Setup
) -> None:
    now = datetime.now(UTC)
    with app.app_context():
        rec = _video(setup.instructor, "Week 2 recording", duration=120.0)
        attended = _class(setup.cohort_a, "Week 1", now - timedelta(days=14))
        marked_absent = _class(
            setup.cohort_a, "Week 2", now - timedelta(days=7), recording_id=rec.id
        )
        _class(setup.cohort_a, "Week 3", now - timedelta(days=1))
        _class(setup.cohort_a, "Running", now - timedelta(minutes=30))  # not over yet
        _class(setup.cohort_a, "Week 5", now + timedelta(days=7))
        _class(setup.cohort_b, "Other cohort", now - timedelta(days=2))
        db.session.add_all(
            [
                Attendance(class_id=attended.id, user_id=setup.learner, present=True),
                Attendance(class_id=marked_absent.id, user_id=setup.learner, present=False),
                WatchProgress(
                    user_id=setup.learner,
                    video_id=rec.id,
                    position=30.0,
                    intervals=[[0, 30]],
                    watched_seconds=30.0,
                ),
            ]
        )
        db.session.commit()
        learner = db.session.get(User, setup.learner)
        missed = queries.missed_classes(learner, now)
        assert [m.live_class.title for m in missed] == ["Week 3", "Week 2"]
        assert missed[0].progress is None
        assert missed[1].progress == queries.RecordingProgress(30.0, 25.0, False)
        instructor = db.session.get(User, setup.instructor)
        assert queries.missed_classes(instructor, now) == []  # instructors miss nothing
    auth.login(setup.learner_email)
    body = client.get("/api/v1/me/missed-classes").get_json()["missed_classes"]
    assert [item["title"] for item in body] == ["Week 3", "Week 2"]
    week2 = body[1]
    assert body[0]["recording_progress"] is None
    assert week2["recording_progress"] == {
        "watched_seconds": 30.0,
        "percent": 25.0,
        "completed": False,
    }
    page = client.get("/classes").get_data(as_text=True)
    assert "Week 2" in page and "25% watched since" in page


# --------------------------------------------------------------------------- exam review


def test_unwatched_is_the_complement_ignoring_tiny_gaps() -> None:
    assert unwatched([(0, 30), (30.4, 50), (80, 90)], 100) == [Range(50, 80), Range(90, 100)]
    assert unwatched([], 60) == [Range(0, 60)]
    assert unwatched([(0, 59.5)], 60) == []
    assert unwatched([(10, 200)], 60) == [Range(0, 10)]
    assert Range(50, 80).label == "0:50–1:20" and Range(59.2, 125.1).label == "0:59–2:06"


@pytest.fixture
def exam_setup(app: Flask, setup: Setup) -> tuple[int, dict[str, int]]:
    """Exam with four modules: unwatched, partly watched, completed, and a partly watched
    clip (intervals in seconds from the clip's start)."""
    with app.app_context():
        videos = {
            n: _video(setup.instructor, n, d)
            for n, d in (("intro", 120.0), ("partly", 100.0), ("done", 60.0), ("long", 300.0))
        }
        clip = Clip(
            video_id=videos["long"].id,
            title="Clip",
            start=10.0,
            end=40.0,
            created_by=setup.instructor,
        )
        db.session.add(clip)
        db.session.flush()
        modules = {
            "intro": Module(video_id=videos["intro"].id, title="Intro", duration=120.0),
            "partly": Module(video_id=videos["partly"].id, title="Partly", duration=100.0),
            "done": Module(video_id=videos["done"].id, title="Done", duration=60.0),
            "clip": Module(
                video_id=videos["long"].id, clip_id=clip.id, title="Clip part", duration=30.0
            ),
        }
        db.session.add_all(modules.values())
        exam = Exam(cohort_id=setup.cohort_a, title="Final", starts_at=JAN_20_18_UTC)
        db.session.add(exam)
        db.session.flush()
        for key in ("done", "partly", "intro", "clip"):  # scope order
            db.session.add(ExamScope(exam_id=exam.id, module_id=modules[key].id))
        for video, clip_id, spans, seconds, completed in (
            (videos["partly"], None, [[0, 30], [30.4, 50], [80, 90]], 49.6, None),
            (videos["done"], None, [[0, 60]], 60.0, JAN_20_18_UTC),
            (videos["long"], clip.id, [[0, 10]], 10.0, None),
        ):
            db.session.add(
                WatchProgress(
                    user_id=setup.learner,
                    video_id=video.id,
                    clip_id=clip_id,
                    intervals=spans,
                    watched_seconds=seconds,
                    position=0.0,
                    completed_at=completed,
                )
            )
        db.session.commit()
        return exam.id, {k: m.id for k, m in modules.items()}


def test_exam_review_orders_unwatched_first_with_ranges(
    client: FlaskClient, auth: Auth, setup: Setup, exam_setup
) -> None:
    exam_id, modules = exam_setup
    auth.login(setup.learner_email)
    body = client.get(f"/api/v1/exams/{exam_id}/review").get_json()
    got = [
        (m["title"], m["status"], m["percent_watched"], [r["label"] for r in m["unwatched"]])
        for m in body["modules"]
    ]
    assert got == [
        ("Intro", "not started", 0.0, ["0:00–2:00"]),
        ("Clip part", "partly watched", 33.3, ["0:10–0:30"]),
        ("Partly", "partly watched", 60.0, ["0:50–1:20", "1:30–1:40"]),
        ("Done", "completed", 100.0, []),
    ]
    page = client.get(f"/exams/{exam_id}/review").get_data(as_text=True)
    assert page.index("Intro") < page.index("Clip part") < page.index("Partly") < page.index("Done")
    assert "0:50–1:20" in page and "?t=50" in page and "?t=90" in page
    assert "/clips/" in page and "t=10" in page


def test_exam_review_is_for_cohort_members(
    client: FlaskClient, auth: Auth, setup: Setup, exam_setup
) -> None:
    exam_id, _ = exam_setup
    auth.login(setup.other_learner_email)
    assert client.get(f"/exams/{exam_id}/review").status_code == 404
    assert client.get(f"/api/v1/exams/{exam_id}/review").status_code == 404


# --------------------------------------------------------------------------- CLI


def test_cli_builds_a_cohort_schedule(app: Flask, make_user, make_ready_video) -> None:
    learner, teacher = make_user("learner"), make_user("instructor")
    video_id = make_ready_video(teacher.id, "Recorded class")
    with app.app_context():
        db.session.add(Program(title="Cloud", slug="cloud"))
        module = Module(video_id=video_id, title="Recorded class")
        db.session.add(module)
        db.session.commit()
        module_id = module.id
    runner = app.test_cli_runner()

    def run(*args: str) -> str:
        result = runner.invoke(args=["cohorts", *args])
        assert result.exit_code == 0, result.output
        return result.output

    assert "created cohort" in run(
        "add", "cloud", "Cloud Jan", "--starts", "2027-01-15", "--tz", "Europe/Berlin"
    )
    with app.app_context():
        cohort_id = db.session.scalar(select(Cohort.id))
    run("member", str(cohort_id), learner.email)
    run("member", str(cohort_id), teacher.email, "--role", "instructor")
    out = run(
        "class",
        "add",
        str(cohort_id),
        "Kick-off",
        "--at",
        "2027-01-20 19:00",
        "--minutes",
        "90",
        "--join",
        "https://meet.example.com/k",
    )
    assert "2027-01-20 18:00 UTC" in out  # 19:00 Berlin time
    run("class", "add", "--masterclass", "Open day", "--at", "2027-02-01 17:00")
    run(
        "exam",
        "add",
        str(cohort_id),
        "Final",
        "--at",
        "2027-03-01 09:00",
        "--module",
        str(module_id),
    )
    with app.app_context():
        kickoff = db.session.scalar(select(LiveClass).where(LiveClass.title == "Kick-off"))
        run("recording", str(kickoff.id), str(video_id))
        db.session.expire_all()
        assert kickoff.recording_id == video_id and kickoff.duration_minutes == 90
        master = db.session.scalar(select(LiveClass).where(LiveClass.title == "Open day"))
        assert master.cohort_id is None
        roles = dict(db.session.execute(select(CohortMember.user_id, CohortMember.role)).all())
        assert roles == {learner.id: "learner", teacher.id: "instructor"}
        assert db.session.scalar(select(Module.listed).where(Module.id == module_id)) is False
        assert db.session.scalar(select(ExamScope.module_id)) == module_id
    bad = runner.invoke(
        args=["cohorts", "add", "cloud", "X", "--starts", "2027-01-15", "--tz", "Mars/Base"]
    )
    assert bad.exit_code != 0 and "unknown time zone" in bad.output
    usage = runner.invoke(
        args=["cohorts", "class", "add", "Only title", "--at", "2027-01-01 10:00"]
    )
    assert usage.exit_code != 0


# --------------------------------------------------------------------------- query counts


def _statements(app: Flask, action: Callable[[], object]) -> int:
    """How many SQL statements ``action`` runs inside an app context."""
    with app.app_context(), recorded_statements(app) as seen:
        action()
    return len(seen)


def test_can_view_is_one_query_and_the_cohort_page_does_not_grow_with_classes(
    app: Flask, client: FlaskClient, auth: Auth, setup: Setup
) -> None:
    with app.app_context():
        video = _video(setup.instructor)
        _class(setup.cohort_a, "With recording", JAN_20_18_UTC, recording_id=video.id)
        db.session.commit()
        learner = db.session.get(User, setup.learner)
        video = db.session.get(Video, video.id)  # loaded: only the rule's query is counted
        assert _statements(app, lambda: can_view(learner, video)) == 1
    auth.login(setup.instructor_email)
    url = f"/cohorts/{setup.cohort_a}"
    small = _statements(app, lambda: client.get(url))
    with app.app_context():
        for n in range(6):
            rec = _video(setup.instructor, f"R{n}").id
            _class(setup.cohort_a, f"C{n}", JAN_20_18_UTC + timedelta(days=n), recording_id=rec)
            member = _user(f"l{n}@example.com")
            db.session.add(CohortMember(cohort_id=setup.cohort_a, user_id=member.id))
        db.session.commit()
    assert _statements(app, lambda: client.get(url)) == small


def test_clip_of_a_cohort_recording_is_not_listed(app, make_user, make_ready_video) -> None:
    """A clip cut after the recording was attached to a cohort class stays out of the library."""
    from datetime import UTC, datetime

    from webapp.catalogue.services import sync_clip_module
    from webapp.extensions import db
    from webapp.models import Clip

    owner = make_user("instructor")
    video_id = make_ready_video(owner.id, "Week 1 class")
    with app.app_context():
        factories.add_cohort_recording(
            video_id, "p-private-clip", datetime(2027, 1, 2, 18, tzinfo=UTC)
        )
        clip = Clip(video_id=video_id, title="Bit", start=0.0, end=2.0, created_by=owner.id)
        db.session.add(clip)
        db.session.flush()
        assert sync_clip_module(clip).listed is False
        db.session.rollback()
