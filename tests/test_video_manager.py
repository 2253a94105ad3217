"""The video manager (issue 18): the list, the edit form and its poster picker, the delete
confirmation, and the API contract PATCH/DELETE /api/v1/videos/<id>."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from html import escape

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import select

from tests.support import factories
from tests.support.auth import Auth
from tests.support.problems import problem_of
from tests.support.s3server import S3Server
from webapp.captions import services as captions
from webapp.catalogue import services as catalogue
from webapp.clips import services as clips
from webapp.extensions import db
from webapp.learning.services import create_course
from webapp.models import (
    Caption,
    Chapter,
    Clip,
    Course,
    CourseModule,
    LiveClass,
    Module,
    NoteKind,
    User,
    Video,
    WatchProgress,
)
from webapp.notes import services as notes
from webapp.storage import get_storage
from webapp.transcoding.gc import collect_video

VTT = b"WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n"
SIGNED_LINK = re.compile(r"^(/media/\S+)$", re.M)


# --------------------------------------------------------------------------- helpers


def _snapshot(app: Flask, video_id: int) -> dict:
    """Everything the edit form can change, to prove a rejected edit changed nothing."""
    with app.app_context():
        video = db.session.get(Video, video_id)
        module = catalogue.module_of_video(video_id)
        return {
            "title": video.title,
            "description": video.description,
            "poster": video.poster_key,
            "module": (
                module.title,
                module.description,
                module.topic_id,
                str(module.level),
                list(module.tags),
                module.listed,
            ),
        }


def _form(auth: Auth, video_id: int, **fields: str) -> dict[str, str]:
    data = {
        "csrf_token": auth.csrf(f"/manage/videos/{video_id}"),
        "title": "Lesson",
        "description": "",
        "topic": "",
        "level": "foundation",
        "tags": "",
        "listed": "y",
        "poster": "",
    }
    return data | fields


@pytest.fixture
def people(make_user):
    """An instructor, another instructor, an admin and a learner."""
    return {
        "instructor": make_user("instructor"),
        "other": make_user("instructor"),
        "admin": make_user("admin"),
        "learner": make_user("learner"),
    }


@pytest.fixture
def topic(app: Flask) -> str:
    """A topic named "Data Science" (slug data-science)."""
    with app.app_context():
        catalogue.add_topic("Data Science")
        db.session.commit()
    return "Data Science"


def _furnish(app: Flask, video_id: int, learner_id: int) -> None:
    """A clip, a chapter, a caption track, a note and learner's progress on the video."""
    with app.app_context():
        video = db.session.get(Video, video_id)
        learner = db.session.get(User, learner_id)
        clips.create_clip(video, video.owner, {"title": "Cut", "start": 0, "end": 1})
        clips.create_chapter(video, {"title": "Intro", "start": 1.0})
        captions.store_caption(video, video.owner, "en", "English", VTT, "en.vtt")
        notes.create_note(learner, video, kind=NoteKind.NOTE, position=1.0, body="mine")
        db.session.add(
            WatchProgress(
                user_id=learner_id, video_id=video_id, position=1.0, intervals=[[0.0, 1.0]]
            )
        )
        db.session.commit()


def _stored(app: Flask, video_id: int) -> list[str]:
    with app.app_context():
        storage = get_storage()
        return [
            key
            for prefix in (f"videos/{video_id}", f"captions/{video_id}")
            for key in storage.list(prefix)
        ]


# --------------------------------------------------------------------------- the list


def test_instructor_sees_only_their_own_videos(app, client, auth, people, make_ready_video):
    mine = make_ready_video(people["instructor"].id, "Mine to manage")
    make_ready_video(people["other"].id, "Someone else's")
    auth.login(people["instructor"].email)
    page = client.get("/manage/videos")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<h1>My videos</h1>" in html and "Mine to manage" in html
    assert "Someone else" not in html
    assert f"/manage/videos/{mine}/delete" in html and f"/videos/{mine}" in html
    assert ">Owner<" not in html


def test_admin_sees_everyone_with_owner_filter_search_and_state(
    app, client, auth, people, make_ready_video
):
    make_ready_video(people["instructor"].id, "Alpha lesson")
    make_ready_video(people["other"].id, "Beta lesson")
    auth.login(people["admin"].email)
    html = client.get("/manage/videos").get_data(as_text=True)
    assert "<h1>All videos</h1>" in html and ">Owner<" in html
    assert "Alpha lesson" in html and "Beta lesson" in html
    assert people["other"].email in html
    only_other = client.get(f"/manage/videos?owner={people['other'].id}").get_data(as_text=True)
    assert "Beta lesson" in only_other and "Alpha lesson" not in only_other
    searched = client.get("/manage/videos?q=alpha").get_data(as_text=True)
    assert "Alpha lesson" in searched and "Beta lesson" not in searched
    failed = client.get("/manage/videos?state=failed").get_data(as_text=True)
    assert "Alpha lesson" not in failed and "No videos match these filters" in failed


def test_learner_may_not_open_the_manager(client, auth, people, make_ready_video):
    video = make_ready_video(people["instructor"].id)
    auth.login(people["learner"].email)
    assert client.get("/manage/videos").status_code == 403
    assert client.get(f"/manage/videos/{video}").status_code == 403
    assert client.get(f"/manage/videos/{video}/delete").status_code == 403


# --------------------------------------------------------------------------- edit


def test_edit_saves_details_and_the_learners_library_follows(
    app, client, auth, people, make_ready_video, topic
):
    video = make_ready_video(people["instructor"].id, "lecture60")
    auth.login(people["instructor"].email)
    page = client.get(f"/manage/videos/{video}").get_data(as_text=True)
    assert f'href="/upload?replace={video}"' in page
    response = client.post(
        f"/manage/videos/{video}",
        data=_form(
            auth,
            video,
            title="Regression basics",
            description="Least squares, slowly.",
            topic="data-science",
            level="intermediate",
            tags="Stats, regression",
        ),
    )
    assert response.status_code == 302
    with app.app_context():
        row = db.session.get(Video, video)
        module = catalogue.module_of_video(video)
        assert (row.title, row.description) == ("Regression basics", "Least squares, slowly.")
        assert module.title == "Regression basics"
        assert module.topic.name == topic and module.level == "intermediate"
        assert module.tags == ["stats", "regression"] and module.listed
    auth.logout()
    auth.login(people["learner"].email)
    library = client.get("/").get_data(as_text=True)
    assert "Regression basics" in library and "lecture60" not in library


def test_unlisting_takes_it_out_of_the_library(app, client, auth, people, make_ready_video):
    video = make_ready_video(people["instructor"].id, "Hidden soon")
    auth.login(people["instructor"].email)
    data = _form(auth, video, title="Hidden soon")
    del data["listed"]
    assert client.post(f"/manage/videos/{video}", data=data).status_code == 302
    with app.app_context():
        assert catalogue.module_of_video(video).listed is False


def test_poster_is_picked_from_the_storyboard(app, client, auth, people, make_ready_video):
    video = make_ready_video(people["instructor"].id, "Poster lesson")
    auth.login(people["instructor"].email)
    page = client.get(f"/manage/videos/{video}").get_data(as_text=True)
    options = re.findall(r'name="poster" type="radio" value="(\d+)"', page)
    assert len(options) >= 2, page
    before = _snapshot(app, video)["poster"]
    data = _form(auth, video, title="Poster lesson", poster=options[-1])
    assert client.post(f"/manage/videos/{video}", data=data).status_code == 302
    first = _snapshot(app, video)["poster"]
    assert first != before and first.startswith(f"videos/{video}/poster/")
    with client.get(f"/videos/{video}/poster.jpg") as poster:
        assert poster.status_code == 200
        picked = Image.open(io.BytesIO(poster.get_data()))
    assert picked.format == "JPEG" and picked.width > 0
    # A second pick: the first picked poster is garbage for the existing collection.
    data = _form(auth, video, title="Poster lesson", poster=options[0])
    assert client.post(f"/manage/videos/{video}", data=data).status_code == 302
    second = _snapshot(app, video)["poster"]
    with app.app_context():
        collected = collect_video(video)
        assert "/".join(first.split("/")[:4]) in collected
        assert get_storage().exists(second) and not get_storage().exists(first)
        assert get_storage().exists(before)  # the ladder's own poster stays with the ladder


def test_a_frame_not_offered_is_refused(app, client, auth, people, make_ready_video):
    video = make_ready_video(people["instructor"].id, "Poster lesson")
    auth.login(people["instructor"].email)
    before = _snapshot(app, video)
    response = client.post(f"/manage/videos/{video}", data=_form(auth, video, poster="9999"))
    assert response.status_code == 400
    assert "Pick one of the frames shown." in response.get_data(as_text=True)
    assert _snapshot(app, video) == before


TOO_MANY_TAGS = ", ".join(f"tag{n}" for n in range(21))
BAD_FORM = [
    ("title", "", "Give the video a title."),
    ("title", "   ", "Give the video a title."),
    ("title", "x" * 201, "The title is too long (at most 200 characters)."),
    ("description", "d" * 5001, "The description is too long (at most 5000 characters)."),
    ("topic", "no-such-topic", "No topic named &#39;no-such-topic&#39; (add it first)."),
    ("level", "expert", "Level must be one of foundation, intermediate, advanced."),
    ("tags", TOO_MANY_TAGS, "A module has at most 20 tags."),
    ("tags", "t" * 41, "A tag has at most 40 characters."),
    ("tags", "<script>x</script>", "may use letters, digits, spaces and + # . -"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_FORM, ids=[c[2][:30] for c in BAD_FORM])
def test_edit_form_bad_input(app, client, auth, people, make_ready_video, field, value, message):
    video = make_ready_video(people["instructor"].id, "Untouched")
    auth.login(people["instructor"].email)
    before = _snapshot(app, video)
    response = client.post(f"/manage/videos/{video}", data=_form(auth, video, **{field: value}))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    error = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', html)
    assert error and message in error.group(1), html
    if field in ("title", "tags"):  # what was typed is still in the form
        assert f'value="{escape(value.strip())}' in html
    elif field == "description":
        assert value in html
    assert _snapshot(app, video) == before


def test_html_is_stored_as_text_and_rendered_inert(app, client, auth, people, make_ready_video):
    video = make_ready_video(people["instructor"].id, "Plain")
    auth.login(people["instructor"].email)
    title, description = "<b>Bold</b> & <i>co</i>", "<script>alert(1)</script>"
    data = _form(auth, video, title=title, description=description)
    assert client.post(f"/manage/videos/{video}", data=data).status_code == 302
    with app.app_context():
        row = db.session.get(Video, video)
        assert (row.title, row.description) == (title, description)
    for page in (f"/videos/{video}", "/", "/manage/videos", f"/manage/videos/{video}"):
        html = client.get(page).get_data(as_text=True)
        assert "<b>Bold</b>" not in html and "<script>alert(1)" not in html
        assert escape(title, quote=False) in html or escape(title) in html, page


# --------------------------------------------------------------------------- delete


def test_confirmation_counts_what_goes(app, client, auth, people, make_ready_video):
    video = make_ready_video(people["instructor"].id, "Doomed")
    _furnish(app, video, people["learner"].id)
    auth.login(people["instructor"].email)
    html = client.get(f"/manage/videos/{video}/delete").get_data(as_text=True)
    assert "<h1>Delete the video “Doomed”?</h1>" in html
    for line in (
        "1 clip",
        "2 catalogue modules",
        "1 caption track",
        "1 chapter",
        "1 note or bookmark",
        "1 learner&#39;s progress row",
    ):
        assert f"<li>{line}</li>" in html, line
    assert "It is still in use" not in html


# The segment link checked here is the app's own signed link; on S3 it is a presigned
# store URL (the S3 delete is covered by the S3 test below).
@pytest.mark.local_storage
def test_delete_removes_rows_media_and_every_link(app, client, auth, people, make_ready_video):
    video = make_ready_video(people["instructor"].id, "Doomed")
    _furnish(app, video, people["learner"].id)
    auth.login(people["learner"].email)
    master = client.get(f"/videos/{video}/hls/master.m3u8").get_data(as_text=True)
    variant = next(line for line in master.splitlines() if line.endswith(".m3u8"))
    listing = client.get(f"/videos/{video}/hls/{variant}").get_data(as_text=True)
    segment = next(line for line in listing.splitlines() if line and not line.startswith("#"))
    with client.get(segment) as media:
        assert media.status_code in (200, 206)
    library = client.get("/").get_data(as_text=True)
    assert "Doomed" in library
    assert _stored(app, video)
    auth.logout()

    auth.login(people["instructor"].email)
    token = auth.csrf(f"/manage/videos/{video}/delete")
    response = client.post(f"/manage/videos/{video}/delete", data={"csrf_token": token})
    assert response.status_code == 302 and response.location.endswith("/manage/videos")
    with app.app_context():
        assert db.session.get(Video, video) is None
        for model in (Clip, Module, Caption, Chapter, WatchProgress):
            assert not db.session.scalars(select(model).where(model.video_id == video)).all()
    assert _stored(app, video) == []
    auth.logout()

    auth.login(people["learner"].email)
    assert "Doomed" not in client.get("/").get_data(as_text=True)
    assert client.get(f"/videos/{video}").status_code == 404
    assert client.get(f"/api/v1/videos/{video}").status_code == 404
    # Media routes answer 403 for unknown ids, as for any refusal (docs/security.md).
    assert client.get(f"/videos/{video}/hls/master.m3u8").status_code == 403
    assert client.get(f"/videos/{video}/hls/{variant}").status_code == 403
    assert client.get(f"/videos/{video}/poster.jpg").status_code == 403
    with client.get(segment) as media:
        assert media.status_code == 403


def _in_a_class_and_a_course(app: Flask, video_id: int) -> None:
    with app.app_context():
        factories.add_cohort_recording(video_id, "prog-x", datetime.now(UTC) - timedelta(days=1))
        create_course("course-x", "Course X", [catalogue.module_of_video(video_id).id])
        db.session.commit()


def test_delete_refuses_a_class_recording_and_course_module_unless_forced(
    app, client, auth, people, make_ready_video
):
    video = make_ready_video(people["instructor"].id, "Needed")
    _in_a_class_and_a_course(app, video)
    auth.login(people["admin"].email)
    html = client.get(f"/manage/videos/{video}/delete").get_data(as_text=True)
    assert "It is the recording of the class “Week 1”." in html
    assert "It is a module of the course “Course X”." in html
    assert "1 place in a course" in html
    token = auth.csrf(f"/manage/videos/{video}/delete")
    refused = client.post(f"/manage/videos/{video}/delete", data={"csrf_token": token})
    assert refused.status_code == 409
    with app.app_context():
        assert db.session.get(Video, video) is not None
    forced = client.post(f"/manage/videos/{video}/delete", data={"csrf_token": token, "force": "1"})
    assert forced.status_code == 302
    with app.app_context():
        assert db.session.get(Video, video) is None
        live_class = db.session.scalars(select(LiveClass)).one()
        assert live_class.recording_id is None
        course = db.session.scalars(select(Course).where(Course.slug == "course-x")).one()
        assert not db.session.scalars(
            select(CourseModule).where(CourseModule.course_id == course.id)
        ).all()


def test_another_instructor_may_not_delete(app, client, auth, people, make_ready_video):
    video = make_ready_video(people["instructor"].id, "Not yours")
    auth.login(people["other"].email)
    assert client.get(f"/manage/videos/{video}/delete").status_code == 403
    token = auth.csrf("/manage/videos")
    assert (
        client.post(f"/manage/videos/{video}/delete", data={"csrf_token": token}).status_code == 403
    )
    with app.app_context():
        assert db.session.get(Video, video) is not None


# --------------------------------------------------------------------------- API


def test_patch_answers_the_video_as_get_does(app, client, people, make_ready_video, topic):
    video = make_ready_video(people["instructor"].id, "lecture60")
    headers = factories.bearer_headers(app, people["instructor"])
    change = {
        "title": "Intro to SQL",
        "description": "Joins.",
        "topic": "data science",
        "level": "Advanced",
        "tags": ["sql", "Joins"],
        "listed": False,
    }
    response = client.patch(f"/api/v1/videos/{video}", json=change, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body == client.get(f"/api/v1/videos/{video}", headers=headers).get_json()
    assert body["title"] == "Intro to SQL" and body["description"] == "Joins."
    assert body["topic"] == topic and body["level"] == "advanced"
    assert body["tags"] == ["sql", "joins"] and body["listed"] is False
    cleared = client.patch(
        f"/api/v1/videos/{video}", json={"topic": None, "tags": []}, headers=headers
    )
    assert cleared.get_json()["topic"] is None and cleared.get_json()["tags"] == []
    assert cleared.get_json()["title"] == "Intro to SQL"


BAD_PATCH = [
    ({"title": ""}, "title", "Give the video a title."),
    ({"title": "x" * 201}, "title", "The title is too long (at most 200 characters)."),
    ({"title": " \n "}, "title", "Give the video a title."),
    ({"title": None}, "title", "not null"),
    ({"description": "d" * 5001}, "description", "The description is too long (at most 5000"),
    ({"topic": "nope"}, "topic", "No topic named 'nope'"),
    ({"level": "expert"}, "level", "Level must be one of"),
    ({"tags": [f"t{n}" for n in range(21)]}, "tags", "at most 20 tags"),
    ({"tags": ["t" * 41]}, "tags", "at most 40 characters"),
    ({"tags": ["<b>x</b>"]}, "tags", "may use letters"),
    ({"tags": "a,b"}, "tags", "list"),
    ({"listed": "maybe"}, "listed", "boolean"),
    ({"owner_id": 1}, "owner_id", "unknown field"),
]


@pytest.mark.parametrize(("body", "field", "message"), BAD_PATCH, ids=[c[1] for c in BAD_PATCH])
def test_patch_bad_input(app, client, people, make_ready_video, body, field, message):
    video = make_ready_video(people["instructor"].id, "Untouched")
    headers = factories.bearer_headers(app, people["instructor"])
    before = _snapshot(app, video)
    problem = problem_of(client.patch(f"/api/v1/videos/{video}", json=body, headers=headers))
    errors = {e["field"]: e["message"] for e in problem.get("errors", [])}
    assert field in errors and message.lower() in errors[field].lower(), problem
    assert _snapshot(app, video) == before


def test_patch_stores_html_as_text(app, client, people, make_ready_video):
    video = make_ready_video(people["instructor"].id, "Plain")
    headers = factories.bearer_headers(app, people["instructor"])
    title = "<img src=x onerror=alert(1)>"
    response = client.patch(f"/api/v1/videos/{video}", json={"title": title}, headers=headers)
    assert response.get_json()["title"] == title


def test_patch_and_delete_who(app, client, people, make_ready_video):
    public = make_ready_video(people["instructor"].id, "Public")
    private = make_ready_video(people["instructor"].id, "Private")
    with app.app_context():
        factories.add_cohort_recording(private, "prog-y", datetime.now(UTC) - timedelta(days=1))
        db.session.commit()
    learner = factories.bearer_headers(app, people["learner"])
    other = factories.bearer_headers(app, people["other"])
    admin = factories.bearer_headers(app, people["admin"])
    assert client.patch(f"/api/v1/videos/{public}", json={}, headers=learner).status_code == 403
    assert client.patch(f"/api/v1/videos/{public}", json={}, headers=other).status_code == 403
    assert client.patch(f"/api/v1/videos/{private}", json={}, headers=learner).status_code == 404
    assert client.delete(f"/api/v1/videos/{public}", headers=other).status_code == 403
    assert client.delete(f"/api/v1/videos/{private}", headers=other).status_code == 404
    assert client.patch(f"/api/v1/videos/{public}", json={}, headers=admin).status_code == 200
    assert client.patch("/api/v1/videos/9999999", json={}, headers=admin).status_code == 404


def test_api_delete_409_then_force_then_404(app, client, people, make_ready_video):
    video = make_ready_video(people["instructor"].id, "Needed")
    _in_a_class_and_a_course(app, video)
    headers = factories.bearer_headers(app, people["instructor"])
    problem = problem_of(client.delete(f"/api/v1/videos/{video}", headers=headers), 409)
    assert "recording of the class “Week 1”" in problem["detail"]
    assert "module of the course “Course X”" in problem["detail"]
    assert client.get(f"/api/v1/videos/{video}", headers=headers).status_code == 200
    gone = client.delete(f"/api/v1/videos/{video}?force=true", headers=headers)
    assert gone.status_code == 204
    assert client.get(f"/api/v1/videos/{video}", headers=headers).status_code == 404
    assert client.delete(f"/api/v1/videos/{video}", headers=headers).status_code == 404
    assert client.get(f"/videos/{video}/hls/master.m3u8", headers=headers).status_code == 403
    assert _stored(app, video) == []


def test_api_delete_of_a_free_video(app, client, people, make_ready_video):
    video = make_ready_video(people["instructor"].id, "Free")
    headers = factories.bearer_headers(app, people["admin"])
    assert client.delete(f"/api/v1/videos/{video}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/videos/{video}", headers=headers).status_code == 404


def test_poster_and_delete_on_s3(
    app, client, auth, people, make_ready_video, s3_server: S3Server, monkeypatch
):
    """The same poster pick and delete on the S3 backend: the tile comes from the sheet
    by GET, the poster goes back by PUT, and the delete leaves the bucket clean."""
    store = s3_server.storage()
    monkeypatch.setitem(app.extensions, "storage", store)
    video = make_ready_video(people["instructor"].id, "On S3")
    auth.login(people["instructor"].email)
    page = client.get(f"/manage/videos/{video}").get_data(as_text=True)
    options = re.findall(r'name="poster" type="radio" value="(\d+)"', page)
    data = _form(auth, video, title="On S3", poster=options[-1])
    assert client.post(f"/manage/videos/{video}", data=data).status_code == 302
    picked = _snapshot(app, video)["poster"]
    assert picked.startswith(f"videos/{video}/poster/") and store.exists(picked)
    assert Image.open(io.BytesIO(store.get_bytes(picked))).format == "JPEG"
    token = auth.csrf(f"/manage/videos/{video}/delete")
    assert (
        client.post(f"/manage/videos/{video}/delete", data={"csrf_token": token}).status_code == 302
    )
    assert list(store.list(f"videos/{video}")) == []


def test_a_video_not_ready_yet_takes_title_but_not_curation(app, client, auth, people):
    with app.app_context():
        draft = Video(title="draft", owner_id=people["instructor"].id, state="uploaded")
        db.session.add(draft)
        db.session.commit()
        video = draft.id
    headers = factories.bearer_headers(app, people["instructor"])
    problem = problem_of(
        client.patch(f"/api/v1/videos/{video}", json={"level": "advanced"}, headers=headers)
    )
    assert problem["errors"] == [
        {"field": "level", "message": "The level can be set once the video is ready."}
    ]
    renamed = client.patch(f"/api/v1/videos/{video}", json={"title": "Draft 2"}, headers=headers)
    assert renamed.status_code == 200 and renamed.get_json()["level"] is None
    auth.login(people["instructor"].email)
    page = client.get(f"/manage/videos/{video}").get_data(as_text=True)
    assert "can be set once the video is ready" in page and 'name="topic"' not in page
    assert (
        client.post(f"/manage/videos/{video}", data=_form(auth, video, title="Draft 3")).status_code
        == 302
    )
    with app.app_context():
        assert db.session.get(Video, video).title == "Draft 3"
