"""A clip export rides out a short object-store outage in place, as a transcode does.

Found by ``bench.soak``: an export whose store went away handed itself back and was
retried by Celery with back-off, each retry a new attempt, so a 30 s outage used up
``JOB_MAX_ATTEMPTS`` (3) and the export FAILED. Its downloads and its upload are now
retried in place (``webapp.transcoding.retry``) under the job's heartbeat.

This test always uses S3 (its own bucket), whatever store the rest of the suite uses.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from flask import Flask

from tests.support import factories
from tests.support.s3server import S3Server
from tests.support.waiting import wait_until
from transcoder.pipeline import TranscodeResult
from webapp import create_app
from webapp.clips.services import create_clip, request_export
from webapp.extensions import db
from webapp.models import ClipExport, JobState, User, Video
from webapp.transcoding.export_runner import run_export

OUTAGE_SECONDS = 12.0


@pytest.fixture(scope="module")
def s3_app(app: Flask, s3_server: S3Server) -> Flask:
    """The suite's database with media in a bucket of this module's own."""
    return create_app({"TESTING": True, "STORAGE_BACKEND": "s3", **s3_server.settings()})


def _queued_export(s3_app: Flask, owner_id: int, sample: tuple[Path, TranscodeResult]) -> int:
    video_id = factories.publish_ready_video(s3_app, owner_id, "Recording", *sample)
    with s3_app.app_context():
        video, author = db.session.get(Video, video_id), db.session.get(User, owner_id)
        clip = create_clip(video, author, {"title": "Part", "start": 0.5, "end": 3.0})
        export_id = request_export(clip).id
        db.session.commit()
        return export_id


def test_an_export_rides_out_a_store_outage_in_one_attempt(
    s3_app: Flask,
    s3_server: S3Server,
    make_user,
    transcoded_sample: tuple[Path, TranscodeResult],
) -> None:
    export_id = _queued_export(s3_app, make_user("instructor").id, transcoded_sample)
    outcome: dict[str, object] = {}

    def worker() -> None:
        with s3_app.app_context():
            try:
                outcome["state"] = run_export(export_id)
            except BaseException as exc:  # surfaced by the assertion below
                outcome["error"] = exc
            finally:
                db.session.remove()

    def row() -> tuple[JobState, int]:
        with s3_app.app_context():
            export = db.session.get_one(ClipExport, export_id)
            return export.state, export.attempts

    thread = threading.Thread(target=worker)
    with s3_server.stopped():
        until = time.monotonic() + OUTAGE_SECONDS
        thread.start()
        wait_until(lambda: row() == (JobState.RUNNING, 1), 60, "the export never started")
        time.sleep(max(0.0, until - time.monotonic()))  # the outage itself, not a wait
    thread.join(timeout=180)
    assert not thread.is_alive()

    assert "error" not in outcome, repr(outcome.get("error"))
    assert outcome["state"] == JobState.READY
    assert row() == (JobState.READY, 1)
    with s3_app.app_context():
        key = db.session.get_one(ClipExport, export_id).output_key
    assert (
        key is not None
        and s3_server.client().head_object(Bucket=s3_app.config["S3_BUCKET"], Key=key)[
            "ContentLength"
        ]
        > 0
    )
