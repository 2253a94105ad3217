"""The instructor upload route: validation before anything is stored."""

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.support.auth import Auth
from webapp.extensions import db
from webapp.models import JobState, TranscodeJob, Video, VideoState
from webapp.storage import get_storage


def _counts(app: Flask) -> tuple[int, int, list[str]]:
    with app.app_context():
        videos = db.session.scalar(select(func.count(Video.id)))
        jobs = db.session.scalar(select(func.count(TranscodeJob.id)))
        stored = list(get_storage().list("sources"))
    return videos, jobs, stored


def _assert_nothing_new(app: Flask, before: tuple[int, int, list[str]]) -> None:
    """No video, job or stored source was added. Sources of earlier tests' videos may
    still be collected by the worker meanwhile, so the store may only have lost some."""
    videos, jobs, stored = _counts(app)
    assert (videos, jobs) == before[:2]
    assert set(stored) <= set(before[2]), sorted(set(stored) - set(before[2]))


def _tmp_leftovers(app: Flask) -> list[Path]:
    return list(Path(app.config["UPLOAD_TMP_DIR"]).glob("upload-*"))


def _post(client: FlaskClient, auth: Auth, path: Path | None, title: str = "Lesson", **extra):
    data = {"title": title, "csrf_token": auth.csrf("/upload"), **extra}
    if path is not None:
        data["file"] = (path.open("rb"), path.name)
    return client.post("/upload", data=data, content_type="multipart/form-data")


@pytest.fixture
def instructor(auth: Auth, make_user):
    user = make_user("instructor")
    auth.login(user.email)
    return user


def test_valid_upload_is_stored_and_queued(
    app: Flask, client: FlaskClient, auth: Auth, instructor, sample_clip: Path
) -> None:
    before = _counts(app)
    response = _post(client, auth, sample_clip, title="  SEO   basics ")
    assert response.status_code == 303
    with app.app_context():
        video = db.session.scalar(select(Video))
        job = db.session.scalar(select(TranscodeJob))
        assert video.title == "SEO basics"
        # A worker started by an earlier test may already have claimed the job.
        assert video.state in (VideoState.UPLOADED, VideoState.PROCESSING)
        assert video.owner_id == instructor.id
        assert abs(video.duration - 4.0) < 0.2
        assert job.video_id == video.id and job.state in (JobState.QUEUED, JobState.RUNNING)
        assert get_storage().size(video.source_key) == sample_clip.stat().st_size
    assert _counts(app)[0] == before[0] + 1
    assert _tmp_leftovers(app) == []
    page = client.get("/upload").get_data(as_text=True)
    assert "SEO basics" in page


def _text_as_mp4(tmp_path: Path) -> Path:
    path = tmp_path / "notes.mp4"
    path.write_text("These are my lecture notes, not a video.\n" * 20)
    return path


def _empty(tmp_path: Path) -> Path:
    path = tmp_path / "empty.mp4"
    path.write_bytes(b"")
    return path


def _playlist_as_mp4(tmp_path: Path) -> Path:
    path = tmp_path / "sneaky.mp4"
    path.write_text("#EXTM3U\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n")
    return path


@pytest.mark.parametrize(
    ("make_file", "message"),
    [
        (_text_as_mp4, "not a video"),
        (_empty, "empty"),
        (_playlist_as_mp4, "not a video"),
    ],
)
def test_bad_files_are_rejected_and_nothing_is_stored(
    app: Flask, client: FlaskClient, auth: Auth, instructor, tmp_path: Path, make_file, message
) -> None:
    before = _counts(app)
    response = _post(client, auth, make_file(tmp_path))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).lower()
    _assert_nothing_new(app, before)
    assert _tmp_leftovers(app) == []


@pytest.mark.parametrize(
    ("title", "with_file", "message"),
    [
        ("", True, "title"),
        ("x" * 201, True, "too long"),
        ("Lesson", False, "choose a video file"),
    ],
)
def test_missing_fields_are_rejected(
    app: Flask, client: FlaskClient, auth: Auth, instructor, sample_clip, title, with_file, message
) -> None:
    before = _counts(app)
    response = _post(client, auth, sample_clip if with_file else None, title=title)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).lower()
    _assert_nothing_new(app, before)


def test_learner_cannot_upload(
    app: Flask, client: FlaskClient, auth: Auth, make_user, sample_clip: Path
) -> None:
    auth.login(make_user("learner").email)
    before = _counts(app)
    token = auth.csrf("/")
    response = client.post(
        "/upload",
        data={"title": "Mine", "csrf_token": token, "file": (sample_clip.open("rb"), "a.mp4")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    _assert_nothing_new(app, before)


def test_anonymous_upload_redirects_to_sign_in(
    app: Flask, client: FlaskClient, auth: Auth, sample_clip: Path
) -> None:
    before = _counts(app)
    response = client.post(
        "/upload",
        data={
            "title": "x",
            "csrf_token": auth.csrf("/login"),
            "file": (sample_clip.open("rb"), "a.mp4"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    _assert_nothing_new(app, before)


def test_upload_without_csrf_token_is_refused(
    app: Flask, client: FlaskClient, instructor, sample_clip: Path
) -> None:
    before = _counts(app)
    response = client.post(
        "/upload",
        data={"title": "x", "file": (sample_clip.open("rb"), "a.mp4")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    _assert_nothing_new(app, before)


def test_oversize_body_is_413_and_nothing_stored(
    app: Flask, client: FlaskClient, auth: Auth, instructor, sample_clip: Path, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 10_000)
    before = _counts(app)
    response = _post(client, auth, sample_clip)
    assert response.status_code == 413
    assert "larger than" in response.get_data(as_text=True)
    _assert_nothing_new(app, before)


def test_missing_ffprobe_is_503_and_nothing_stored(
    app: Flask,
    client: FlaskClient,
    auth: Auth,
    instructor,
    sample_clip: Path,
    monkeypatch,
    tmp_path,
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no ffprobe anywhere on PATH
    before = _counts(app)
    response = _post(client, auth, sample_clip)
    assert response.status_code == 503
    assert "unavailable" in response.get_data(as_text=True)
    _assert_nothing_new(app, before)
