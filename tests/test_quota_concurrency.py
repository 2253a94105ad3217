"""The storage quota holds when many uploads start at the same moment.

Twelve clients of one instructor open direct uploads together, through the real app on
the configured database (SQLite by default, PostgreSQL in the CI's second mode): the
quota check and the row that uses the space are one atomic step, so exactly as many
uploads open as fit, and the rest are told why not.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.support.auth import Auth
from tests.support.uploads import UploadApi
from webapp.extensions import db
from webapp.models import UploadSession, UploadState, Video

MiB = 1024**2
CLIENTS = 12
DECLARED = 10 * MiB
FITS = 5  # the quota leaves room for this many uploads of DECLARED bytes


def _open_bytes(app: Flask, owner_id: int) -> int:
    with app.app_context():
        total = db.session.scalar(
            select(func.coalesce(func.sum(UploadSession.size), 0)).where(
                UploadSession.owner_id == owner_id, UploadSession.state == UploadState.OPEN
            )
        )
        return int(total or 0)


def _together(calls: list) -> list:
    """Run every call at once (released by one barrier) and return their results."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.fixture
def tight_quota(app: Flask, monkeypatch) -> int:
    quota = FITS * DECLARED + DECLARED // 2
    monkeypatch.setitem(app.config, "UPLOAD_QUOTA_BYTES", quota)
    return quota


def test_parallel_upload_starts_never_exceed_the_quota(
    app: Flask, make_user, tight_quota: int
) -> None:
    user = make_user("instructor")
    clients = [UploadApi(app, user) for _ in range(CLIENTS)]
    body = {"filename": "lesson.mp4", "type": "video/mp4", "size": DECLARED}

    answers = _together([lambda c=c: c.create(**body) for c in clients])

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * FITS + [413] * (CLIENTS - FITS), statuses
    for refused in (a for a in answers if a.status_code == 413):
        assert "storage quota" in refused.get_json()["error"]
    assert _open_bytes(app, user.id) == FITS * DECLARED <= tight_quota


def test_abort_releases_the_reservation(app: Flask, make_user, tight_quota: int) -> None:
    user = make_user("instructor")
    clients = [UploadApi(app, user) for _ in range(CLIENTS)]
    body = {"filename": "lesson.mp4", "type": "video/mp4", "size": DECLARED}
    opened = [
        a.get_json()["id"]
        for a in _together([lambda c=c: c.create(**body) for c in clients])
        if a.status_code == 201
    ]
    assert len(opened) == FITS
    assert clients[0].create(**body).status_code == 413

    assert clients[0].abort(opened[0]).status_code == 204

    again = _together([lambda c=c: c.create(**body) for c in clients[:3]])
    assert sorted(a.status_code for a in again) == [201, 413, 413]
    assert _open_bytes(app, user.id) == FITS * DECLARED


def test_parallel_form_uploads_never_exceed_the_quota(
    app: Flask, make_user, sample_clip: Path, monkeypatch
) -> None:
    """The single-request form takes the same reservation as a direct upload."""
    size = sample_clip.stat().st_size
    monkeypatch.setitem(app.config, "UPLOAD_QUOTA_BYTES", 2 * size + size // 2)
    user = make_user("instructor")
    clients: list[tuple[FlaskClient, str]] = []
    for _ in range(4):
        client = app.test_client()
        auth = Auth(client)
        assert auth.login(user.email).status_code == 302
        clients.append((client, auth.csrf("/upload")))

    def post(client: FlaskClient, token: str):
        return client.post(
            "/upload",
            data={"title": "Race", "csrf_token": token, "file": (sample_clip.open("rb"), "a.mp4")},
            content_type="multipart/form-data",
        )

    answers = _together([lambda c=c, t=t: post(c, t) for c, t in clients])

    assert sorted(a.status_code for a in answers) == [303, 303, 413, 413]
    with app.app_context():
        stored = db.session.scalar(
            select(func.sum(Video.source_size)).where(Video.owner_id == user.id)
        )
    assert stored == 2 * size
