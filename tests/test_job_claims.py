"""Eight workers racing for the same jobs: every attempt has exactly one owner.

Claiming used to read the row and then write it, so on PostgreSQL two workers could
both start attempt 1 of one transcode job. Claims are now one compare-and-set UPDATE
for every kind; here eight threads, each with its own session and connection, claim
the same 200 jobs (transcodes and clip exports) in the same order, twice: first the
fresh QUEUED jobs, then (after every worker went silent) the stale RUNNING ones a
second attempt takes over.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from flask import Flask
from sqlalchemy.exc import OperationalError

from webapp.extensions import db
from webapp.jobs import lifecycle
from webapp.jobs.clip_export import CLIP_EXPORT
from webapp.jobs.lifecycle import JobKind
from webapp.jobs.transcode import TRANSCODE
from webapp.models import Clip, ClipExport, JobState, TranscodeJob, Video, VideoState
from webapp.models.base import utcnow

WORKERS = 8
JOBS_PER_KIND = 100
FIVE_MIN = timedelta(minutes=5)

Claimed = tuple[str, int, int]  # kind, job id, attempt


def _make_jobs(app: Flask, owner_id: int, ready_video_id: int) -> list[tuple[JobKind, int]]:
    """100 queued transcodes (one video each) and 100 queued exports, interleaved."""
    with app.app_context():
        clip = Clip(video_id=ready_video_id, title="Part", start=0.5, end=3.0, created_by=owner_id)
        db.session.add(clip)
        videos = [
            Video(title=f"Lesson {n}", owner_id=owner_id, state=VideoState.UPLOADED.value)
            for n in range(JOBS_PER_KIND)
        ]
        db.session.add_all(videos)
        db.session.flush()
        transcodes = [TranscodeJob(video_id=v.id, state=JobState.QUEUED) for v in videos]
        exports = [ClipExport(clip_id=clip.id, state=JobState.QUEUED) for _ in videos]
        db.session.add_all(transcodes + exports)
        db.session.commit()
        pairs = zip(transcodes, exports, strict=True)
        return [
            (kind, job.id) for t, e in pairs for kind, job in ((TRANSCODE, t), (CLIP_EXPORT, e))
        ]


def _race(app: Flask, work: list[tuple[JobKind, int]]) -> tuple[list[Claimed], list[BaseException]]:
    """Every worker tries every job, all starting together; what each one won."""
    start = threading.Barrier(WORKERS)
    won: list[Claimed] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        mine: list[Claimed] = []
        try:
            with app.app_context():  # its own session, hence its own connection
                start.wait(timeout=30)
                for kind, job_id in work:
                    for _ in range(20):  # SQLite: a writer may find the file locked
                        try:
                            job = lifecycle.claim(kind, job_id, FIVE_MIN)
                            attempt = job.attempts if job is not None else None
                            db.session.commit()
                            break
                        except OperationalError:
                            db.session.rollback()
                    else:
                        raise AssertionError(f"{kind.name} {job_id}: the database stayed locked")
                    if attempt is not None:
                        mine.append((kind.name, job_id, attempt))
                db.session.remove()
        except BaseException as exc:  # surfaced by the caller's assertion
            with lock:
                errors.append(exc)
        with lock:
            won.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a worker never finished"
    return won, errors


def _rows(app: Flask) -> dict[tuple[str, int], tuple[JobState, int]]:
    with app.app_context():
        return {
            (kind.name, job.id): (job.state, job.attempts)
            for kind in (TRANSCODE, CLIP_EXPORT)
            for job in db.session.scalars(db.select(kind.model))
        }


def _silence_every_worker(app: Flask) -> None:
    """What a crash of every worker leaves: RUNNING rows with an old heartbeat."""
    with app.app_context():
        long_ago = utcnow() - timedelta(hours=1)
        for model in (TranscodeJob, ClipExport):
            db.session.execute(
                db.update(model)
                .where(model.state == JobState.RUNNING)
                .values(heartbeat_at=long_ago, started_at=long_ago)
            )
        db.session.commit()


def test_racing_workers_claim_every_job_exactly_once_per_attempt(
    app: Flask, make_user, make_ready_video
) -> None:
    owner = make_user("instructor")
    work = _make_jobs(app, owner.id, make_ready_video(owner.id, "Class recording"))
    expected = {(kind.name, job_id) for kind, job_id in work}
    assert len(expected) == 2 * JOBS_PER_KIND

    for attempt in (1, 2):
        won, errors = _race(app, work)
        assert errors == []
        # No job claimed twice for the same attempt, and none lost.
        assert len(won) == len(set(won)) == len(expected), f"attempt {attempt}"
        assert {(kind, job_id) for kind, job_id, _a in won} == expected
        assert {a for _k, _j, a in won} == {attempt}
        rows = _rows(app)
        assert {rows[key] for key in expected} == {(JobState.RUNNING, attempt)}
        # A duplicate delivery while the owner is alive is refused.
        won_again, errors = _race(app, work[:10])
        assert (won_again, errors) == ([], [])
        _silence_every_worker(app)
