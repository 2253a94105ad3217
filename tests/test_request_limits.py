"""Request limits: a small body for everyone, sign-in included; the upload routes take
more only from a signed-in caller who may upload; forms and JSON are bounded too
(``webapp/request_limits.py``, the API contract)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.support import factories
from tests.support.auth import Auth
from tests.support.uploads import pad_mp4
from webapp.extensions import db
from webapp.models import ApiToken, Video
from webapp.request_limits import RAISED

MB = 1024 * 1024
TWO_MB = 2 * MB


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture(scope="module")
def two_mb_clip(sample_clip: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real MP4 grown to 2 MB: over the default limit, well under the upload one."""
    return pad_mp4(sample_clip, tmp_path_factory.mktemp("limits") / "two-mb.mp4", TWO_MB)


def _multipart(client: FlaskClient, url: str, fields: dict[str, str], file: bytes):
    """POST a form with a file, encoded here: a body the app refuses unread must not
    leave the test client's spooled copy open."""
    files = {"file": FileStorage(io.BytesIO(file), "two.mp4", content_type="video/mp4")}
    boundary, body = encode_multipart(MultiDict({**fields, **files}))
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _post_video(client: FlaskClient, csrf: str, clip: Path):
    fields = {"csrf_token": csrf, "title": "Two megabytes"}
    return _multipart(client, "/upload", fields, clip.read_bytes())


def test_every_raised_endpoint_exists(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(RAISED) <= endpoints


def test_anonymous_two_megabyte_sign_in_is_413_before_anything(
    client: FlaskClient, auth: Auth, make_user
) -> None:
    user = make_user("instructor")
    data = {
        "email": user.email,
        "password": factories.PASSWORD,
        "csrf_token": auth.csrf("/login"),
        "padding": "x" * TWO_MB,
    }
    response = client.post("/login", data=data)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "The request is larger than 1 MB" in page
    assert client.get("/manage/videos").status_code != 200  # nobody signed in


def test_anonymous_two_megabyte_token_request_is_a_413_problem(
    app: Flask, client: FlaskClient, make_user
) -> None:
    user = make_user("instructor")
    body = {"email": user.email, "password": factories.PASSWORD, "name": "x" * TWO_MB}
    response = client.post("/api/v1/tokens", json=body)
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 413
    assert problem["detail"].startswith("The request is larger than 1 MB")
    assert _count(app, ApiToken) == 0


def test_signed_in_instructor_uploads_two_megabytes(
    app: Flask, client: FlaskClient, auth: Auth, make_user, two_mb_clip: Path
) -> None:
    auth.login(make_user("instructor").email)
    response = _post_video(client, auth.csrf("/upload"), two_mb_clip)
    assert response.status_code == 303, response.get_data(as_text=True)[-2000:]
    assert _count(app, Video) == 1


def test_a_learner_gets_no_larger_limit(
    app: Flask, client: FlaskClient, auth: Auth, make_user, two_mb_clip: Path
) -> None:
    auth.login(make_user("learner").email)
    response = _post_video(client, auth.csrf("/"), two_mb_clip)
    assert response.status_code == 413
    assert _count(app, Video) == 0


def test_anonymous_upload_routes_refuse_a_large_body_unread(
    client: FlaskClient, two_mb_clip: Path
) -> None:
    body = two_mb_clip.read_bytes()
    response = client.put("/api/v1/uploads/1/parts/1", data=body)
    assert response.status_code == 413
    assert response.get_json()["detail"].startswith("The request is larger than 1 MB")
    # A small body reaches the view, which wants a caller first.
    assert client.put("/api/v1/uploads/1/parts/1", data=b"x").status_code == 401
    assert _multipart(client, "/upload", {"title": "x"}, body).status_code == 413


def test_json_nested_past_the_limit_is_400(client: FlaskClient, make_user) -> None:
    user = make_user("instructor")
    deep: object = "x"
    for _ in range(40):
        deep = {"a": deep}
    body = {"email": user.email, "password": factories.PASSWORD, "name": deep}
    response = client.post("/api/v1/tokens", json=body)
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["message"] == "nested deeper than 32 levels"


def test_json_nested_past_the_parser_is_400_not_500(client: FlaskClient) -> None:
    raw = '{"email": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.post("/api/v1/tokens", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["errors"] == [
        {"field": "body", "message": "nested deeper than 32 levels"}
    ]


def test_json_at_the_depth_limit_passes_the_check(client: FlaskClient) -> None:
    deep: object = "x"
    for _ in range(31):  # with the body object: 32 levels
        deep = [deep]
    response = client.post(
        "/api/v1/tokens", data=json.dumps({"email": deep}), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == "email"
    assert "nested" not in response.get_data(as_text=True)


def _form(client: FlaskClient, url: str, fields: dict[str, str]):
    boundary, body = encode_multipart(MultiDict(fields))
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_a_form_with_too_many_parts_is_413(client: FlaskClient, auth: Auth) -> None:
    data = {f"f{i}": "1" for i in range(1200)} | {"csrf_token": auth.csrf("/login")}
    response = _form(client, "/login", data)
    assert response.status_code == 413
    assert "The form is too large: at most 1000 fields" in response.get_data(as_text=True)


def test_a_form_field_over_the_memory_cap_is_413(client: FlaskClient, auth: Auth) -> None:
    data = {"email": "a" * 600_000, "csrf_token": auth.csrf("/login")}
    response = _form(client, "/login", data)
    assert response.status_code == 413
    assert "The form is too large" in response.get_data(as_text=True)
