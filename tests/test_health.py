"""``GET /healthz`` reports each dependency and fails with the broken one named."""

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.auth import sign_in
from webapp.storage import LocalStorage


def test_healthy(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "checks": {"database": "ok", "storage": "ok", "queue": "ok", "ffmpeg": "ok"},
    }


def test_broken_storage_is_named(app: Flask, client: FlaskClient, tmp_path, monkeypatch) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    broken = LocalStorage(tmp_path)
    broken.root = not_a_dir
    monkeypatch.setitem(app.extensions, "storage", broken)
    response = client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 503
    assert body["checks"]["storage"].startswith("error")
    assert body["checks"]["database"] == "ok"


def test_missing_ffmpeg_is_named(client: FlaskClient, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "ffmpeg" in response.get_json()["checks"]["ffmpeg"]


# --------------------------------------------------------------------------- who sees details
# Error texts name hosts and drivers: only admins and the machine itself read them.

OUTSIDE = {"REMOTE_ADDR": "203.0.113.7"}


def _broken_storage(app: Flask, tmp_path, monkeypatch) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    broken = LocalStorage(tmp_path)
    broken.root = not_a_dir
    monkeypatch.setitem(app.extensions, "storage", broken)


def test_anonymous_callers_from_outside_get_only_the_status(
    app: Flask, client: FlaskClient, tmp_path, monkeypatch
) -> None:
    assert client.get("/healthz", environ_base=OUTSIDE).get_json() == {"status": "ok"}
    _broken_storage(app, tmp_path, monkeypatch)
    response = client.get("/healthz", environ_base=OUTSIDE)
    assert response.status_code == 503
    assert response.get_json() == {"status": "error"}


def test_a_forged_forwarded_for_does_not_unlock_details(
    app: Flask, client: FlaskClient, tmp_path, monkeypatch
) -> None:
    _broken_storage(app, tmp_path, monkeypatch)
    headers = {"X-Forwarded-For": "127.0.0.1"}
    response = client.get("/healthz", environ_base=OUTSIDE, headers=headers)
    assert response.status_code == 503 and "checks" not in response.get_json()


@pytest.mark.parametrize("role", ["learner", "instructor"])
def test_other_signed_in_users_get_only_the_status(
    app: Flask, client: FlaskClient, make_user, role: str
) -> None:
    user = make_user(role)
    client.environ_base.update(OUTSIDE)
    sign_in(client, user.email, user.password)
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_admins_get_the_details_from_anywhere(
    app: Flask, client: FlaskClient, make_user, tmp_path, monkeypatch
) -> None:
    admin = make_user("admin")
    client.environ_base.update(OUTSIDE)
    sign_in(client, admin.email, admin.password)
    _broken_storage(app, tmp_path, monkeypatch)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["storage"].startswith("error")


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.2", "::1"])
def test_loopback_callers_get_the_details(client: FlaskClient, address: str) -> None:
    body = client.get("/healthz", environ_base={"REMOTE_ADDR": address}).get_json()
    assert body["checks"]["database"] == "ok"
