"""Security headers on every kind of response, and a CSP that allows only our scripts."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.auth import Auth
from webapp import create_app
from webapp.headers import build_policy
from webapp.storage import get_storage

FIXED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
FAKE_S3 = {
    "STORAGE_BACKEND": "s3",
    "S3_BUCKET": "media",
    "S3_ENDPOINT_URL": "http://127.0.0.1:8333",
    "S3_ACCESS_KEY_ID": "key",
    "S3_SECRET_ACCESS_KEY": "secret",
}


def directives(policy: str) -> dict[str, list[str]]:
    """``{"script-src": ["'self'"], ...}`` from a CSP header value."""
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_secure_headers(response) -> None:
    """Every header we promise, with the strict script policy."""
    for name, value in FIXED.items():
        assert response.headers.get(name) == value, name
    assert response.headers["Referrer-Policy"] in {"same-origin", "no-referrer"}
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]


@pytest.fixture
def signed_in(client: FlaskClient, auth: Auth, make_user) -> FlaskClient:
    """The test client, signed in as an instructor."""
    auth.login(make_user("instructor").email)
    return client


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/login", 200),
        ("/", 302),  # anonymous: redirect to sign-in
        ("/no-such-page", 404),
        ("/api/v1/videos/1", 401),
        ("/api/v1/no-such-route", 404),
        ("/healthz", None),
        ("/verify", 200),
        ("/player/player.js", 200),
        ("/static/app.css", 200),
        ("/videos/1/hls/master.m3u8", 401),
    ],
)
def test_anonymous_responses_carry_the_headers(client: FlaskClient, path: str, status) -> None:
    with client.get(path) as response:  # file responses hold the file open until closed
        if status is not None:
            assert response.status_code == status
        assert_secure_headers(response)


@pytest.mark.parametrize(
    "path", ["/", "/upload", "/account/password", "/programs", "/certificates"]
)
def test_signed_in_pages_carry_the_headers_and_are_not_stored(
    signed_in: FlaskClient, path: str
) -> None:
    response = signed_in.get(path)
    assert response.status_code == 200
    assert_secure_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_post_and_error_answers_carry_the_headers(client: FlaskClient) -> None:
    response = client.post("/login", data={"email": "a@example.com", "password": "x"})
    assert response.status_code == 400  # no CSRF token
    assert_secure_headers(response)
    response = client.post("/api/v1/tokens", data="not json")
    assert response.status_code == 400
    assert_secure_headers(response)


def test_media_responses_carry_the_headers(
    client: FlaskClient, auth: Auth, make_user, make_ready_video
) -> None:
    owner = make_user("instructor")
    video_id = make_ready_video(owner.id)
    auth.login(owner.email)
    playlist = client.get(f"/videos/{video_id}/hls/master.m3u8")
    assert playlist.status_code == 200
    assert playlist.mimetype == "application/vnd.apple.mpegurl"
    assert_secure_headers(playlist)
    with client.get(f"/videos/{video_id}/poster.jpg") as poster:
        assert poster.status_code in {200, 302}  # S3: a redirect to a presigned URL
        assert_secure_headers(poster)


def test_a_view_may_set_its_own_referrer_policy(client: FlaskClient) -> None:
    response = client.get("/verify")
    assert response.headers["Referrer-Policy"] == "no-referrer"  # set by the view
    assert response.headers.getlist("Referrer-Policy") == ["no-referrer"]


def test_hsts_only_over_https(client: FlaskClient) -> None:
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_policy_without_s3_allows_only_this_site_and_blob_media() -> None:
    policy = directives(build_policy([]))
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["media-src"] == ["'self'", "blob:"]
    assert policy["worker-src"] == ["'self'", "blob:"]
    flat = build_policy([])
    assert "unsafe-inline" not in flat and "unsafe-eval" not in flat and "*" not in flat


def test_the_suite_app_allows_its_own_store(app: Flask, client: FlaskClient) -> None:
    policy = directives(client.get("/login").headers["Content-Security-Policy"])
    if app.config["STORAGE_BACKEND"] == "s3":
        endpoint = app.config["S3_PUBLIC_ENDPOINT_URL"] or app.config["S3_ENDPOINT_URL"]
        origin = endpoint.rstrip("/")
        for name in ("connect-src", "media-src", "img-src"):
            assert origin in policy[name], name
        assert origin not in policy["script-src"]
    else:
        assert policy["connect-src"] == ["'self'"]


@pytest.mark.parametrize(
    ("settings", "origin"),
    [
        ({}, "http://127.0.0.1:8333"),
        (
            {"S3_PUBLIC_ENDPOINT_URL": "https://media.example.org:9443"},
            "https://media.example.org:9443",
        ),
        ({"S3_PUBLIC_ENDPOINT_URL": "https://s3.example.org/"}, "https://s3.example.org"),
    ],
)
def test_s3_store_origin_is_allowed_for_media_and_fetches(
    app: Flask, settings: dict, origin: str
) -> None:
    s3_app = create_app({"TESTING": True, **FAKE_S3, **settings})
    response = s3_app.test_client().get("/login")
    policy = directives(response.headers["Content-Security-Policy"])
    for name in ("connect-src", "media-src", "img-src"):
        assert origin in policy[name], name
    for name in ("script-src", "style-src", "worker-src", "default-src", "form-action"):
        assert origin not in policy[name], name


def test_the_allowed_store_origin_is_where_presigned_urls_point(app: Flask) -> None:
    """Virtual-hosted or path style: the policy names the host the browser is sent to."""
    settings = {"S3_PUBLIC_ENDPOINT_URL": "https://s3.example.org", "S3_PATH_STYLE": False}
    s3_app = create_app({"TESTING": True, **FAKE_S3, **settings})
    with s3_app.app_context():
        parts = urlsplit(get_storage().presign_get("videos/1/poster.jpg", 60))
    policy = directives(s3_app.test_client().get("/login").headers["Content-Security-Policy"])
    assert f"{parts.scheme}://{parts.netloc}" in policy["media-src"]
