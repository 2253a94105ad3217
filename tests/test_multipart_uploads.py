"""Resumable direct uploads through the real stores: local disk, and SeaweedFS over S3.

On S3 the parts go straight to the store at presigned URLs (plain HTTP from the test, as
a browser would); on local disk they go to the app's own PUT route. Completion joins the
parts, verifies the object and probes it with ffprobe before a video and its job exist.
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.support import factories
from tests.support.auth import Auth
from tests.support.paths import ROOT
from tests.support.s3server import S3Server
from tests.support.transcode import wait_for_job
from tests.support.uploads import UploadApi, pad_mp4, split
from tests.support.waiting import wait_until
from webapp import create_app
from webapp.extensions import db
from webapp.models import JobState, TranscodeJob, UploadSession, UploadState, Video, VideoState
from webapp.models.base import utcnow
from webapp.storage import get_storage
from webapp.storage.base import MIN_PART_SIZE
from webapp.uploads.multipart import UPLOADS_PREFIX, clean_abandoned

MiB = 1024**2
# Two full 5 MiB parts and a short last one.
PADDED_SIZE = 2 * MIN_PART_SIZE + 700_000


@pytest.fixture(scope="session")
def padded_clip(sample_clip: Path, media_dir: Path) -> bytes:
    """A real 4 s MP4 grown past 10 MiB, so it uploads in three parts."""
    return pad_mp4(sample_clip, media_dir / "padded.mp4", PADDED_SIZE).read_bytes()


@pytest.fixture(scope="session")
def s3_app(app: Flask, s3_server: S3Server) -> Flask:
    """The same app and database with its media in a fresh SeaweedFS bucket."""
    return create_app({"TESTING": True, "STORAGE_BACKEND": "s3", **s3_server.settings()})


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest, app: Flask) -> Flask:
    """The app on each store in turn."""
    return app if request.param == "local" else request.getfixturevalue("s3_app")


@pytest.fixture
def uploader(backend: Flask, make_user) -> UploadApi:
    return UploadApi(backend, make_user("instructor"))


def _session(app: Flask, upload_id: int) -> UploadSession:
    with app.app_context():
        session = db.session.get(UploadSession, upload_id)
        db.session.expunge(session)
        return session


def _counts(app: Flask) -> tuple[int, int]:
    with app.app_context():
        videos = db.session.scalar(select(func.count(Video.id)))
        jobs = db.session.scalar(select(func.count(TranscodeJob.id)))
    return videos, jobs


def _store_uploads(app: Flask) -> list[str]:
    with app.app_context():
        return [u.upload_id for u in get_storage().list_multipart_uploads(UPLOADS_PREFIX)]


def _stored(app: Flask, key: str) -> bool:
    with app.app_context():
        return get_storage().exists(key)


# --------------------------------------------------------------------------- happy path


def test_upload_in_parts_becomes_a_queued_video(uploader: UploadApi, padded_clip: bytes) -> None:
    upload_id = uploader.start(padded_clip, filename="SEO basics.mp4", title="  SEO   basics ")
    parts = uploader.put_all(upload_id, padded_clip)
    assert len(parts) == 3

    response = uploader.complete(upload_id, parts)

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["upload"]["state"] == "completed"
    assert body["video"]["title"] == "SEO basics"
    assert body["video"]["state"] == "uploaded"
    assert body["video"]["job"]["state"] == "queued"
    assert body["location"] == f"/videos/{body['video']['id']}"
    session = _session(uploader.app, upload_id)
    with uploader.app.app_context():
        video = db.session.get(Video, body["video"]["id"])
        assert video.owner_id == uploader.user.id
        assert video.source_key == session.key
        assert video.source_size == len(padded_clip)
        assert video.source_filename == "SEO basics.mp4"
        assert abs(video.duration - 4.0) < 0.2
        assert get_storage().get_bytes(video.source_key) == padded_clip
    assert session.video_id == body["video"]["id"]
    assert session.upload_id not in _store_uploads(uploader.app)


def test_parts_go_straight_to_s3_never_through_the_app(
    s3_app: Flask, s3_server: S3Server, make_user, padded_clip: bytes
) -> None:
    uploader = UploadApi(s3_app, make_user("instructor"))
    upload_id = uploader.start(padded_clip)
    target = uploader.sign(upload_id, 1).get_json()
    assert target["url"].startswith(s3_server.endpoint_url + "/")
    assert target["direct"] is True
    refused = uploader.client.put(
        f"/api/v1/uploads/{upload_id}/parts/1",
        data=padded_clip[:MIN_PART_SIZE],
        headers={"X-CSRFToken": uploader.headers["X-CSRFToken"]},
    )
    assert refused.status_code == 409
    assert uploader.parts(upload_id).get_json() == []


# --------------------------------------------------------------------------- resume


def _drop_mid_body(url: str, data: bytes, headers: dict[str, str]) -> None:
    """Start a PUT of ``data`` and cut the connection half-way, like a dropped network."""
    target = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    path = target.path + (f"?{target.query}" if target.query else "")
    conn.putrequest("PUT", path, skip_accept_encoding=True)
    for name, value in {**headers, "Content-Length": str(len(data))}.items():
        conn.putheader(name, value)
    conn.endheaders()
    conn.send(data[: len(data) // 2])
    conn.sock.close()
    conn.close()


def _bearer(client: FlaskClient, user: factories.UserInfo) -> str:
    response = client.post("/api/v1/tokens", json={"email": user.email, "password": user.password})
    return response.get_json()["token"]


def test_dropped_connection_resumes_after_reload(
    request: pytest.FixtureRequest, uploader: UploadApi, padded_clip: bytes
) -> None:
    upload_id = uploader.start(padded_clip)
    chunks = split(padded_clip)
    first = uploader.put(upload_id, 1, chunks[0])

    # Part 2 is cut off mid-body: over real HTTP, to the store or to the app.
    url = uploader.sign(upload_id, 2).get_json()["url"]
    headers: dict[str, str] = {}
    if url.startswith("/"):
        url = request.getfixturevalue("live_server") + url
        headers = {"Authorization": f"Bearer {_bearer(uploader.client, uploader.user)}"}
    _drop_mid_body(url, chunks[1], headers)

    # The page is reloaded: the client asks what the store already holds.
    listed = uploader.parts(upload_id)
    assert listed.status_code == 200
    assert listed.get_json() == [{"PartNumber": 1, "Size": MIN_PART_SIZE, "ETag": first}]

    parts = [{"PartNumber": 1, "ETag": first}] + [
        {"PartNumber": n, "ETag": uploader.put(upload_id, n, chunks[n - 1])} for n in (2, 3)
    ]
    response = uploader.complete(upload_id, parts)
    assert response.status_code == 201, response.get_json()
    with uploader.app.app_context():
        video = db.session.get(Video, response.get_json()["video"]["id"])
        assert get_storage().get_bytes(video.source_key) == padded_clip


def test_resent_parts_are_joined_as_last_sent(uploader: UploadApi, padded_clip: bytes) -> None:
    upload_id = uploader.start(padded_clip)
    chunks = split(padded_clip)
    garbled = uploader.put(upload_id, 2, b"\xff" * len(chunks[1]))
    parts = uploader.put_all(upload_id, padded_clip)  # part 2 sent again, right this time
    assert parts[1]["ETag"] != garbled
    # A retry of a part whose answer was lost: the same bytes again.
    assert uploader.put(upload_id, 3, chunks[2]) == parts[2]["ETag"]

    listed = uploader.parts(upload_id).get_json()
    assert [p["PartNumber"] for p in listed] == [1, 2, 3]
    assert [listed[0]["ETag"], listed[2]["ETag"]] == [parts[0]["ETag"], parts[2]["ETag"]]

    response = uploader.complete(upload_id, parts)
    assert response.status_code == 201, response.get_json()
    with uploader.app.app_context():
        key = db.session.get(Video, response.get_json()["video"]["id"]).source_key
        assert get_storage().get_bytes(key) == padded_clip


# --------------------------------------------------------------------------- completion


def test_missing_part_keeps_the_upload_open(uploader: UploadApi, padded_clip: bytes) -> None:
    upload_id = uploader.start(padded_clip)
    chunks = split(padded_clip)
    sent = [{"PartNumber": n, "ETag": uploader.put(upload_id, n, chunks[n - 1])} for n in (1, 3)]
    never_sent = {"PartNumber": 2, "ETag": sent[0]["ETag"]}

    response = uploader.complete(upload_id, [sent[0], never_sent, sent[1]])

    assert response.status_code == 400
    assert "Part 2 is missing" in response.get_json()["error"]
    assert _session(uploader.app, upload_id).state == UploadState.OPEN
    assert _counts(uploader.app) == (0, 0)
    # Send the missing part, complete again: it works.
    second = {"PartNumber": 2, "ETag": uploader.put(upload_id, 2, chunks[1])}
    assert uploader.complete(upload_id, [sent[0], second, sent[1]]).status_code == 201


def test_fewer_bytes_than_declared_is_rejected_and_deleted(
    uploader: UploadApi, padded_clip: bytes
) -> None:
    upload_id = uploader.start(padded_clip)
    first = {"PartNumber": 1, "ETag": uploader.put(upload_id, 1, split(padded_clip)[0])}

    response = uploader.complete(upload_id, [first])  # a valid upload, of the wrong size

    assert response.status_code == 400
    assert "not the 10.7 MB announced" in response.get_json()["error"]
    session = _session(uploader.app, upload_id)
    assert session.state == UploadState.REJECTED
    assert "announced" in session.error
    assert not _stored(uploader.app, session.key)
    assert _counts(uploader.app) == (0, 0)
    again = uploader.complete(upload_id, [first])
    assert again.status_code == 409
    assert "announced" in again.get_json()["error"]


def test_completing_twice_gives_the_same_video(uploader: UploadApi, padded_clip: bytes) -> None:
    upload_id = uploader.start(padded_clip)
    parts = uploader.put_all(upload_id, padded_clip)

    first = uploader.complete(upload_id, parts)
    second = uploader.complete(upload_id, parts)

    assert first.status_code == 201, first.get_json()
    assert second.status_code == 200, second.get_json()
    assert second.get_json()["video"]["id"] == first.get_json()["video"]["id"]
    assert second.get_json()["video"]["job"]["id"] == first.get_json()["video"]["job"]["id"]
    assert _counts(uploader.app) == (1, 1)


def test_listing_parts_while_a_completion_runs_loses_nothing(
    uploader: UploadApi, padded_clip: bytes
) -> None:
    """A reloaded page asks for the parts just as the old page's completion has joined
    them: a 409 that leaves the upload open, and the completion still makes the video."""
    upload_id = uploader.start(padded_clip)
    parts = uploader.put_all(upload_id, padded_clip)
    session = _session(uploader.app, upload_id)
    with uploader.app.app_context():  # what complete() does first: join the parts
        get_storage().complete_multipart(
            session.key, session.upload_id, [(p["PartNumber"], p["ETag"]) for p in parts]
        )

    listed = uploader.parts(upload_id)
    assert listed.status_code == 409
    assert "being completed" in listed.get_json()["error"]
    assert _session(uploader.app, upload_id).state == "open"

    done = uploader.complete(upload_id, parts)
    assert done.status_code == 201, done.get_json()
    assert _counts(uploader.app) == (1, 1)


def test_a_file_that_is_not_a_video_is_rejected_after_joining(
    uploader: UploadApi,
) -> None:
    notes = b"These are my lecture notes, not a video.\n" * 200
    upload_id = uploader.start(notes, filename="notes.mp4")
    parts = uploader.put_all(upload_id, notes)

    response = uploader.complete(upload_id, parts)

    assert response.status_code == 400
    assert "not a video" in response.get_json()["error"]
    session = _session(uploader.app, upload_id)
    assert session.state == UploadState.REJECTED
    assert not _stored(uploader.app, session.key)
    assert _counts(uploader.app) == (0, 0)


def test_completed_upload_is_transcoded_by_the_worker(
    app: Flask, make_user, celery_worker, padded_clip: bytes
) -> None:
    uploader = UploadApi(app, make_user("instructor"))
    upload_id = uploader.start(padded_clip)
    response = uploader.complete(upload_id, uploader.put_all(upload_id, padded_clip))
    assert response.status_code == 201, response.get_json()
    job_id = response.get_json()["video"]["job"]["id"]

    wait_for_job(app, job_id)
    with app.app_context():
        job = db.session.get(TranscodeJob, job_id)
        assert job.state == JobState.READY, job.error
        assert job.video.state == VideoState.READY


# --------------------------------------------------------------------------- who and what


def test_another_users_upload_is_not_found(
    backend: Flask, uploader: UploadApi, make_user, padded_clip: bytes
) -> None:
    upload_id = uploader.start(padded_clip)
    first = uploader.put(upload_id, 1, split(padded_clip)[0])
    other = UploadApi(backend, make_user("instructor"))
    token = other.headers["X-CSRFToken"]
    base = f"/api/v1/uploads/{upload_id}"
    attempts = [
        other.get(upload_id),
        other.parts(upload_id),
        other.sign(upload_id, 2),
        other.client.put(f"{base}/parts/2", data=b"x" * 100, headers={"X-CSRFToken": token}),
        other.complete(upload_id, [{"PartNumber": 1, "ETag": first}]),
        other.abort(upload_id),
    ]
    for response in attempts:
        assert response.status_code == 404, response.request.path
        problem = response.get_json()  # never a URL
        assert set(problem) == {"type", "title", "status", "detail", "error"}
    assert _session(backend, upload_id).state == UploadState.OPEN
    assert uploader.parts(upload_id).get_json()[0]["ETag"] == first


def test_learners_and_strangers_cannot_upload(backend: Flask, make_user) -> None:
    learner = UploadApi(backend, make_user("learner"))
    assert learner.create(filename="a.mp4", type="video/mp4", size=1000).status_code == 403
    anonymous = backend.test_client().post(
        "/api/v1/uploads", json={"filename": "a.mp4", "type": "video/mp4", "size": 1000}
    )
    assert anonymous.status_code == 401


def test_csrf_header_is_required(uploader: UploadApi) -> None:
    response = uploader.client.post(
        "/api/v1/uploads", json={"filename": "a.mp4", "type": "video/mp4", "size": 1000}
    )
    assert response.status_code == 400
    assert "CSRF" in response.get_json()["error"]


MAX = 2 * 1024**3


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"size": MAX + 1}, 413, "too large"),
        ({"size": 0}, 400, "size"),
        ({"size": -5}, 400, "size"),
        ({"size": "1000"}, 400, "size"),
        ({"size": True}, 400, "size"),
        ({"size": None}, 400, "size"),
        ({"filename": "notes.txt", "type": "text/plain"}, 400, "not a video file"),
        ({"filename": "slides.pdf", "type": ""}, 400, "not a video file"),
        ({"filename": "cover.mp4", "type": "image/png"}, 400, "image/png"),
        ({"filename": ""}, 400, "file name"),
        ({"filename": "x" * 300 + ".mp4"}, 400, "file name"),
        ({"title": "x" * 201}, 400, "too long"),
    ],
)
def test_bad_declarations_are_refused_before_anything_is_stored(
    uploader: UploadApi, body: dict, status: int, message: str
) -> None:
    before = _store_uploads(uploader.app)
    response = uploader.create(
        **{"filename": "lesson.mp4", "type": "video/mp4", "size": 1000, **body}
    )
    assert response.status_code == status
    assert message in response.get_json()["error"]
    with uploader.app.app_context():
        assert db.session.scalar(select(func.count(UploadSession.id))) == 0
    assert _store_uploads(uploader.app) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"size": "1000"}, "size"),  # wrong type
        ({"filename": 5}, "filename"),
        ({"metadata": {"title": 7}}, "metadata.title"),
        ({"owner_id": 2}, "owner_id"),  # unknown field
        ({"size": 0}, "size"),  # out of range
        ({"size": None}, "size"),
    ],
)
def test_bad_declarations_name_the_field(uploader: UploadApi, body: dict, field: str) -> None:
    response = uploader.create(**{"filename": "a.mp4", "type": "video/mp4", "size": 9, **body})
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert field in {error["field"] for error in response.get_json()["errors"]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "parts"),  # missing
        ({"parts": []}, "parts"),  # too short
        ({"parts": [{"PartNumber": "1", "ETag": "e"}]}, "parts.0.PartNumber"),  # wrong type
        ({"parts": [{"PartNumber": 10_001, "ETag": "e"}]}, "parts.0.PartNumber"),  # range
        ({"parts": [{"PartNumber": 1, "ETag": "e" * 201}]}, "parts.0.ETag"),  # too long
        ({"parts": [{"PartNumber": 1}]}, "parts.0.ETag"),
    ],
)
def test_bad_completions_name_the_field(uploader: UploadApi, body: dict, field: str) -> None:
    upload_id = uploader.start(b"x" * 1000)
    response = uploader.client.post(
        f"/api/v1/uploads/{upload_id}/complete", json=body, headers=uploader.headers
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert field in {error["field"] for error in response.get_json()["errors"]}
    assert _session(uploader.app, upload_id).state == UploadState.OPEN


@pytest.mark.parametrize(
    ("filename", "kind"),
    [
        ("a.MP4", "video/mp4"),
        ("b.mov", "video/quicktime"),
        ("c.mkv", ""),
        ("d.webm", "video/webm"),
        ("e.m4v", "application/octet-stream"),
    ],
)
def test_accepted_containers(uploader: UploadApi, filename: str, kind: str) -> None:
    response = uploader.create(filename=filename, type=kind, size=1000)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["key"].endswith("/source" + Path(filename).suffix.lower())


def test_part_numbers_are_checked(uploader: UploadApi) -> None:
    upload_id = uploader.start(b"x" * 1000)
    for number in (0, 10_001):
        response = uploader.sign(upload_id, number)
        assert response.status_code == 400
        assert "1 to 10000" in response.get_json()["error"]


@pytest.mark.local_storage
def test_app_refuses_parts_beyond_the_declared_size(app: Flask, make_user) -> None:
    uploader = UploadApi(app, make_user("instructor"))
    upload_id = uploader.start(b"x" * 1000)
    response = uploader.client.put(
        f"/api/v1/uploads/{upload_id}/parts/1",
        data=b"x" * 1001,
        headers={"X-CSRFToken": uploader.headers["X-CSRFToken"]},
    )
    assert response.status_code == 413
    assert uploader.parts(upload_id).get_json() == []


# --------------------------------------------------------------------------- quota


def test_quota_counts_stored_sources_and_open_uploads(
    uploader: UploadApi, padded_clip: bytes, monkeypatch
) -> None:
    monkeypatch.setitem(uploader.app.config, "UPLOAD_QUOTA_BYTES", 2 * len(padded_clip) + 10)
    done = uploader.start(padded_clip)
    assert uploader.complete(done, uploader.put_all(done, padded_clip)).status_code == 201
    pending = uploader.start(padded_clip)

    response = uploader.create(filename="third.mp4", type="video/mp4", size=11)

    assert response.status_code == 413
    assert "quota" in response.get_json()["error"]
    # Giving up the open upload frees its share.
    assert uploader.abort(pending).status_code == 204
    assert uploader.create(filename="third.mp4", type="video/mp4", size=11).status_code == 201


def test_form_upload_respects_the_quota(
    app: Flask, client: FlaskClient, auth: Auth, make_user, sample_clip: Path, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "UPLOAD_QUOTA_BYTES", sample_clip.stat().st_size - 1)
    auth.login(make_user("instructor").email)
    response = client.post(
        "/upload",
        data={
            "title": "Big",
            "csrf_token": auth.csrf("/upload"),
            "file": (sample_clip.open("rb"), "a.mp4"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "quota" in response.get_data(as_text=True)
    assert _counts(app) == (0, 0)


# --------------------------------------------------------------------------- abort + cleanup


def test_abort_drops_the_parts(uploader: UploadApi, padded_clip: bytes) -> None:
    upload_id = uploader.start(padded_clip)
    uploader.put(upload_id, 1, split(padded_clip)[0])
    store_id = _session(uploader.app, upload_id).upload_id
    assert store_id in _store_uploads(uploader.app)

    assert uploader.abort(upload_id).status_code == 204
    assert uploader.abort(upload_id).status_code == 204  # twice is fine

    assert store_id not in _store_uploads(uploader.app)
    assert _session(uploader.app, upload_id).state == UploadState.ABORTED
    assert uploader.sign(upload_id, 2).status_code == 409
    assert uploader.complete(upload_id, [{"PartNumber": 1, "ETag": '"x"'}]).status_code == 409


def test_a_completed_upload_cannot_be_aborted(uploader: UploadApi, padded_clip: bytes) -> None:
    upload_id = uploader.start(padded_clip)
    assert uploader.complete(upload_id, uploader.put_all(upload_id, padded_clip)).status_code == 201
    response = uploader.abort(upload_id)
    assert response.status_code == 409
    assert _counts(uploader.app) == (1, 1)


def test_cleanup_aborts_idle_uploads_and_orphans(uploader: UploadApi, padded_clip: bytes) -> None:
    app = uploader.app
    idle = uploader.start(padded_clip)
    uploader.put(idle, 1, split(padded_clip)[0])
    active = uploader.start(b"x" * 1000)
    with app.app_context():
        db.session.get(UploadSession, idle).updated_at = utcnow() - timedelta(hours=30)
        db.session.commit()
        orphan = get_storage().create_multipart(f"{UPLOADS_PREFIX}/9/orphan/source.mp4")
        outside = get_storage().create_multipart("elsewhere/source.mp4")

        report = clean_abandoned(timedelta(hours=24))
        db.session.commit()
        assert report["sessions"] == [idle]
        assert f"{UPLOADS_PREFIX}/9/orphan/source.mp4" not in report["orphans"]  # too young

        later = utcnow() + timedelta(hours=25)
        report = clean_abandoned(timedelta(hours=24), now=later)
        db.session.commit()
        assert set(report["sessions"]) == {active}
        assert f"{UPLOADS_PREFIX}/9/orphan/source.mp4" in report["orphans"]
        assert "elsewhere/source.mp4" not in report["orphans"]
        get_storage().abort_multipart("elsewhere/source.mp4", outside)
    assert _session(app, idle).state == UploadState.ABORTED
    assert "Abandoned" in _session(app, idle).error
    remaining = _store_uploads(app)
    assert orphan not in remaining
    assert _session(app, idle).upload_id not in remaining


def test_cleanup_runs_on_the_worker_on_a_schedule(app: Flask, make_user, celery_worker) -> None:
    schedule = app.config["CELERY"]["beat_schedule"]
    assert {"task": "uploads.clean_abandoned", "schedule": 3600.0} in schedule.values()
    uploader = UploadApi(app, make_user("instructor"))
    idle = uploader.start(b"x" * 1000)
    with app.app_context():
        db.session.get(UploadSession, idle).updated_at = utcnow() - timedelta(days=3)
        db.session.commit()
        app.extensions["celery"].send_task("uploads.clean_abandoned")

    wait_until(
        lambda: _session(app, idle).state != UploadState.OPEN,
        60,
        "the scheduled clean-up never ran",
        interval=0.3,
    )
    assert _session(app, idle).state == UploadState.ABORTED


def test_lifecycle_rule_for_compose_is_accepted_by_s3(s3_server: S3Server) -> None:
    """deploy/s3-lifecycle.json, as the compose setup applies it, on a real S3 server."""
    rules = json.loads((ROOT / "deploy" / "s3-lifecycle.json").read_text())
    client = s3_server.client()
    bucket = s3_server.new_bucket()
    client.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=rules)
    [rule] = client.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert rule["Filter"] == {"Prefix": f"{UPLOADS_PREFIX}/"}
    assert rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] >= 1
