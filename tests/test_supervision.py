"""`make run` (``flask serve``) keeps web and worker running, with real processes.

A worker killed with SIGKILL mid-transcode: the web server keeps answering, the worker's
ffmpeg and embedded beat die with it, a new worker starts after the back-off, and the
sweeper it runs hands the job back so that it finishes; no process or scratch directory
of the dead worker is left. A dead web server is restarted the same way; one that cannot
even start (its port is taken) stops ``flask serve`` with an error instead.
"""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.support.devserver import DevServer, children, dev_server, long_class, running
from tests.support.jobs import queued_job
from tests.support.transcode import assert_complete_ladder, wait_for_job
from tests.support.waiting import wait_until
from webapp.cli.supervisor import Backoff, group_alive
from webapp.extensions import db
from webapp.models import JobState, TranscodeJob

pytestmark = pytest.mark.worker

# A silent job is handed back after 10 s (the worker beats every 2 s), swept every 2 s.
FAST_RECOVERY = {"JOB_STALE_SECONDS": "10", "SWEEP_INTERVAL_SECONDS": "2"}


def _wait(predicate: Callable[[], object], what: str, timeout: float = 120) -> None:
    wait_until(predicate, timeout, f"timed out waiting for {what}", interval=0.2)


@pytest.fixture(scope="module")
def class_recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The class a worker is stopped or killed in the middle of."""
    return long_class(tmp_path_factory.mktemp("supervision"))


@pytest.fixture
def devserver(app: Flask, tmp_path: Path) -> Iterator[DevServer]:
    with dev_server(app, tmp_path, **FAST_RECOVERY) as server:
        yield server


def _job(app: Flask, job_id: int) -> tuple[str, int]:
    with app.app_context():
        job = db.session.get(TranscodeJob, job_id)
        return job.state, job.attempts


def test_backoff_doubles_to_its_cap_and_starts_over_after_a_stable_run() -> None:
    backoff = Backoff(initial=1.0, cap=30.0, stable_after=60.0)
    assert [backoff.delay(uptime=2.0) for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    assert backoff.delay(uptime=61.0) == 1.0
    assert backoff.delay(uptime=2.0) == 2.0


def test_a_killed_worker_is_restarted_its_ffmpeg_dies_and_its_job_finishes(
    app: Flask,
    devserver: DevServer,
    make_user,
    class_recording: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    video_id, job_id = queued_job(app, make_user("instructor").id, class_recording)
    devserver.start()
    [worker] = devserver.pids("worker")
    devserver.dispatch(job_id, monkeypatch)
    # Read once, in the wait: on a busy machine a short ffmpeg run (the analysis before
    # the encode) can end between a second look and the first.
    seen: list[int] = []
    _wait(lambda: seen.extend(children(worker, "ffmpeg")) or seen, "the worker's ffmpeg")
    assert _job(app, job_id) == (JobState.RUNNING, 1)
    scratch = devserver.instance / "scratch"
    assert [p.name.split("-")[0] for p in scratch.iterdir()] == [str(worker)]
    ready_before = devserver.output().count(" ready.")

    os.kill(worker, signal.SIGKILL)  # kill -9, as in the incident: no clean-up runs

    # ffmpeg and the embedded beat die with the worker, the web server keeps serving.
    _wait(lambda: not any(map(running, seen)), "the dead worker's ffmpeg to die")
    _wait(lambda: not group_alive(worker), "the rest of its process group (beat) to die")
    assert devserver.healthy()
    _wait(lambda: len(devserver.pids("worker")) == 2, "a new worker")
    new_worker = devserver.pids("worker")[1]
    assert new_worker != worker and "worker exited unexpectedly" in devserver.output()
    _wait(lambda: devserver.output().count(" ready.") > ready_before, "the new worker's start")
    assert running(new_worker) and devserver.healthy()
    assert len(devserver.pids("web")) == 1  # the web server was never restarted

    # The new worker's beat sweeps: the silent job is handed back and runs again.
    job = wait_for_job(app, job_id, timeout=300)
    assert (job.state, job.attempts) == (JobState.READY, 2), job.error
    assert_complete_ladder(app, video_id, tmp_path)
    assert list(scratch.iterdir()) == []  # nothing recreated the dead worker's scratch
    assert devserver.healthy()

    devserver.stop(signal.SIGTERM)
    assert devserver.wait() == 0
    assert devserver.leftovers() == []


def test_a_killed_web_server_is_restarted_and_the_worker_keeps_running(
    devserver: DevServer,
) -> None:
    devserver.start()
    [web] = devserver.pids("web")
    [worker] = devserver.pids("worker")
    granian_workers = children(web, "")
    assert granian_workers

    os.kill(web, signal.SIGKILL)

    _wait(lambda: not any(running(pid) for pid in granian_workers), "granian's workers to die")
    _wait(lambda: len(devserver.pids("web")) == 2, "a new web server")
    _wait(devserver.healthy, "the new web server to answer")
    assert running(worker) and devserver.pids("worker") == [worker]

    devserver.stop(signal.SIGTERM)
    assert devserver.wait() == 0
    assert devserver.leftovers() == []


def test_a_web_server_that_cannot_start_stops_everything(devserver: DevServer) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", devserver.port))
        taken.listen()
        devserver.launch()
        assert devserver.wait() == 1
    assert "web exited right after it started" in devserver.output()
    assert devserver.leftovers() == []
