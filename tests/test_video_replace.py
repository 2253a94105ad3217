"""Replacing a READY video's recording: learners keep the old ladder until the new one is
published; a failed replacement leaves the old one playing and says why."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.support import factories
from tests.support.auth import Auth
from tests.support.problems import problem_of
from tests.support.transcode import wait_for_clean_storage, wait_for_job
from tests.support.uploads import UploadApi
from tests.support.waiting import wait_until
from transcoder.synth import generate
from webapp import jobs
from webapp.extensions import db
from webapp.models import JobState, TranscodeJob, UploadSession, Video, VideoState
from webapp.storage import get_storage
from webapp.transcoding.runner import give_up
from webapp.uploads.services import ingest_replacement

pytestmark = pytest.mark.worker


def _learner_client(app: Flask) -> FlaskClient:
    client = app.test_client()
    learner = factories.create_user(app, "learner")
    assert Auth(client).login(learner.email).status_code == 302
    return client


def _plays(client: FlaskClient, video_id: int) -> bool:
    master = client.get(f"/videos/{video_id}/hls/master.m3u8")
    return master.status_code == 200 and "#EXTM3U" in master.get_data(as_text=True)


def _video(app: Flask, video_id: int) -> Video:
    with app.app_context():
        video = db.session.get_one(Video, video_id)
        db.session.expunge(video)
        return video


def _watch_until_finished(app: Flask, learner: FlaskClient, video_id: int, job_id: int) -> None:
    """While the job runs the video stays READY and the learner's playlist answers."""

    def finished() -> bool:
        assert _video(app, video_id).state == VideoState.READY
        assert _plays(learner, video_id)
        with app.app_context():
            return db.session.get_one(TranscodeJob, job_id).is_finished

    wait_until(finished, 120, f"replacement job {job_id} did not finish", interval=0.3)


def test_replacement_publishes_a_new_ladder_and_the_old_plays_meanwhile(
    app: Flask, make_user, make_ready_video, celery_worker, media_dir: Path
) -> None:
    owner = make_user("instructor")
    video_id = make_ready_video(owner.id, "Lecture 1")
    old = _video(app, video_id)
    learner = _learner_client(app)
    assert _plays(learner, video_id)

    new_file = generate(media_dir / "replacement.mp4", seconds=2.0, width=320, height=180, fps=25)
    data = new_file.read_bytes()
    api = UploadApi(app, owner)
    upload_id = api.start(data, filename="take2.mp4", replaces_video_id=video_id)
    done = api.complete(upload_id, api.put_all(upload_id, data))
    assert done.status_code == 201, done.get_json()
    assert done.get_json()["video"]["id"] == video_id
    with app.app_context():
        job = jobs.latest_job(video_id)
        assert job is not None and job.source_key is not None
        job_id, new_source = job.id, job.source_key
        assert db.session.scalar(select(func.count(Video.id))) == 1  # no second video
        assert db.session.get_one(UploadSession, upload_id).replaces_video_id == video_id

    _watch_until_finished(app, learner, video_id, job_id)
    assert wait_for_job(app, job_id).state == JobState.READY
    new = _video(app, video_id)
    assert new.state == VideoState.READY and new.title == "Lecture 1"
    assert new.hls_prefix != old.hls_prefix
    assert new.source_key == new_source and new.source_filename == "take2.mp4"
    assert abs((new.duration or 0) - 2.0) < 0.3
    assert _plays(learner, video_id)
    wait_for_clean_storage(app, video_id)  # the old ladder is collected
    with app.app_context():
        assert not list(get_storage().list(old.hls_prefix))


def test_failed_replacement_keeps_the_old_ladder_and_shows_why(
    app: Flask,
    client: FlaskClient,
    auth: Auth,
    make_user,
    make_ready_video,
    celery_worker,
    sample_clip: Path,
) -> None:
    owner = make_user("instructor")
    video_id = make_ready_video(owner.id, "Lecture 2")
    old = _video(app, video_id)
    learner = _learner_client(app)
    with app.app_context():
        video = db.session.get_one(Video, video_id)
        job = ingest_replacement(sample_clip, video=video, user=video.owner, filename="b.mp4")
        db.session.commit()
        job_id = job.id
        get_storage().delete(job.source_key)  # the new source is lost before the worker runs
        assert jobs.dispatch(job_id)

    _watch_until_finished(app, learner, video_id, job_id)
    failed = wait_for_job(app, job_id)
    assert failed.state == JobState.FAILED and "missing" in (failed.error or "")
    after = _video(app, video_id)
    assert after.state == VideoState.READY
    assert after.hls_prefix == old.hls_prefix and after.source_key == old.source_key
    assert _plays(learner, video_id)

    auth.login(owner.email)
    page = client.get(f"/upload?replace={video_id}").get_data(as_text=True)
    assert "The last replacement failed" in page and "missing" in page


def test_plain_form_replaces_for_the_owner(
    app: Flask,
    client: FlaskClient,
    auth: Auth,
    make_user,
    make_ready_video,
    celery_worker,
    sample_clip: Path,
) -> None:
    owner = make_user("instructor")
    video_id = make_ready_video(owner.id, "Lecture 3")
    auth.login(owner.email)
    page = client.get(f"/upload?replace={video_id}")
    assert page.status_code == 200
    assert "Replace the recording of “Lecture 3”" in page.get_data(as_text=True)
    response = client.post(
        f"/upload?replace={video_id}",
        data={"csrf_token": auth.csrf("/upload"), "file": (sample_clip.open("rb"), "c.mp4")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        job = jobs.latest_job(video_id)
        assert job is not None and job.source_key is not None
        job_id = job.id
    assert wait_for_job(app, job_id).state == JobState.READY
    assert _video(app, video_id).source_filename == "c.mp4"


def test_unauthorized_callers_are_refused(
    app: Flask, make_user, make_ready_video, sample_clip: Path
) -> None:
    owner = make_user("instructor")
    video_id = make_ready_video(owner.id, "Lecture 4")
    body = {"filename": "x.mp4", "type": "video/mp4", "size": 1000, "replaces_video_id": video_id}

    other = UploadApi(app, make_user("instructor"))
    problem_of(other.client.post("/api/v1/uploads", json=body, headers=other.headers), 403)
    assert other.client.get(f"/upload?replace={video_id}").status_code == 403
    form = other.client.post(
        f"/upload?replace={video_id}",
        data={
            "csrf_token": Auth(other.client).csrf("/upload"),
            "file": (sample_clip.open("rb"), "x.mp4"),
        },
        content_type="multipart/form-data",
    )
    assert form.status_code == 403

    learner = UploadApi(app, make_user("learner"))
    problem_of(learner.client.post("/api/v1/uploads", json=body, headers=learner.headers), 403)

    missing = {**body, "replaces_video_id": video_id + 1000}
    problem_of(other.client.post("/api/v1/uploads", json=missing, headers=other.headers), 404)
    assert other.client.get(f"/upload?replace={video_id + 1000}").status_code == 404

    admin = UploadApi(app, make_user("admin"))
    allowed = admin.client.post("/api/v1/uploads", json=body, headers=admin.headers)
    assert allowed.status_code == 201 and allowed.get_json()["replaces_video_id"] == video_id


def test_a_busy_or_unready_video_is_refused(app: Flask, make_user, make_ready_video) -> None:
    owner = make_user("instructor")
    video_id = make_ready_video(owner.id, "Lecture 5")
    body = {"filename": "x.mp4", "type": "video/mp4", "size": 1000, "replaces_video_id": video_id}
    api = UploadApi(app, owner)
    with app.app_context():
        video = db.session.get_one(Video, video_id)
        jobs.create_job(video, source_key="sources/elsewhere.mp4")  # queued, not sent
        db.session.commit()
    busy = problem_of(api.client.post("/api/v1/uploads", json=body, headers=api.headers), 409)
    assert "being transcoded" in busy["detail"]
    with app.app_context():
        assert db.session.scalar(select(func.count(UploadSession.id))) == 0


def test_a_replacement_given_up_drops_its_source_and_keeps_the_ladder(
    app: Flask, make_user, make_ready_video, sample_clip: Path
) -> None:
    owner = make_user("instructor")
    video_id = make_ready_video(owner.id, "Lecture 6")
    old = _video(app, video_id)
    with app.app_context():
        video = db.session.get_one(Video, video_id)
        job = ingest_replacement(sample_clip, video=video, user=video.owner, filename="d.mp4")
        db.session.commit()
        job_id, new_source = job.id, job.source_key
        assert new_source is not None and get_storage().exists(new_source)
        give_up(job_id, "The worker stopped 3 times while transcoding.")
        db.session.commit()
    with app.app_context():
        failed = db.session.get_one(TranscodeJob, job_id)
        assert failed.state == JobState.FAILED and "stopped 3 times" in (failed.error or "")
        assert not get_storage().exists(new_source)
    after = _video(app, video_id)
    assert after.state == VideoState.READY and after.hls_prefix == old.hls_prefix
