"""Upload → storage → job → real Celery worker → real ffmpeg → published HLS → playback."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.parse import urljoin

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.support.auth import Auth
from tests.support.paths import ROOT
from tests.support.transcode import (
    ffprobe_json,
    wait_for_job,
)
from transcoder.hls import parse_master, parse_media_segments
from webapp import jobs
from webapp.extensions import db
from webapp.models import JobState, TranscodeJob, User, Video, VideoState
from webapp.storage import get_storage
from webapp.uploads.services import ingest

pytestmark = pytest.mark.worker


def _upload(client: FlaskClient, auth: Auth, path: Path, title: str) -> None:
    response = client.post(
        "/upload",
        data={
            "title": title,
            "csrf_token": auth.csrf("/upload"),
            "file": (path.open("rb"), path.name),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)


def _fetch(client: FlaskClient, url: str) -> tuple[int, str, bytes]:
    """GET a segment link: an app path, or a presigned store URL when media live in S3."""
    if url.startswith(("http://", "https://")):
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (test store)
            return response.status, response.headers.get_content_type(), response.read()
    response = client.get(url, buffered=True)
    return response.status_code, response.mimetype, response.data


def test_upload_becomes_playable_hls(
    app: Flask,
    client: FlaskClient,
    auth: Auth,
    make_user,
    celery_worker,
    sample_clip: Path,
    tmp_path: Path,
) -> None:
    instructor = make_user("instructor")
    auth.login(instructor.email)
    _upload(client, auth, sample_clip, "Funnel reports")
    with app.app_context():
        video_id, job_id = db.session.execute(select(TranscodeJob.video_id, TranscodeJob.id)).one()

    job = wait_for_job(app, job_id)
    assert job.state == JobState.READY, job.error
    assert job.progress == 100.0 and job.attempts == 1

    api = client.get(f"/api/v1/videos/{video_id}").get_json()
    assert api["state"] == "ready" and abs(api["duration"] - 4.0) < 0.3
    assert [(r["name"], r["height"]) for r in api["renditions"]] == [
        ("360p", 360),
        ("240p", 240),
        ("audio", 0),
    ]
    assert all(r["bandwidth"] > 0 for r in api["renditions"])
    assert api["job"]["state"] == "ready"

    # Fetch the ladder through the app, as the player does, and check it with ffprobe.
    master = client.get(api["hls_url"], buffered=True)
    assert master.status_code == 200
    assert master.headers["Content-Type"].startswith("application/vnd.apple.mpegurl")
    variants = [v for v in parse_master(master.get_data(as_text=True)) if v.height]
    assert len(variants) == 2
    segment_counts = []
    for variant in variants:
        playlist_url = api["hls_url"].rsplit("/", 1)[0] + "/" + variant.uri
        playlist = client.get(playlist_url, buffered=True).get_data(as_text=True)
        segments = parse_media_segments(playlist)
        segment_counts.append(len(segments))
        assert all(s.duration <= 4.5 for s in segments)
        local = tmp_path / variant.uri.replace("/", "_")
        for seg in segments:
            status, mimetype, data = _fetch(client, urljoin(playlist_url, seg.uri))
            assert status == 200 and mimetype == "video/mp2t"
            local.write_bytes(data)
            frames = ffprobe_json(
                local, "-count_frames", "-show_entries", "stream=nb_read_frames,width,height"
            )
            video_stream = [s for s in frames["streams"] if "width" in s][0]
            assert (video_stream["width"], video_stream["height"]) == (
                variant.width,
                variant.height,
            )
            assert int(video_stream["nb_read_frames"]) > 0
    assert len(set(segment_counts)) == 1  # aligned ladders cut at the same places

    poster = client.get(f"/videos/{video_id}/poster.jpg", buffered=True)
    assert poster.status_code == 200 and poster.data[:3] == b"\xff\xd8\xff"


def test_bad_input_does_not_hurt_the_worker(
    app: Flask,
    client: FlaskClient,
    auth: Auth,
    make_user,
    celery_worker,
    sample_clip: Path,
    tmp_path: Path,
) -> None:
    instructor = make_user("instructor")
    auth.login(instructor.email)
    bogus = tmp_path / "bogus.mp4"
    bogus.write_text("not a video")
    response = client.post(
        "/upload",
        data={
            "title": "x",
            "csrf_token": auth.csrf("/upload"),
            "file": (bogus.open("rb"), "b.mp4"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    _upload(client, auth, sample_clip, "After the bad one")
    with app.app_context():
        job_id = db.session.scalar(select(TranscodeJob.id))
    assert wait_for_job(app, job_id).state == JobState.READY
    assert celery_worker.poll() is None


def test_missing_source_fails_with_a_reason(
    app: Flask, client: FlaskClient, auth: Auth, make_user, celery_worker, sample_clip: Path
) -> None:
    """A job always ends READY or FAILED; the instructor sees why it failed."""
    instructor = make_user("instructor")
    auth.login(instructor.email)
    with app.app_context():
        video, job = ingest(
            sample_clip, title="Vanishing", owner=db.session.get(User, instructor.id)
        )
        db.session.commit()
        get_storage().delete(video.source_key)
        job_id, video_id = job.id, video.id
        assert jobs.dispatch(job_id)
    job = wait_for_job(app, job_id)
    assert job.state == JobState.FAILED
    assert "missing" in job.error
    with app.app_context():
        assert db.session.get(Video, video_id).state == VideoState.FAILED
    page = client.get("/upload").get_data(as_text=True)
    assert "missing from storage" in page


def _flask(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "--app", "webapp", *args],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_cli_creates_users_and_imports_with_wait(
    app: Flask, celery_worker, sample_clip: Path
) -> None:
    created = _flask(
        "users", "create", "teacher@example.com", "--role", "instructor", "--password", "pw-123456"
    )
    assert created.returncode == 0, created.stderr
    again = _flask(
        "users", "create", "teacher@example.com", "--role", "instructor", "--password", "pw-123456"
    )
    assert again.returncode != 0 and "already has an account" in again.stderr

    result = _flask("videos", "import", str(sample_clip), "--title", "Imported lesson", "--wait")
    assert result.returncode == 0, result.stderr
    video_id = int(result.stdout.splitlines()[0])
    with app.app_context():
        video = db.session.get(Video, video_id)
        assert video.title == "Imported lesson" and video.state == VideoState.READY


def test_cli_import_rejects_bad_file(app: Flask, make_user, tmp_path: Path) -> None:
    make_user("instructor")
    bad = tmp_path / "bad.mp4"
    bad.write_text("hello")
    result = _flask("videos", "import", str(bad), "--title", "Bad")
    assert result.returncode != 0
    assert "not a video" in result.stderr.lower()
    assert result.stdout == ""


def test_queued_jobs_can_be_sent_again(
    app: Flask, make_user, celery_worker, sample_clip: Path
) -> None:
    """A job whose message never reached the broker is not lost: `jobs requeue` sends it."""
    instructor = make_user("instructor")
    with app.app_context():
        _video, job = ingest(
            sample_clip, title="Undelivered", owner=db.session.get(User, instructor.id)
        )
        db.session.commit()
        job_id = job.id  # deliberately not dispatched, as after a broker outage
    result = _flask("jobs", "requeue")
    assert result.returncode == 0 and "re-sent 1 of 1" in result.stdout
    assert wait_for_job(app, job_id).state == JobState.READY


def test_transcode_pass_stores_chapter_suggestions(
    app: Flask, client: FlaskClient, auth: Auth, make_user, celery_worker, tmp_path: Path
) -> None:
    """Slide changes found while transcoding reach the instructor's editor as suggestions."""
    source = tmp_path / "slides.mp4"
    colours = ["white", "navy", "darkgreen"]
    inputs = [
        arg for c in colours for arg in ("-f", "lavfi", "-i", f"color=c={c}:s=320x180:r=10:d=8")
    ]
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            *inputs,
            "-f",
            "lavfi",
            "-i",
            "sine=f=300:d=24",
            "-filter_complex",
            "[0:v][1:v][2:v]concat=n=3:v=1:a=0[v]",
            "-map",
            "[v]",
            "-map",
            "3:a",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-c:a",
            "aac",
            "-shortest",
            str(source),
        ],
        check=True,
        timeout=60,
    )
    instructor = make_user("instructor")
    auth.login(instructor.email)
    _upload(client, auth, source, "Slides")
    with app.app_context():
        video_id, job_id = db.session.execute(select(TranscodeJob.video_id, TranscodeJob.id)).one()
    assert wait_for_job(app, job_id).state == JobState.READY
    found = client.get(f"/api/v1/videos/{video_id}/suggestions").get_json()["suggestions"]
    slides = sorted(s["start"] for s in found if s["kind"] == "slide")
    assert [round(t) for t in slides] == [8, 16]
