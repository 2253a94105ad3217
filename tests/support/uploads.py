"""Resumable uploads as a client makes them: the calls of Uppy's S3 plugin, and files
grown to the size that needs several parts."""

from __future__ import annotations

import struct
import urllib.request
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from tests.support import factories
from tests.support.auth import Auth
from webapp.storage.base import MIN_PART_SIZE


def pad_mp4(source: Path, dest: Path, total: int) -> Path:
    """``source`` followed by one top-level ``free`` box: still a valid MP4, just bigger."""
    data = source.read_bytes()
    pad = total - len(data)
    dest.write_bytes(data + struct.pack(">I4s", pad, b"free") + bytes(pad - 8))
    return dest


def split(data: bytes, size: int = MIN_PART_SIZE) -> list[bytes]:
    """The parts a client sends: ``size`` bytes each, the last one shorter."""
    return [data[i : i + size] for i in range(0, len(data), size)]


class UploadApi:
    """The calls Uppy's AWS S3 plugin makes, as a signed-in browser makes them."""

    def __init__(self, app: Flask, user: factories.UserInfo) -> None:
        self.app = app
        self.user = user
        self.client: FlaskClient = app.test_client()
        auth = Auth(self.client)
        assert auth.login(user.email).status_code == 302
        self.headers = auth.json_headers()

    def create(self, **body):
        return self.client.post("/api/v1/uploads", json=body, headers=self.headers)

    def start(self, data: bytes, filename: str = "lesson.mp4", **body) -> int:
        body = {"filename": filename, "type": "video/mp4", "size": len(data), **body}
        response = self.create(**body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    def sign(self, upload_id: int, number: int):
        return self.client.post(
            f"/api/v1/uploads/{upload_id}/parts/{number}/url", headers=self.headers
        )

    def put(self, upload_id: int, number: int, data: bytes) -> str:
        """Ask for the part URL and PUT the bytes there; returns the ETag."""
        response = self.sign(upload_id, number)
        assert response.status_code == 200, response.get_json()
        url = response.get_json()["url"]
        if url.startswith("/"):
            sent = self.client.put(
                url, data=data, headers={"X-CSRFToken": self.headers["X-CSRFToken"]}
            )
            assert sent.status_code == 200, sent.get_json()
            return sent.headers["ETag"]
        assert response.get_json()["direct"] is True
        request = urllib.request.Request(url, data=data, method="PUT")
        with urllib.request.urlopen(request, timeout=30) as sent:  # noqa: S310 (loopback)
            assert sent.status == 200
            return sent.headers["ETag"]

    def put_all(self, upload_id: int, data: bytes) -> list[dict]:
        return [
            {"PartNumber": n, "ETag": self.put(upload_id, n, part)}
            for n, part in enumerate(split(data), start=1)
        ]

    def parts(self, upload_id: int):
        return self.client.get(f"/api/v1/uploads/{upload_id}/parts", headers=self.headers)

    def complete(self, upload_id: int, parts: list[dict]):
        return self.client.post(
            f"/api/v1/uploads/{upload_id}/complete", json={"parts": parts}, headers=self.headers
        )

    def abort(self, upload_id: int):
        return self.client.delete(f"/api/v1/uploads/{upload_id}", headers=self.headers)

    def get(self, upload_id: int):
        return self.client.get(f"/api/v1/uploads/{upload_id}", headers=self.headers)
