"""Never stuck: duplicate deliveries, dead workers, lost messages, garbage collection.

A worker SIGKILLed mid-transcode: the job is handed back and delivered again, it
completes, a learner watching the video meanwhile is never served a partial ladder, and
afterwards the store holds only the published version.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.auth import Auth
from tests.support.jobs import FIVE_MIN
from tests.support.jobs import queued_job as _queued_job
from tests.support.paths import ROOT
from tests.support.transcode import assert_complete_ladder, wait_for_clean_storage, wait_for_job
from tests.support.waiting import wait_until
from transcoder.hls import parse_master
from transcoder.synth import generate
from webapp import jobs
from webapp.extensions import db
from webapp.jobs import tasks as job_tasks
from webapp.jobs.execution import backoff, clean_dead_scratch
from webapp.jobs.heartbeat import heartbeat
from webapp.models import JobState, TranscodeJob, Video, VideoState
from webapp.models.base import utcnow


def _job(app: Flask, job_id: int) -> tuple[str, int, str | None, str]:
    with app.app_context():
        job = db.session.get(TranscodeJob, job_id)
        return job.state, job.attempts, job.error, job.video.state


def test_duplicate_delivery_of_a_running_job_is_refused(app, make_user, sample_clip) -> None:
    _video_id, job_id = _queued_job(app, make_user("instructor").id, sample_clip)
    with app.app_context():
        assert jobs.claim(job_id, FIVE_MIN) is not None
        db.session.commit()
        assert jobs.claim(job_id, FIVE_MIN) is None  # fresh heartbeat: someone runs it
        db.session.rollback()
    assert _job(app, job_id)[:2] == ("running", 1)


def test_a_stale_running_job_can_be_taken_over(app, make_user, sample_clip) -> None:
    _video_id, job_id = _queued_job(app, make_user("instructor").id, sample_clip)
    with app.app_context():
        jobs.claim(job_id, FIVE_MIN)
        db.session.get(TranscodeJob, job_id).heartbeat_at = utcnow() - timedelta(minutes=10)
        db.session.commit()
        assert jobs.claim(job_id, FIVE_MIN) is not None
        db.session.commit()
    assert _job(app, job_id)[:2] == ("running", 2)


def test_sweep_hands_back_stale_jobs_and_fails_hopeless_ones(app, make_user, sample_clip) -> None:
    owner = make_user("instructor").id
    _v1, stale = _queued_job(app, owner, sample_clip, "stale")
    _v2, hopeless = _queued_job(app, owner, sample_clip, "hopeless")
    _v3, fresh = _queued_job(app, owner, sample_clip, "fresh")
    _v4, lost = _queued_job(app, owner, sample_clip, "lost message")
    long_ago = utcnow() - timedelta(hours=1)
    with app.app_context():
        for job_id in (stale, hopeless, fresh):
            jobs.claim(job_id, FIVE_MIN)
        db.session.get(TranscodeJob, hopeless).attempts = 3
        for job_id in (stale, hopeless):
            db.session.get(TranscodeJob, job_id).heartbeat_at = long_ago
        db.session.commit()
        db.session.get(TranscodeJob, lost).updated_at = long_ago
        db.session.commit()
        report = jobs.sweep(FIVE_MIN, timedelta(minutes=10), max_attempts=3)
        db.session.commit()
    assert report["transcode"].requeued == (stale,)
    assert report["transcode"].failed == (hopeless,)
    assert report["transcode"].redispatched == (lost,)
    assert _job(app, stale)[0::3] == ("queued", "uploaded")
    assert _job(app, fresh)[0] == "running"
    state, attempts, error, video_state = _job(app, hopeless)
    assert (state, attempts, video_state) == ("failed", 3, "failed")
    assert "stopped 3 times" in error


def test_backoff_grows_and_is_capped() -> None:
    assert [backoff(n) for n in range(7)] == [10, 20, 40, 80, 160, 300, 300]


def test_sweeper_is_scheduled(app: Flask) -> None:
    schedule = app.config["CELERY"]["beat_schedule"]
    tasks = [entry["task"] for entry in schedule.values()]
    assert "transcoder.sweep" in tasks and "uploads.clean_abandoned" in tasks


def test_dead_scratch_is_cleaned_live_scratch_is_kept(app: Flask) -> None:
    root = Path(app.config["SCRATCH_DIR"])
    root.mkdir(parents=True, exist_ok=True)
    dead_pid = subprocess.Popen(["true"])
    dead_pid.wait()
    dead = root / f"{dead_pid.pid}-j1a1-x"
    mine = root / f"{os.getpid()}-j2a1-y"
    dead.mkdir()
    mine.mkdir()
    with app.app_context():
        assert clean_dead_scratch() >= 1
    assert not dead.exists() and mine.exists()
    mine.rmdir()


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Long enough (150 s, about 11 s to encode on a quiet machine: ffmpeg 9 with the
    lecture settings is quick) that a transcode is caught mid-way."""
    path = tmp_path_factory.mktemp("long") / "class.mp4"
    return generate(path, seconds=150.0, width=640, height=360, fps=25)


def _start_doomed_worker(log: Path) -> subprocess.Popen:
    argv = [
        str(Path(sys.executable).parent / "celery"),
        "-A",
        "webapp.jobs.worker",
        "worker",
        "--pool=solo",
        "-Q",
        "doomed",
        "--hostname=doomed@%h",
        "--without-gossip",
        "--without-mingle",
        f"--logfile={log}",
    ]
    return subprocess.Popen(argv, cwd=ROOT, env=dict(os.environ))


def _wait(predicate, timeout: float, what: str) -> None:
    wait_until(predicate, timeout, f"timed out waiting for {what}", interval=0.2)


@dataclass(frozen=True)
class Seen:
    """One look of a learner's player at the video: the master playlist's status and
    variants, and the video's state just afterwards (API, as the learner sees it)."""

    status: int
    variants: tuple[str, ...]
    state: str | None


class LearnerView:
    """A signed-in learner's player polling the video's master playlist throughout."""

    def __init__(self, app: Flask, email: str, video_id: int) -> None:
        self.client = app.test_client()
        assert Auth(self.client).login(email).status_code == 302
        self.video_id = video_id
        self.seen: list[Seen] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> LearnerView:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.seen.append(self.look())
            self._stop.wait(0.3)

    def look(self) -> Seen:
        """Fetch the master playlist, then the video's state."""
        master = self.client.get(f"/videos/{self.video_id}/hls/master.m3u8", buffered=True)
        variants = ()
        if master.status_code == 200:
            variants = tuple(v.name for v in parse_master(master.get_data(as_text=True)))
        api = self.client.get(f"/api/v1/videos/{self.video_id}")
        state = api.get_json()["state"] if api.status_code == 200 else None
        return Seen(master.status_code, variants, state)


def test_killed_worker_job_is_recovered_and_preview_plays_early(
    app: Flask,
    client: FlaskClient,
    auth: Auth,
    make_user,
    celery_worker,
    long_clip: Path,
    instance_dir: Path,
    monkeypatch,
    tmp_path: Path,
) -> None:
    instructor = make_user("instructor")
    learner = make_user("learner")
    video_id, job_id = _queued_job(app, instructor.id, long_clip, "Recorded class")
    auth.login(learner.email)  # before the wait: the preview window is short
    doomed = _start_doomed_worker(instance_dir / "doomed.log")
    with LearnerView(app, learner.email, video_id) as view:
        try:
            app.extensions["celery"].send_task(jobs.TRANSCODE_TASK, args=[job_id], queue="doomed")

            def preview_ready() -> bool:
                with app.app_context():
                    return db.session.get(Video, video_id).preview_prefix is not None

            _wait(preview_ready, 90, "the early preview")
            # Progressive availability: a learner can already play the first segments.
            master = client.get(f"/videos/{video_id}/hls/master.m3u8", buffered=True)
            assert master.status_code == 200 and b"240p/index.m3u8" in master.data
            playlist = client.get(f"/videos/{video_id}/hls/240p/index.m3u8", buffered=True)
            assert b"#EXT-X-PLAYLIST-TYPE:EVENT" in playlist.data
            segment = client.get(f"/videos/{video_id}/hls/240p/seg_00000.ts", buffered=True)
            assert segment.status_code == 200 and segment.mimetype == "video/mp2t"
            # With its sound: the preview names the shared audio rendition, published too.
            assert b'AUDIO="audio"' in master.data and b"audio/index.m3u8" in master.data
            audio = client.get(f"/videos/{video_id}/hls/audio/index.m3u8", buffered=True)
            assert audio.status_code == 200 and b"seg_00000.ts" in audio.data
            assert "Early preview" in client.get("/").get_data(as_text=True)
            assert _job(app, job_id)[0] == "running"
            doomed.send_signal(signal.SIGKILL)
            doomed.wait(timeout=10)
        finally:
            if doomed.poll() is None:
                doomed.kill()
                doomed.wait()
        # Killed mid-encode: the video is not READY and no ladder is served.
        assert _job(app, job_id)[::3] == ("running", "processing")
        killed = view.look()
        assert killed.state != "ready" and len(killed.variants) <= 1

        # The periodic sweeper notices the silent worker and hands the job back; it is
        # delivered again, to the suite's worker this time.
        monkeypatch.setitem(app.config, "JOB_STALE_SECONDS", 0)
        with app.app_context():
            result = job_tasks.sweep.run()
        assert result["transcode"]["requeued"] == [job_id]
        job = wait_for_job(app, job_id, timeout=180)
        assert job.state == JobState.READY and job.attempts == 2

        # A look that fetched the master just before the switch and the state just after
        # sees the preview's one variant and "ready": wait for a look after the switch.
        def full_ladder_seen() -> bool:
            last = view.seen[-1] if view.seen else None
            return last is not None and last.state == "ready" and len(last.variants) > 1

        _wait(full_ladder_seen, 30, "the learner's view")

    with app.app_context():
        video = db.session.get(Video, video_id)
        assert video.state == VideoState.READY and video.preview_prefix is None
        ladder = tuple(sorted(r.name for r in video.renditions if r.height))
    # What the learner's player was served all along: the early preview (one variant)
    # or nothing while the video was not READY; the whole ladder only once READY.
    assert {seen.variants for seen in view.seen if seen.state != "ready"} <= {(), ("240p",)}
    assert {tuple(sorted(seen.variants)) for seen in view.seen if len(seen.variants) > 1} == {
        ladder
    }
    assert all(seen.state == "ready" for seen in view.seen if len(seen.variants) > 1)
    assert any(seen.variants == ("240p",) for seen in view.seen)  # it did see the preview
    assert_complete_ladder(app, video_id, tmp_path)
    # Only the published version is left: the killed attempt's preview is gone.
    wait_for_clean_storage(app, video_id)
    with app.app_context():
        assert clean_dead_scratch() == 1  # the killed worker's scratch directory
    playlist = client.get(f"/videos/{video_id}/hls/240p/index.m3u8", buffered=True)
    assert b"#EXT-X-PLAYLIST-TYPE:VOD" in playlist.data


def test_heartbeat_thread_keeps_a_quiet_job_alive(app: Flask, make_user, sample_clip) -> None:
    """Even when ffmpeg reports no progress, a running job keeps proving it is alive."""
    _video_id, job_id = _queued_job(app, make_user("instructor").id, sample_clip)
    long_ago = utcnow() - timedelta(hours=1)
    with app.app_context():
        jobs.claim(job_id, FIVE_MIN)
        db.session.get(TranscodeJob, job_id).heartbeat_at = long_ago
        db.session.commit()

        def fresh() -> bool:
            db.session.expire_all()
            job = db.session.get(TranscodeJob, job_id)
            db.session.rollback()
            return not jobs.is_stale(job, FIVE_MIN)

        with heartbeat(jobs.TRANSCODE, job_id, attempt=1, interval=0.05):
            _wait(fresh, 10, "a heartbeat")
        assert jobs.sweep(FIVE_MIN, FIVE_MIN, max_attempts=3)["transcode"].requeued == ()
