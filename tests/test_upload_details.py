"""Uploads carry their details: title, description, topic, level, tags and listed, each
checked with the catalogue's rules before a byte is sent, and given to the video and its
module once it is READY."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.support.auth import Auth
from tests.support.problems import problem_of
from tests.support.transcode import wait_for_job
from tests.support.uploads import UploadApi
from webapp.catalogue.services import add_topic, module_of_video
from webapp.extensions import db
from webapp.models import JobState, Level, TranscodeJob, UploadSession, Video

LONG_TITLE = "x" * 201
HTML = "<script>alert(1)</script><b>bold</b>"
TOO_MANY_TAGS = ",".join(f"tag{i}" for i in range(21))

# (field, value, what the message says)
BAD_DETAILS = [
    ("title", "", "Give the recording a title"),
    ("title", "   ", "Give the recording a title"),
    ("title", LONG_TITLE, "too long"),
    ("description", "d" * 5001, "at most 5000"),
    ("topic", "Astrology", "no topic named"),
    ("level", "expert", "level must be one of"),
    ("tags", TOO_MANY_TAGS, "at most 20 tags"),
    ("tags", "t" * 41, "at most 40 characters"),
    ("tags", "<b>", "may use letters"),
]


@pytest.fixture
def topic(app: Flask) -> str:
    with app.app_context():
        created = add_topic("Data Science")
        db.session.commit()
        return created.slug


def _state(app: Flask) -> tuple[int, int, list[str]]:
    with app.app_context():
        sessions = db.session.scalar(select(func.count(UploadSession.id))) or 0
        videos = db.session.scalar(select(func.count(Video.id))) or 0
        titles = list(db.session.scalars(select(Video.title).order_by(Video.id)))
    return sessions, videos, titles


# --------------------------------------------------------------------------- API


@pytest.mark.parametrize(("field", "value", "message"), BAD_DETAILS)
def test_api_refuses_a_bad_detail_before_anything_is_stored(
    app: Flask, make_user, topic: str, field: str, value: str, message: str
) -> None:
    api = UploadApi(app, make_user("instructor"))
    before = _state(app)
    response = api.create(filename="lesson.mp4", type="video/mp4", size=1000, **{field: value})
    problem = problem_of(response, 400)
    errors = {e["field"]: e["message"] for e in problem["errors"]}
    assert set(errors) == {field}
    assert message.lower() in errors[field].lower()
    assert _state(app) == before


def test_api_reports_every_bad_field_at_once(app: Flask, make_user, topic: str) -> None:
    api = UploadApi(app, make_user("instructor"))
    response = api.create(
        filename="lesson.mp4",
        type="video/mp4",
        size=1000,
        title="",
        topic="nope",
        level="expert",
        tags=TOO_MANY_TAGS,
    )
    fields = {e["field"] for e in problem_of(response, 400)["errors"]}
    assert fields == {"title", "topic", "level", "tags"}


def test_one_bad_file_among_three_refuses_only_that_one(app: Flask, make_user, topic: str) -> None:
    api = UploadApi(app, make_user("instructor"))
    answers = [
        api.create(filename=f"{name}.mp4", type="video/mp4", size=1000, **details)
        for name, details in (
            ("one", {"topic": topic}),
            ("two", {"level": "expert"}),
            ("three", {"tags": "sql, python"}),
        )
    ]
    assert [a.status_code for a in answers] == [201, 400, 201]
    assert {e["field"] for e in answers[1].get_json()["errors"]} == {"level"}
    assert [a.get_json()["title"] for a in (answers[0], answers[2])] == ["one", "three"]
    with app.app_context():
        stored = db.session.scalars(select(UploadSession).order_by(UploadSession.id)).all()
        assert [s.title for s in stored] == ["one", "three"]
        assert stored[1].details["tags"] == ["sql", "python"]


def test_api_title_defaults_to_the_file_name_and_html_is_stored_as_text(
    app: Flask, make_user
) -> None:
    api = UploadApi(app, make_user("instructor"))
    plain = api.create(filename="week 1 intro.mov", type="video/quicktime", size=1000)
    assert plain.status_code == 201 and plain.get_json()["title"] == "week 1 intro"
    marked = api.create(filename="a.mp4", type="video/mp4", size=1000, title=HTML, description=HTML)
    assert marked.status_code == 201
    with app.app_context():
        session = db.session.get(UploadSession, marked.get_json()["id"])
        assert session.title == HTML and session.details["description"] == HTML


@pytest.mark.worker
def test_api_details_land_on_the_video_and_its_module(
    app: Flask, make_user, celery_worker, sample_clip: Path, topic: str
) -> None:
    api = UploadApi(app, make_user("instructor"))
    data = sample_clip.read_bytes()
    upload_id = api.start(
        data,
        title="Regression, gently",
        description=HTML,
        topic="Data Science",
        level="Advanced",
        tags="Statistics, python, statistics",
        listed=False,
    )
    done = api.complete(upload_id, api.put_all(upload_id, data))
    assert done.status_code == 201, done.get_json()
    video_id = done.get_json()["video"]["id"]
    with app.app_context():
        job_id = db.session.scalar(select(TranscodeJob.id).where(TranscodeJob.video_id == video_id))
    assert wait_for_job(app, job_id).state == JobState.READY
    with app.app_context():
        video = db.session.get_one(Video, video_id)
        module = module_of_video(video_id)
        assert video.title == "Regression, gently" and video.description == HTML
        assert module is not None and module.topic is not None
        assert module.topic.slug == topic
        assert module.level == Level.ADVANCED
        assert module.tags == ["statistics", "python"]
        assert module.listed is False
        assert module.description == HTML
        assert video.pending_details is None


# --------------------------------------------------------------------------- page


@pytest.fixture
def instructor(auth: Auth, make_user):
    user = make_user("instructor")
    auth.login(user.email)
    return user


def _post_form(client: FlaskClient, auth: Auth, path: Path | None, **fields: str):
    data: dict = {"csrf_token": auth.csrf("/upload"), "title": "Lesson", **fields}
    if path is not None:
        data["file"] = (path.open("rb"), path.name)
    return client.post("/upload", data=data, content_type="multipart/form-data")


def _field_error(page: str, field: str) -> str:
    match = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', page, re.S)
    assert match, f"no error beside {field}"
    return html.unescape(match.group(1))


@pytest.mark.parametrize(("field", "value", "message"), BAD_DETAILS)
def test_form_bad_input_table(
    app: Flask,
    client: FlaskClient,
    auth: Auth,
    instructor,
    topic: str,
    sample_clip: Path,
    field: str,
    value: str,
    message: str,
) -> None:
    before = _state(app)
    response = _post_form(client, auth, sample_clip, **{field: value})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message.lower() in _field_error(page, field).lower()
    if field in ("title", "tags") and value.strip():
        assert f'value="{html.escape(value, quote=True)}"' in page  # kept as typed
    if field == "description":
        assert value + "</textarea>" in page
    assert _state(app) == before


def test_form_without_a_file_says_so_beside_the_file_field(
    app: Flask, client: FlaskClient, auth: Auth, instructor
) -> None:
    response = _post_form(client, auth, None, description="kept")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Choose a video file" in _field_error(page, "file")
    assert "kept</textarea>" in page


def test_form_html_is_stored_as_text_and_rendered_inert(
    app: Flask, client: FlaskClient, auth: Auth, instructor, topic: str, sample_clip: Path
) -> None:
    response = _post_form(
        client,
        auth,
        sample_clip,
        title=HTML,
        description=HTML,
        topic=topic,
        level="intermediate",
        tags="sql, sql ,  Databases",
        listed="no",
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        video = db.session.scalars(select(Video)).one()
        assert video.title == HTML and video.description == HTML
        assert video.pending_details is not None
        assert video.pending_details["level"] == "intermediate"
        assert video.pending_details["tags"] == ["sql", "databases"]
        assert video.pending_details["listed"] is False
        assert video.pending_details["topic_id"] is not None
    page = client.get("/upload").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert html.escape(HTML, quote=False) in page or "&lt;script&gt;" in page


def test_form_offers_topics_and_levels(
    app: Flask, client: FlaskClient, auth: Auth, instructor, topic: str
) -> None:
    page = client.get("/upload").get_data(as_text=True)
    assert f'<option value="{topic}">Data Science</option>' in page
    assert '<option value="advanced">Advanced</option>' in page
    assert page.count("<h1") == 1
