"""The teaching back office (issue 18): cohorts, members, live classes, masterclasses and
exams, created, edited and deleted in pages and over ``/api/v1``; who may do what; the
CSV member import and its report; a bad-input table per form and per body."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.support import factories
from tests.support.auth import Auth
from tests.support.problems import problem_fields, problem_of
from webapp.auth.passwords import hash_password
from webapp.extensions import db
from webapp.models import (
    Attendance,
    Cohort,
    CohortMember,
    Course,
    CourseModule,
    Exam,
    ExamScope,
    LiveClass,
    Module,
    Program,
    ProgramCourse,
    User,
    Video,
    VideoState,
)
from webapp.models.base import as_utc

HTML = '<script>alert("x")</script><b>bold</b>'
FUTURE = "2030-01-20T19:00"  # Berlin wall-clock time: 18:00 UTC
FUTURE_UTC = datetime(2030, 1, 20, 18, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Place:
    """Ids and e-mails: cohort A (Berlin; instructor ia, learner la), cohort B (instructor
    ib), an admin, a READY video of ia, a module of program A and an unlisted stray one."""

    cohort_a: int
    cohort_b: int
    admin: str
    ia: str
    ia_id: int
    la: str
    la_id: int
    ib: str
    outsider: str
    outsider_id: int
    video: int
    module: int
    stray_module: int
    past_class: int


def _video(owner_id: int, title: str) -> Video:
    video = Video(
        title=title,
        owner_id=owner_id,
        state=VideoState.READY.value,
        duration=60.0,
        hls_prefix="videos/test/hls",
    )
    db.session.add(video)
    db.session.flush()
    return video


_HASH = hash_password(factories.PASSWORD)  # once: hashing per account is slow


def _account(role: str, email: str, name: str = "") -> User:
    user = User(email=email, name=name, password_hash=_HASH, role=role)
    db.session.add(user)
    db.session.flush()
    return user


@pytest.fixture
def place(app: Flask) -> Place:
    with app.app_context():
        admin, ia = _account("admin", "root@example.com"), _account("instructor", "ia@example.com")
        ib, la = _account("instructor", "ib@example.com"), _account("learner", "la@example.com")
        outsider = _account("learner", "zed@example.com", "Olga Outsider")
        program_a = Program(title="Program A", slug="prog-a")
        program_b = Program(title="Program B", slug="prog-b")
        db.session.add_all([program_a, program_b])
        video = _video(ia.id, "Lesson one")
        module = Module(video_id=video.id, title="Lesson one")
        stray = Module(video_id=_video(ib.id, "Stray").id, title="Stray", listed=False)
        course = Course(title="Course A", slug="course-a")
        db.session.add_all([module, stray, course])
        db.session.flush()
        db.session.add_all(
            [
                CourseModule(course_id=course.id, module_id=module.id, position=1),
                ProgramCourse(program_id=program_a.id, course_id=course.id, position=1),
            ]
        )
        a = Cohort(
            program=program_a, name="A", starts_on=date(2030, 1, 1), time_zone="Europe/Berlin"
        )
        b = Cohort(program=program_b, name="B", starts_on=date(2030, 1, 1), time_zone="UTC")
        db.session.add_all([a, b])
        db.session.flush()
        db.session.add_all(
            [
                CohortMember(cohort_id=a.id, user_id=ia.id, role="instructor"),
                CohortMember(cohort_id=a.id, user_id=la.id, role="learner"),
                CohortMember(cohort_id=b.id, user_id=ib.id, role="instructor"),
            ]
        )
        past = LiveClass(
            cohort_id=a.id,
            title="Week 0",
            starts_at=(datetime.now(UTC) - timedelta(days=3)).replace(second=0, microsecond=0),
            duration_minutes=60,
        )
        db.session.add(past)
        db.session.flush()
        db.session.add(Attendance(class_id=past.id, user_id=la.id, present=True))
        db.session.commit()
        return Place(
            a.id,
            b.id,
            admin.email,
            ia.email,
            ia.id,
            la.email,
            la.id,
            ib.email,
            outsider.email,
            outsider.id,
            video.id,
            module.id,
            stray.id,
            past.id,
        )


def _rows(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables the back office writes, to prove a refusal changed nothing."""
    tables = (Cohort, CohortMember, LiveClass, Exam, ExamScope, Attendance, User)
    with app.app_context():
        return {
            model.__tablename__: sorted(
                tuple(str(getattr(row, c.key)) for c in model.__table__.columns)
                for row in db.session.scalars(select(model))
            )
            for model in tables
        }


@pytest.fixture
def unchanged(app: Flask) -> Iterator[None]:
    """Fails the test if the database changed."""
    before = _rows(app)
    yield
    assert _rows(app) == before


def _post(client: FlaskClient, auth: Auth, url: str, data: dict[str, Any], **kw: Any):
    return client.post(url, data={**data, "csrf_token": auth.csrf("/")}, **kw)


def _api(client: FlaskClient, auth: Auth, method: str, url: str, body: Any = None):
    return client.open(f"/api/v1{url}", method=method, json=body, headers=auth.json_headers())


def _error_beside(page: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', page, re.S)
    assert found, f"no error beside {field}"
    return found.group(1)


def _assert_refused(response, field: str, message: str, typed: dict[str, str]) -> None:
    """400, ``message`` beside ``field``, and every typed text value still in the form."""
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page[:500]
    assert str(escape(message)) in _error_beside(page, field)
    assert "Nothing was saved" in page
    for value in typed.values():
        if value:
            assert f'value="{escape(value)}"' in page or f">{escape(value)}</textarea>" in page


# --------------------------------------------------------------------------- cohorts


def test_admin_creates_edits_and_deletes_a_cohort(
    app: Flask, client: FlaskClient, auth: Auth, place: Place
) -> None:
    auth.login(place.admin)
    assert client.get("/manage/cohorts/new").status_code == 200
    data = {
        "program": "prog-a",
        "name": "Spring",
        "starts_on": "2030-03-01",
        "time_zone": "Asia/Tokyo",
    }
    response = _post(client, auth, "/manage/cohorts/new", data)
    assert response.status_code == 302
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.name == "Spring"))
        assert cohort.time_zone == "Asia/Tokyo" and cohort.starts_on == date(2030, 3, 1)
        new_id = cohort.id
    edit = {**data, "name": "Spring 2030", "program": "prog-b"}
    assert _post(client, auth, f"/manage/cohorts/{new_id}/edit", edit).status_code == 302
    with app.app_context():
        cohort = db.session.get_one(Cohort, new_id)
        assert cohort.name == "Spring 2030" and cohort.program.slug == "prog-b"

    confirm = client.get(f"/manage/cohorts/{place.cohort_a}/delete").get_data(as_text=True)
    for what in ("2 memberships", "1 live class", "1 attendance mark", "0 exams"):
        assert what in confirm
    assert _post(client, auth, f"/manage/cohorts/{place.cohort_a}/delete", {}).status_code == 302
    with app.app_context():
        assert db.session.get(Cohort, place.cohort_a) is None
        assert db.session.scalar(select(LiveClass).where(LiveClass.id == place.past_class)) is None
        assert db.session.scalar(select(Attendance)) is None
        assert db.session.get(Video, place.video) is not None


COHORT_OK = {"program": "prog-a", "name": "Cohort X", "starts_on": "2030-03-01", "time_zone": "UTC"}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": ""}, "name", "Enter a name."),
        ({"name": "x" * 201}, "name", "Use at most 200 characters."),
        ({"name": "two\nlines"}, "name", "Use one line of plain text"),
        ({"time_zone": "Mars/Base"}, "time_zone", "“Mars/Base” is not a time zone we know"),
        ({"time_zone": "../../etc/passwd"}, "time_zone", "is not a time zone we know"),
        ({"time_zone": HTML}, "time_zone", "is not a time zone we know"),
        ({"time_zone": ""}, "time_zone", "Enter a time zone."),
        ({"starts_on": ""}, "starts_on", "Enter a date such as 2027-01-15."),
        ({"program": ""}, "program", "Pick a program."),
        ({"program": "no-such"}, "program", "Not a valid choice"),
    ],
    ids=lambda v: str(v)[:30],
)
def test_cohort_form_bad_input(
    client: FlaskClient, auth: Auth, place: Place, unchanged: None, change, field, message
) -> None:
    auth.login(place.admin)
    data = {**COHORT_OK, **change}
    response = _post(client, auth, "/manage/cohorts/new", data)
    typed = {k: v for k, v in data.items() if k in ("name", "time_zone")}
    _assert_refused(response, field, message, typed)


def test_cohort_edit_bad_input_keeps_what_was_typed(
    client: FlaskClient, auth: Auth, place: Place, unchanged: None
) -> None:
    auth.login(place.admin)
    data = {**COHORT_OK, "name": "Renamed", "time_zone": "Nowhere/City"}
    response = _post(client, auth, f"/manage/cohorts/{place.cohort_a}/edit", data)
    _assert_refused(response, "time_zone", "is not a time zone we know", {"name": "Renamed"})


def test_html_in_a_cohort_name_is_stored_as_text_and_shown_escaped(
    app: Flask, client: FlaskClient, auth: Auth, place: Place
) -> None:
    auth.login(place.admin)
    data = {**COHORT_OK, "name": HTML}
    assert _post(client, auth, f"/manage/cohorts/{place.cohort_a}/edit", data).status_code == 302
    with app.app_context():
        assert db.session.get_one(Cohort, place.cohort_a).name == HTML
    for url in (
        f"/cohorts/{place.cohort_a}",
        f"/manage/cohorts/{place.cohort_a}",
        "/manage/cohorts",
    ):
        page = client.get(url).get_data(as_text=True)
        assert str(escape(HTML)) in page and HTML not in page


# --------------------------------------------------------------------------- who may


def test_a_cohort_instructor_manages_only_their_cohort(
    client: FlaskClient, auth: Auth, place: Place
) -> None:
    auth.login(place.ia)
    a, b = place.cohort_a, place.cohort_b
    assert client.get("/manage/cohorts").status_code == 200
    assert client.get(f"/manage/cohorts/{a}").status_code == 200
    assert client.get(f"/manage/cohorts/{b}").status_code == 404
    assert client.get(f"/manage/cohorts/{b}/classes/new").status_code == 404
    assert client.get("/manage/cohorts/new").status_code == 403
    assert client.get(f"/manage/cohorts/{a}/delete").status_code == 403
    assert client.get(f"/manage/cohorts/{a}/edit").status_code == 403
    assert client.get("/manage/masterclasses/new").status_code == 403
    body = {"title": "Sneaky", "starts_at": "2030-01-01T10:00:00Z"}
    assert _api(client, auth, "POST", f"/cohorts/{b}/classes", body).status_code == 404
    assert _api(client, auth, "POST", "/masterclasses", body).status_code == 403
    assert _api(client, auth, "DELETE", f"/cohorts/{a}").status_code == 403
    assert _api(client, auth, "POST", f"/cohorts/{a}/classes", body).status_code == 201


def test_a_learner_of_the_cohort_gets_403_and_an_outsider_404(
    client: FlaskClient, auth: Auth, place: Place
) -> None:
    auth.login(place.la)
    assert client.get("/manage/cohorts").status_code == 403
    assert client.get(f"/manage/cohorts/{place.cohort_a}").status_code == 403
    assert client.get(f"/manage/cohorts/{place.cohort_b}").status_code == 404
    assert client.get(f"/manage/classes/{place.past_class}/edit").status_code == 403
    member = {"email": place.outsider, "role": "learner"}
    response = _api(client, auth, "POST", f"/cohorts/{place.cohort_a}/members", member)
    assert response.status_code == 403


# --------------------------------------------------------------------------- members


def test_search_and_add_change_role_and_remove_a_member(
    app: Flask, client: FlaskClient, auth: Auth, place: Place
) -> None:
    auth.login(place.ia)
    url = f"/manage/cohorts/{place.cohort_a}"
    page = client.get(url, query_string={"q": "olga"}).get_data(as_text=True)
    assert place.outsider in page and "Add as learner" in page
    page = client.get(url, query_string={"q": place.la}).get_data(as_text=True)
    assert "Add as learner" not in page  # already a member: not offered
    response = _post(client, auth, f"{url}/members", {"email": place.outsider, "role": "learner"})
    assert response.status_code == 302
    response = _post(
        client, auth, f"{url}/members/{place.outsider_id}/role", {"role": "instructor"}
    )
    assert response.status_code == 302
    with app.app_context():
        role = db.session.scalar(
            select(CohortMember.role).where(CohortMember.user_id == place.outsider_id)
        )
        assert role == "instructor"
    confirm = client.get(f"{url}/members/{place.outsider_id}/remove").get_data(as_text=True)
    assert place.outsider in confirm
    assert _post(client, auth, f"{url}/members/{place.outsider_id}/remove", {}).status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(select(CohortMember).where(CohortMember.user_id == place.outsider_id))
            is None
        )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "", "role": "learner"}, "email", "Enter the e-mail address"),
        ({"email": "x" * 250 + "@a.io", "role": "learner"}, "email", "at most 254 characters"),
        ({"email": "ghost@example.com", "role": "learner"}, "email", "No account has"),
        ({"email": HTML, "role": "learner"}, "email", "No account has"),
        ({"email": "{la}", "role": "learner"}, "email", "already a member"),
        ({"email": "{outsider}", "role": "boss"}, "role", "Not a valid choice"),
    ],
    ids=lambda v: str(v)[:30],
)
def test_member_form_bad_input(
    client: FlaskClient, auth: Auth, place: Place, unchanged: None, data, field, message
) -> None:
    auth.login(place.ia)
    data = {**data, "email": data["email"].format(la=place.la, outsider=place.outsider)}
    response = _post(client, auth, f"/manage/cohorts/{place.cohort_a}/members", data)
    _assert_refused(response, field, message, {"email": data["email"]})


def test_csv_import_reports_every_line(
    app: Flask, client: FlaskClient, auth: Auth, place: Place
) -> None:
    with app.app_context():
        newcomer_id = _account("learner", "newcomer@example.com").id
        db.session.commit()
    auth.login(place.ia)
    csv = (
        "email,role\n"
        "newcomer@example.com,instructor\n"
        f"{place.la},learner\n"
        "ghost@example.com,learner\n"
        f"{place.outsider},teacher\n"
        f"{place.outsider},\n"
    )
    response = _post(
        client, auth, f"/manage/cohorts/{place.cohort_a}/members/import", {"text": csv}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    outcomes = re.findall(r'<tr data-outcome="([^"]+)"><td>(\d+)</td>', page)
    assert outcomes == [
        ("added", "2"),
        ("already a member", "3"),
        ("no such account", "4"),
        ("invalid role", "5"),
        ("added", "6"),
    ]
    with app.app_context():
        roles = dict(
            db.session.execute(
                select(CohortMember.user_id, CohortMember.role).where(
                    CohortMember.cohort_id == place.cohort_a
                )
            ).all()
        )
    assert roles[newcomer_id] == "instructor" and roles[place.outsider_id] == "learner"


@pytest.mark.parametrize(
    ("upload", "field", "message"),
    [
        (b"email,role\n" + b"a@example.com,learner\n" * 480_000, "file", "at most 1 MB"),
        (b'email,role\n=HYPERLINK("http://evil.example","x"),learner\n', "file", "formula"),
        (b"name\nann\n", "file", "missing: email"),
        (b"\xff\xfe\x00", "file", "not UTF-8"),
        (None, "text", "Choose a CSV file or paste"),
    ],
    ids=["10MB", "formula", "no-header", "binary", "nothing"],
)
def test_csv_import_bad_input(
    client: FlaskClient, auth: Auth, place: Place, unchanged: None, upload, field, message
) -> None:
    auth.login(place.ia)
    fields: dict[str, Any] = {"csrf_token": auth.csrf("/")}
    if upload is not None:
        fields["file"] = FileStorage(BytesIO(upload), "members.csv", content_type="text/csv")
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(fields)
    response = client.post(
        f"/manage/cohorts/{place.cohort_a}/members/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in _error_beside(page, field)


# --------------------------------------------------------------------------- classes


CLASS_OK = {
    "title": "Kick-off",
    "starts_at": FUTURE,
    "duration_minutes": "90",
    "join_url": "https://meet.example.com/k",
    "recording_id": "",
    "topic_id": "",
}


def test_instructor_schedules_edits_and_deletes_a_class_in_the_cohort_zone(
    app: Flask, client: FlaskClient, auth: Auth, place: Place
) -> None:
    auth.login(place.ia)
    form = client.get(f"/manage/cohorts/{place.cohort_a}/classes/new").get_data(as_text=True)
    assert "Start (Europe/Berlin)" in form
    response = _post(client, auth, f"/manage/cohorts/{place.cohort_a}/classes/new", CLASS_OK)
    assert response.status_code == 302
    with app.app_context():
        live = db.session.scalar(select(LiveClass).where(LiveClass.title == "Kick-off"))
        assert as_utc(live.starts_at) == FUTURE_UTC and live.duration_minutes == 90
        class_id = live.id
    page = client.get(f"/manage/classes/{class_id}/edit").get_data(as_text=True)
    assert 'value="2030-01-20T19:00"' in page  # shown back in the cohort's zone
    # A past class may be edited: attach its recording.
    past = {**CLASS_OK, "title": "Week 0", "recording_id": str(place.video)}
    with app.app_context():
        start = as_utc(db.session.get_one(LiveClass, place.past_class).starts_at)
    past["starts_at"] = start.astimezone(ZoneInfo("Europe/Berlin")).strftime("%Y-%m-%dT%H:%M")
    response = _post(client, auth, f"/manage/classes/{place.past_class}/edit", past)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        assert db.session.get_one(LiveClass, place.past_class).recording_id == place.video
    confirm = client.get(f"/manage/classes/{place.past_class}/delete").get_data(as_text=True)
    assert "1 attendance mark" in confirm and "recording stays" in confirm
    assert _post(client, auth, f"/manage/classes/{place.past_class}/delete", {}).status_code == 302
    with app.app_context():
        assert db.session.get(LiveClass, place.past_class) is None
        assert db.session.get(Video, place.video) is not None


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": ""}, "title", "Enter a title."),
        ({"title": "x" * 201}, "title", "Use at most 200 characters."),
        ({"starts_at": ""}, "starts_at", "Enter the start date and time."),
        ({"starts_at": "2020-01-01T10:00"}, "starts_at", "a class in the past"),
        ({"duration_minutes": "0"}, "duration_minutes", "A class lasts 1 to 600 minutes."),
        ({"duration_minutes": "601"}, "duration_minutes", "A class lasts 1 to 600 minutes."),
        ({"join_url": "javascript:alert(1)"}, "join_url", "must be an https:// address"),
        ({"join_url": "http://meet.example.com"}, "join_url", "must be an https:// address"),
        ({"join_url": HTML}, "join_url", "must be an https:// address"),
        ({"recording_id": "999999"}, "recording_id", "Not a valid choice"),
    ],
    ids=lambda v: str(v)[:30],
)
def test_class_form_bad_input(
    client: FlaskClient, auth: Auth, place: Place, unchanged: None, change, field, message
) -> None:
    auth.login(place.ia)
    data = {**CLASS_OK, **change}
    response = _post(client, auth, f"/manage/cohorts/{place.cohort_a}/classes/new", data)
    typed = {k: data[k] for k in ("title", "join_url")}
    _assert_refused(response, field, message, typed)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"zone": "Mars/Base"}, "zone", "is not a time zone we know"),
        ({"zone": ""}, "zone", "Enter a time zone."),
        ({"starts_at": "2001-05-05T05:05"}, "starts_at", "a class in the past"),
    ],
)
def test_masterclass_form_bad_input(
    client: FlaskClient, auth: Auth, place: Place, unchanged: None, change, field, message
) -> None:
    auth.login(place.admin)
    data = {**CLASS_OK, "zone": "America/New_York", **change}
    response = _post(client, auth, "/manage/masterclasses/new", data)
    _assert_refused(response, field, message, {"title": data["title"]})


def test_masterclass_start_is_read_in_the_zone_picked_and_html_is_escaped(
    app: Flask, client: FlaskClient, auth: Auth, place: Place
) -> None:
    auth.login(place.admin)
    data = {**CLASS_OK, "title": HTML, "zone": "America/New_York"}
    assert _post(client, auth, "/manage/masterclasses/new", data).status_code == 302
    with app.app_context():
        live = db.session.scalar(select(LiveClass).where(LiveClass.cohort_id.is_(None)))
        assert live.title == HTML
        assert as_utc(live.starts_at) == datetime(2030, 1, 21, 0, 0, tzinfo=UTC)
    for url in ("/masterclasses", "/manage/masterclasses"):
        page = client.get(url).get_data(as_text=True)
        assert str(escape(HTML)) in page and HTML not in page


def test_html_in_a_class_title_is_escaped_on_the_cohort_page(
    client: FlaskClient, auth: Auth, place: Place
) -> None:
    auth.login(place.ia)
    data = {**CLASS_OK, "title": HTML}
    assert (
        _post(client, auth, f"/manage/cohorts/{place.cohort_a}/classes/new", data).status_code
        == 302
    )
    page = client.get(f"/cohorts/{place.cohort_a}").get_data(as_text=True)
    assert str(escape(HTML)) in page and HTML not in page


# --------------------------------------------------------------------------- exams


def test_exam_create_edit_delete_with_modules_of_the_program(
    app: Flask, client: FlaskClient, auth: Auth, place: Place
) -> None:
    auth.login(place.ia)
    url = f"/manage/cohorts/{place.cohort_a}/exams/new"
    form = client.get(url).get_data(as_text=True)
    assert "Lesson one" in form and "Stray" not in form  # unlisted, not in the program
    data = {"title": "Final", "starts_at": FUTURE, "module_ids": [str(place.module)]}
    assert _post(client, auth, url, data).status_code == 302
    with app.app_context():
        exam = db.session.scalar(select(Exam))
        assert as_utc(exam.starts_at) == FUTURE_UTC
        assert db.session.scalar(select(ExamScope.module_id)) == place.module
        exam_id = exam.id
    data = {"title": "Final (moved)", "starts_at": "2030-02-01T09:00", "module_ids": []}
    assert _post(client, auth, f"/manage/exams/{exam_id}/edit", data).status_code == 302
    with app.app_context():
        assert db.session.get_one(Exam, exam_id).title == "Final (moved)"
        assert db.session.scalar(select(ExamScope)) is None
    assert "Delete the exam" in client.get(f"/manage/exams/{exam_id}/delete").get_data(as_text=True)
    assert _post(client, auth, f"/manage/exams/{exam_id}/delete", {}).status_code == 302
    with app.app_context():
        assert db.session.get(Exam, exam_id) is None


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": ""}, "title", "Enter a title."),
        ({"title": "y" * 201}, "title", "Use at most 200 characters."),
        ({"starts_at": "tomorrow"}, "starts_at", "Not a valid datetime value."),
        ({"module_ids": ["{stray}"]}, "module_ids", "not a valid choice"),
    ],
    ids=lambda v: str(v)[:30],
)
def test_exam_form_bad_input(
    client: FlaskClient, auth: Auth, place: Place, unchanged: None, change, field, message
) -> None:
    auth.login(place.ia)
    data = {"title": "Mid-term", "starts_at": FUTURE, "module_ids": [str(place.module)], **change}
    data["module_ids"] = [m.format(stray=place.stray_module) for m in data["module_ids"]]
    response = _post(client, auth, f"/manage/cohorts/{place.cohort_a}/exams/new", data)
    typed = {"title": data["title"]}
    _assert_refused(response, field, message, typed)


def test_html_in_an_exam_title_is_escaped_on_the_cohort_page(
    client: FlaskClient, auth: Auth, place: Place
) -> None:
    auth.login(place.ia)
    data = {"title": HTML, "starts_at": FUTURE}
    assert (
        _post(client, auth, f"/manage/cohorts/{place.cohort_a}/exams/new", data).status_code == 302
    )
    page = client.get(f"/cohorts/{place.cohort_a}").get_data(as_text=True)
    assert str(escape(HTML)) in page and HTML not in page


# --------------------------------------------------------------------------- API


def test_api_round_trip(app: Flask, client: FlaskClient, auth: Auth, place: Place) -> None:
    auth.login(place.admin)
    body = {
        "program": "prog-a",
        "name": "API",
        "starts_on": "2030-04-01",
        "time_zone": "Europe/Paris",
    }
    made = _api(client, auth, "POST", "/cohorts", body)
    assert made.status_code == 201, made.get_json()
    cohort_id = made.get_json()["id"]
    changed = _api(client, auth, "PATCH", f"/cohorts/{cohort_id}", {"name": "API 2"})
    assert changed.get_json()["name"] == "API 2"

    member = _api(client, auth, "POST", f"/cohorts/{cohort_id}/members", {"email": place.la})
    assert member.status_code == 201 and member.get_json()["role"] == "learner"
    again = _api(client, auth, "POST", f"/cohorts/{cohort_id}/members", {"email": place.la})
    assert problem_of(again, 409)["errors"][0]["field"] == "email"
    role = _api(
        client, auth, "PATCH", f"/cohorts/{cohort_id}/members/{place.la_id}", {"role": "instructor"}
    )
    assert role.get_json()["role"] == "instructor"
    gone = _api(client, auth, "DELETE", f"/cohorts/{cohort_id}/members/{place.la_id}")
    assert gone.status_code == 204

    klass = {"title": "Live", "starts_at": "2030-01-20T19:00:00+01:00", "duration_minutes": 30}
    made = _api(client, auth, "POST", f"/cohorts/{cohort_id}/classes", klass)
    assert made.status_code == 201 and made.get_json()["starts_at"] == FUTURE_UTC.isoformat()
    class_id = made.get_json()["id"]
    master = _api(
        client, auth, "POST", "/masterclasses", {**klass, "starts_at": "2030-01-20T18:00:00Z"}
    )
    assert master.status_code == 201 and master.get_json()["cohort_id"] is None
    past = _api(
        client, auth, "PATCH", f"/classes/{place.past_class}", {"recording_id": place.video}
    )
    assert past.status_code == 200 and past.get_json()["recording_id"] == place.video
    patched = _api(client, auth, "PATCH", f"/classes/{class_id}", {"join_url": "https://x.example"})
    assert patched.get_json()["join_link"] == "https://x.example"
    assert _api(client, auth, "DELETE", f"/classes/{class_id}").status_code == 204

    exam = {"title": "Exam", "starts_at": "2030-05-01T09:00:00Z", "module_ids": [place.module]}
    made = _api(client, auth, "POST", f"/cohorts/{cohort_id}/exams", exam)
    assert made.status_code == 201 and made.get_json()["module_ids"] == [place.module]
    exam_id = made.get_json()["id"]
    moved = _api(client, auth, "PATCH", f"/exams/{exam_id}", {"module_ids": []})
    assert moved.get_json()["module_ids"] == []
    assert _api(client, auth, "DELETE", f"/exams/{exam_id}").status_code == 204
    assert _api(client, auth, "DELETE", f"/cohorts/{cohort_id}").status_code == 204
    with app.app_context():
        assert db.session.get(Cohort, cohort_id) is None


KLASS = {"title": "Live", "starts_at": "2030-01-20T19:00:00+01:00"}


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/cohorts", {"program": "prog-a", "name": "", "starts_on": "2030-01-01"}, "name"),
        ("/cohorts", {"program": "prog-a", "name": "n" * 201, "starts_on": "2030-01-01"}, "name"),
        (
            "/cohorts",
            {"program": "prog-a", "name": "Z", "starts_on": "2030-01-01", "time_zone": "Mars/X"},
            "time_zone",
        ),
        ("/cohorts", {"program": "nope", "name": "Z", "starts_on": "2030-01-01"}, "program"),
        ("/cohorts", {"program": "prog-a", "name": "Z", "starts_on": "01/02/2030"}, "starts_on"),
        ("/cohorts", {"program": "prog-a", "name": "Z", "starts_on": "2030-01-01", "x": 1}, "x"),
        ("/cohorts/{a}/members", {"email": "ghost@example.com"}, "email"),
        ("/cohorts/{a}/members", {"email": "{outsider}", "role": "boss"}, "role"),
        ("/cohorts/{a}/classes", {**KLASS, "title": ""}, "title"),
        ("/cohorts/{a}/classes", {**KLASS, "title": "t" * 201}, "title"),
        ("/cohorts/{a}/classes", {**KLASS, "starts_at": "2030-01-20T19:00:00"}, "starts_at"),
        ("/cohorts/{a}/classes", {**KLASS, "starts_at": "2020-01-20T19:00:00Z"}, "starts_at"),
        ("/cohorts/{a}/classes", {**KLASS, "starts_at": 1700000000}, "starts_at"),
        ("/cohorts/{a}/classes", {**KLASS, "duration_minutes": 0}, "duration_minutes"),
        ("/cohorts/{a}/classes", {**KLASS, "duration_minutes": 601}, "duration_minutes"),
        ("/cohorts/{a}/classes", {**KLASS, "join_url": "javascript:alert(1)"}, "join_url"),
        ("/cohorts/{a}/classes", {**KLASS, "recording_id": 999999}, "recording_id"),
        ("/cohorts/{a}/classes", {**KLASS, "topic_id": 999999}, "topic_id"),
        ("/masterclasses", {**KLASS, "starts_at": "2030-01-20 19:00"}, "starts_at"),
        ("/cohorts/{a}/exams", {**KLASS, "title": ""}, "title"),
        ("/cohorts/{a}/exams", {**KLASS, "starts_at": "2030-01-20T19:00"}, "starts_at"),
        ("/cohorts/{a}/exams", {**KLASS, "module_ids": ["{stray}"]}, "module_ids"),
    ],
    ids=lambda v: str(v)[:40],
)
def test_api_bad_input(
    client: FlaskClient, auth: Auth, place: Place, unchanged: None, url, body, field
) -> None:
    auth.login(place.admin)
    body = {
        k: (
            [place.stray_module]
            if v == ["{stray}"]
            else v.format(outsider=place.outsider)
            if isinstance(v, str) and "{" in v
            else v
        )
        for k, v in body.items()
    }
    response = _api(client, auth, "POST", url.format(a=place.cohort_a), body)
    assert field in problem_fields(response)


def test_api_naive_time_is_refused_with_a_clear_message(
    client: FlaskClient, auth: Auth, place: Place, unchanged: None
) -> None:
    auth.login(place.admin)
    body = {**KLASS, "starts_at": "2030-01-20T19:00:00"}
    response = _api(client, auth, "PATCH", f"/classes/{place.past_class}", body)
    [error] = problem_of(response)["errors"]
    assert error["field"] == "starts_at" and "offset" in error["message"]


def test_api_patch_cannot_move_a_class_into_the_past(
    client: FlaskClient, auth: Auth, place: Place, unchanged: None
) -> None:
    auth.login(place.ia)
    response = _api(
        client, auth, "PATCH", f"/classes/{place.past_class}", {"starts_at": "2021-01-01T00:00:00Z"}
    )
    assert problem_fields(response) == {"starts_at"}


def test_the_cli_uses_the_same_rules(app: Flask, place: Place) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["cohorts", "class", "add", str(place.cohort_a), "Old", "--at", "2020-01-01 10:00"]
    )
    assert result.exit_code != 0 and "in the past" in result.output
    result = runner.invoke(
        args=[
            "cohorts",
            "class",
            "add",
            str(place.cohort_a),
            "Bad link",
            "--at",
            "2030-01-01 10:00",
            "--join",
            "javascript:alert(1)",
        ]
    )
    assert result.exit_code != 0 and "https://" in result.output
