"""Clip exports run on the one job lifecycle: fencing and the sweeper cover them too.

Two bugs of the old, separate export lifecycle: an attempt taken for dead and replaced
could overwrite its successor's progress, result or failure when it woke up, and an
export whose queue message was lost stayed QUEUED for ever.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from tests.support.waiting import wait_until
from webapp.clips.services import create_clip, request_export
from webapp.extensions import db
from webapp.jobs import clip_export, lifecycle, sweeper
from webapp.jobs import tasks as job_tasks
from webapp.jobs.clip_export import CLIP_EXPORT
from webapp.models import ClipExport, JobState, User, Video
from webapp.models.base import utcnow

FIVE_MIN = timedelta(minutes=5)


def _queued_export(app: Flask, make_user, make_ready_video) -> int:
    """A QUEUED export of a clip of a READY recording; its message is never sent."""
    owner = make_user("instructor")
    video_id = make_ready_video(owner.id, "Class recording")
    with app.app_context():
        video, author = db.session.get(Video, video_id), db.session.get(User, owner.id)
        clip = create_clip(video, author, {"title": "Part", "start": 0.5, "end": 3.0})
        export_id = request_export(clip).id
        db.session.commit()
        return export_id


def _row(export_id: int) -> tuple[JobState, int, float, str | None, str | None]:
    db.session.expire_all()
    e = db.session.get(ClipExport, export_id)
    return e.state, e.attempts, e.progress, e.error, e.output_key


def test_a_replaced_export_attempt_writes_nothing(app: Flask, make_user, make_ready_video) -> None:
    export_id = _queued_export(app, make_user, make_ready_video)
    with app.app_context():
        first = lifecycle.claim(CLIP_EXPORT, export_id, FIVE_MIN).attempts
        db.session.get(ClipExport, export_id).heartbeat_at = utcnow() - timedelta(hours=1)
        db.session.commit()
        # The sweeper takes the silent worker for dead; a new attempt claims the export.
        report = sweeper.sweep(FIVE_MIN, timedelta(hours=2), max_attempts=3)
        db.session.commit()
        assert report["clip_export"].requeued == (export_id,)
        second = lifecycle.claim(CLIP_EXPORT, export_id, FIVE_MIN).attempts
        db.session.commit()
        assert (first, second) == (1, 2)

        # The first worker wakes up: progress, result, failure and hand-back are refused.
        assert not lifecycle.beat(CLIP_EXPORT, export_id, first, 80.0)
        with pytest.raises(lifecycle.Superseded):
            clip_export.complete(export_id, "clips/x/exports/old.mp4", 123, first)
        assert lifecycle.fail(CLIP_EXPORT, export_id, "late failure", first) == (False, None)
        assert not lifecycle.hand_back(CLIP_EXPORT, export_id, "late hand-back", first)
        db.session.commit()
        assert _row(export_id) == (JobState.RUNNING, second, 0.0, None, None)

        # The owner still can.
        assert lifecycle.beat(CLIP_EXPORT, export_id, second, 40.0)
        clip_export.complete(export_id, "clips/x/exports/new.mp4", 456, second)
        db.session.commit()
        assert _row(export_id) == (JobState.READY, second, 100.0, None, "clips/x/exports/new.mp4")
        # A finished export ignores the replaced attempt for good.
        assert lifecycle.fail(CLIP_EXPORT, export_id, "later still", first) == (False, None)
        db.session.commit()
        assert _row(export_id)[0] == JobState.READY


def test_sweeper_fails_an_export_whose_worker_kept_dying(
    app: Flask, make_user, make_ready_video
) -> None:
    export_id = _queued_export(app, make_user, make_ready_video)
    with app.app_context():
        lifecycle.claim(CLIP_EXPORT, export_id, FIVE_MIN)
        export = db.session.get(ClipExport, export_id)
        export.attempts, export.heartbeat_at = 3, utcnow() - timedelta(hours=1)
        db.session.commit()
        report = sweeper.sweep(FIVE_MIN, timedelta(hours=2), max_attempts=3)
        db.session.commit()
        assert report["clip_export"].failed == (export_id,)
        state, attempts, _progress, error, _key = _row(export_id)
        assert (state, attempts) == (JobState.FAILED, 3)
        assert error == "The worker stopped 3 times while exporting; gave up."


@pytest.mark.worker
def test_an_export_whose_message_was_lost_is_sent_again(
    app: Flask, make_user, make_ready_video, celery_worker
) -> None:
    export_id = _queued_export(app, make_user, make_ready_video)
    with app.app_context():
        db.session.get(ClipExport, export_id).updated_at = utcnow() - timedelta(hours=1)
        db.session.commit()
        result = job_tasks.sweep.run()  # what Celery beat runs every minute
    assert result["clip_export"]["redispatched"] == [export_id]
    with app.app_context():

        def finished() -> bool:
            db.session.rollback()
            return _row(export_id)[0] not in (JobState.QUEUED, JobState.RUNNING)

        wait_until(finished, 120, "the re-sent export never finished", interval=0.2)
        state, attempts, progress, error, key = _row(export_id)
    assert (state, attempts, progress, error) == (JobState.READY, 1, 100.0, None)
    assert key == f"clips/{_clip_id(app, export_id)}/exports/e{export_id}a1.mp4"


def _clip_id(app: Flask, export_id: int) -> int:
    with app.app_context():
        return db.session.get(ClipExport, export_id).clip_id
