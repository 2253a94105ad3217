"""Bad bytes: a NUL, another control character, a lone surrogate or bytes that are not
UTF-8 in any text input is a 400 that names the field, on SQLite and PostgreSQL alike,
and nothing is stored (``webapp/bad_bytes.py``, the API contract)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.support import factories
from tests.support.auth import Auth
from webapp.bad_bytes import json_faults
from webapp.extensions import db
from webapp.models import ApiToken, UploadSession, Video
from webapp.storage import get_storage


@dataclass
class World:
    """A signed-in instructor's client, an anonymous client and a video of theirs."""

    app: Flask
    instructor: factories.UserInfo
    signed_in: FlaskClient
    signed_in_auth: Auth
    anonymous: FlaskClient
    anonymous_auth: Auth
    video_id: int


@pytest.fixture
def world(app: Flask, make_user) -> World:
    instructor = make_user("instructor")
    signed_in = app.test_client()
    auth = Auth(signed_in)
    assert auth.login(instructor.email).status_code == 302
    anonymous = app.test_client()
    video_id = factories.listed_video(app, instructor.id, "Kept title")
    return World(app, instructor, signed_in, auth, anonymous, Auth(anonymous), video_id)


def _state(app: Flask, video_id: int) -> tuple:
    """What a refused request must leave as it was."""
    with app.app_context():
        video = db.session.get(Video, video_id)
        assert video is not None
        tokens = db.session.scalar(select(func.count()).select_from(ApiToken))
        uploads = db.session.scalar(select(func.count()).select_from(UploadSession))
        open_uploads = get_storage().list_multipart_uploads("uploads")
        return video.title, video.description, tokens, uploads, len(open_uploads)


def _sign_in(w: World):
    data = {
        "email": f"\x00{w.instructor.email}",
        "password": factories.PASSWORD,
        "csrf_token": w.anonymous_auth.csrf("/login"),
    }
    return w.anonymous.post("/login", data=data)


def _token(w: World):
    body = {"email": f"{w.instructor.email}\x00", "password": factories.PASSWORD}
    return w.anonymous.post("/api/v1/tokens", json=body)


def _title_edit(w: World):
    data = {
        "csrf_token": w.signed_in_auth.csrf(f"/manage/videos/{w.video_id}"),
        "title": "New\x00title",
        "description": "",
        "topic": "",
        "level": "foundation",
        "tags": "",
        "listed": "y",
        "poster": "",
    }
    return w.signed_in.post(f"/manage/videos/{w.video_id}", data=data)


def _video_search(w: World):
    return w.signed_in.get("/manage/videos?q=lesson%00")


def _report_search(w: World):
    return w.signed_in.get("/reports/paths/any?q=a%00b")


def _not_utf8(w: World):
    return w.signed_in.get("/manage/videos?q=caf%E9")


def _raw_byte_query(w: World):
    # A raw byte that is not UTF-8 (not %-escaped): Werkzeug fails on it (was a 500).
    return w.signed_in.get("/manage/videos", environ_overrides={"QUERY_STRING": "q=caf\xe9"})


def _not_utf8_form(w: World):
    body = f"csrf_token={w.signed_in_auth.csrf('/manage/videos')}&title=caf%E9".encode()
    return w.signed_in.post(
        f"/manage/videos/{w.video_id}",
        data=body,
        content_type="application/x-www-form-urlencoded",
    )


def _api_patch(w: World):
    return w.signed_in.patch(
        f"/api/v1/videos/{w.video_id}",
        json={"title": "A\x07title"},
        headers=w.signed_in_auth.json_headers(),
    )


def _api_patch_surrogate(w: World):
    return w.signed_in.patch(
        f"/api/v1/videos/{w.video_id}",
        data='{"description": "half a pair: \\ud83d"}',
        headers=w.signed_in_auth.json_headers(),
    )


def _api_patch_list_item(w: World):
    return w.signed_in.patch(
        f"/api/v1/videos/{w.video_id}",
        json={"tags": ["fine", "b\x1bad"]},
        headers=w.signed_in_auth.json_headers(),
    )


def _upload_start(w: World):
    body = {"filename": "lesson\x00.mp4", "type": "video/mp4", "size": 10_000}
    return w.signed_in.post("/api/v1/uploads", json=body, headers=w.signed_in_auth.json_headers())


def _form_upload(w: World):
    data = {
        "csrf_token": w.signed_in_auth.csrf("/upload"),
        "title": "Lesson",
        "file": (io.BytesIO(b"not a video"), "lesson\x01.mp4"),
    }
    return w.signed_in.post("/upload", data=data, content_type="multipart/form-data")


def _path_parameter(w: World):
    return w.signed_in.get(f"/videos/{w.video_id}/captions/e%00n.vtt")


CASES: list[tuple[str, Callable[[World], object], str, str]] = [
    ("sign-in", _sign_in, "email", "U+0000"),
    ("token creation", _token, "email", "U+0000"),
    ("title edit form", _title_edit, "title", "U+0000"),
    ("video search", _video_search, "q", "U+0000"),
    ("report search", _report_search, "q", "U+0000"),
    ("query not UTF-8", _not_utf8, "q", "not valid UTF-8"),
    ("raw byte in the query", _raw_byte_query, "q", "not valid UTF-8"),
    ("form not UTF-8", _not_utf8_form, "title", "not valid UTF-8"),
    ("API PATCH", _api_patch, "title", "U+0007"),
    ("API PATCH lone surrogate", _api_patch_surrogate, "description", "lone surrogate"),
    ("API PATCH list item", _api_patch_list_item, "tags.1", "U+001B"),
    ("upload start", _upload_start, "filename", "U+0000"),
    ("form upload file name", _form_upload, "file", "U+0001"),
    ("path parameter", _path_parameter, "language", "U+0000"),
]


@pytest.mark.parametrize(
    ("send", "field", "what"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_text_is_400_naming_the_field_and_nothing_is_stored(
    world: World, send: Callable[[World], object], field: str, what: str
) -> None:
    before = _state(world.app, world.video_id)
    response = send(world)
    assert response.status_code == 400  # type: ignore[attr-defined]
    if response.mimetype == "application/problem+json":  # type: ignore[attr-defined]
        problem = response.get_json()  # type: ignore[attr-defined]
        assert [e["field"] for e in problem["errors"]] == [field]
        assert what in problem["errors"][0]["message"]
    else:
        page = response.get_data(as_text=True)  # type: ignore[attr-defined]
        assert f"{field}: contains" in page and what in page
    assert _state(world.app, world.video_id) == before


def test_the_sign_in_with_a_nul_signs_nobody_in(world: World) -> None:
    _sign_in(world)
    assert world.anonymous.get("/manage/videos").status_code != 200


def test_line_breaks_and_tabs_pass_where_text_may_span_lines(world: World) -> None:
    description = "First line\r\nsecond\tline"
    response = world.signed_in.patch(
        f"/api/v1/videos/{world.video_id}",
        json={"description": description},
        headers=world.signed_in_auth.json_headers(),
    )
    assert response.status_code == 200, response.get_json()
    assert _state(world.app, world.video_id)[1] == description


def test_a_line_break_in_a_query_parameter_is_refused(world: World) -> None:
    response = world.signed_in.get("/manage/videos?q=a%0Ab")
    assert response.status_code == 400
    assert "q: contains a control character (U+000A)" in response.get_data(as_text=True)


def test_a_bad_field_name_is_shown_escaped(world: World) -> None:
    response = world.signed_in.get("/manage/videos?a%00b=1")
    assert response.status_code == 400
    assert "a\\u0000b: contains" in response.get_data(as_text=True)


def test_json_faults_name_paths_and_stop_at_the_depth_limit() -> None:
    data = {"a": [{"b\x00": "x"}, "ok\n", "\x02"], "c": {"d": "\udc00"}}
    found = {(e.field, e.message) for e in json_faults(data, 32)}
    assert found == {
        ("a.0.b\\u0000", "its name contains a control character (U+0000)"),
        ("a.2", "contains a control character (U+0002)"),
        ("c.d", "contains a lone surrogate (U+DC00)"),
    }
    deep: list = []
    for _ in range(5):
        deep = [deep]
    assert json_faults({"x": deep}, 7) == []  # the object and six arrays: seven levels
    assert [e.field for e in json_faults({"x": deep}, 6)] == ["x.0.0.0.0.0"]
