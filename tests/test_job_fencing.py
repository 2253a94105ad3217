"""A worker taken for dead and replaced must change nothing when it wakes up.

The sweeper hands back a job whose worker went silent, and a later attempt claims it.
If the first worker was only stalled (a long GC pause, a frozen VM, a partition from
the database), it finishes later: its progress, preview, ladder and failure must not
overwrite the attempt that owns the job now.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from tests.support.jobs import FIVE_MIN
from tests.support.jobs import queued_job as _queued_job
from tests.support.waiting import wait_until
from transcoder.synth import generate
from webapp import jobs
from webapp.extensions import db
from webapp.models import JobState, TranscodeJob, Video, VideoState
from webapp.models.base import utcnow
from webapp.storage import get_storage
from webapp.transcoding.preview import preview_prefix
from webapp.transcoding.publish import version_prefix
from webapp.transcoding.runner import run_job

LADDER = {
    "poster_key": "p.jpg",
    "storyboard_path": None,
    "duration": 4.0,
    "width": 640,
    "height": 360,
    "renditions": [],
}


@pytest.fixture(scope="module")
def eight_second_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Long enough that the test can take the job over while the first attempt runs."""
    folder = tmp_path_factory.mktemp("fencing")
    return generate(folder / "eight.mp4", seconds=8.0, width=640, height=360, fps=25)


def _take_over(job_id: int) -> int:
    """What the sweeper and a second worker do to a silent job: a new attempt claims it."""
    db.session.get(TranscodeJob, job_id).heartbeat_at = utcnow() - timedelta(minutes=10)
    db.session.commit()
    job = jobs.claim(job_id, FIVE_MIN)
    assert job is not None
    attempt = job.attempts
    db.session.commit()
    return attempt


def test_a_replaced_attempt_writes_nothing(app: Flask, make_user, sample_clip: Path) -> None:
    video_id, job_id = _queued_job(app, make_user("instructor").id, sample_clip)
    with app.app_context():
        first = jobs.claim(job_id, FIVE_MIN).attempts
        db.session.commit()
        second = _take_over(job_id)
        assert (first, second) == (1, 2)

        jobs.report_progress(job_id, 80.0, attempt=first)
        jobs.set_preview(job_id, "videos/x/preview/old", attempt=first)
        jobs.hand_back(job_id, "late hand-back", attempt=first)
        assert jobs.fail(job_id, "late failure", attempt=first) is None
        with pytest.raises(jobs.Superseded):
            jobs.complete(job_id, hls_prefix="videos/x/hls/old", attempt=first, **LADDER)
        db.session.commit()

        job, video = db.session.get(TranscodeJob, job_id), db.session.get(Video, video_id)
        assert (job.state, job.attempts, job.progress, job.error) == ("running", 2, 0.0, None)
        assert (video.state, video.hls_prefix, video.preview_prefix) == (
            VideoState.PROCESSING.value,
            None,
            None,
        )

        jobs.report_progress(job_id, 40.0, attempt=second)  # the owner still can
        jobs.complete(job_id, hls_prefix="videos/x/hls/new", attempt=second, **LADDER)
        db.session.commit()
        job, video = db.session.get(TranscodeJob, job_id), db.session.get(Video, video_id)
        assert (job.state, video.state, video.hls_prefix) == ("ready", "ready", "videos/x/hls/new")


def test_a_finished_job_ignores_a_late_attempt(app: Flask, make_user, sample_clip: Path) -> None:
    _video_id, job_id = _queued_job(app, make_user("instructor").id, sample_clip)
    with app.app_context():
        attempt = jobs.claim(job_id, FIVE_MIN).attempts
        jobs.complete(job_id, hls_prefix="videos/x/hls/done", attempt=attempt, **LADDER)
        db.session.commit()
        assert jobs.fail(job_id, "a duplicate delivery failed later", attempt=attempt) is None
        db.session.commit()
        assert db.session.get(TranscodeJob, job_id).state == JobState.READY


def test_a_stalled_worker_that_wakes_up_publishes_nothing(
    app: Flask, make_user, eight_second_clip: Path
) -> None:
    """The real runner and ffmpeg: attempt 1 runs while attempt 2 takes the job over."""
    video_id, job_id = _queued_job(app, make_user("instructor").id, eight_second_clip)
    outcome: dict[str, object] = {}

    def first_worker() -> None:
        with app.app_context():
            try:
                outcome["state"] = run_job(job_id)
            except BaseException as exc:  # surfaced by the assertion below
                outcome["error"] = exc
            finally:
                db.session.remove()

    thread = threading.Thread(target=first_worker)
    thread.start()
    with app.app_context():

        def claimed() -> bool:
            db.session.rollback()
            job = db.session.get(TranscodeJob, job_id)
            return job.state == JobState.RUNNING and job.attempts == 1

        wait_until(claimed, 60, "attempt 1 never started", interval=0.02)
        second = _take_over(job_id)
    thread.join(timeout=120)
    assert not thread.is_alive()

    assert "error" not in outcome, outcome.get("error")
    assert outcome["state"] is None  # it noticed it had been replaced
    with app.app_context():
        job, video = db.session.get(TranscodeJob, job_id), db.session.get(Video, video_id)
        assert (job.state, job.attempts) == ("running", second)
        assert video.hls_prefix is None and video.preview_prefix is None
        storage = get_storage()
        for prefix in (version_prefix(video_id, job_id, 1), preview_prefix(video_id, job_id, 1)):
            assert list(storage.list(prefix)) == [], f"{prefix} was left in the store"
