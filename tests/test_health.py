"""``GET /healthz`` reports each dependency and fails with the broken one named."""

from flask import Flask
from flask.testing import FlaskClient

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
