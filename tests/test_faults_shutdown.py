"""`make run` (``flask serve``) stops cleanly on Ctrl-C and on SIGTERM, with real processes.

While a recording is being transcoded, learners send heartbeats and one request is
still arriving, the stop signal goes to ``flask serve`` as a terminal or a service
manager sends it. Then: the request in flight is answered and stored, every
acknowledged heartbeat is in the database, the running transcode is stopped at once
and its job handed back to the queue (never left PROCESSING), no process or scratch
file is left behind, and ``flask serve`` exits 0. Started again, it finishes the job.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from celery import Celery
from flask import Flask
from sqlalchemy import create_engine, select, text

from tests.support.heartbeat_load import HeartbeatLoad, assert_no_acked_beat_lost
from tests.support.heartbeat_load import lecture_and_learners as lecture_and_tokens
from tests.support.paths import ROOT
from tests.support.ports import free_port
from tests.support.transcode import (
    assert_complete_ladder,
    stray_keys,
    wait_for_clean_storage,
    wait_for_job,
)
from tests.support.waiting import wait_until
from transcoder.synth import generate
from webapp import jobs
from webapp.auth.services import issue_token
from webapp.extensions import db
from webapp.models import TranscodeJob, User, WatchProgress
from webapp.uploads.services import ingest

pytestmark = pytest.mark.worker

START_TIMEOUT = 120.0
STOP_TIMEOUT = 60.0  # STOP_GRACE_SECONDS (20) plus a generous margin for a loaded machine


def _wait(predicate: Callable[[], bool], what: str, timeout: float = 120) -> None:
    wait_until(predicate, timeout, f"timed out waiting for {what}", interval=0.2)


@pytest.fixture(scope="module")
def class_recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """150 s (about 11 s to encode on a quiet machine): the stop comes a few seconds into
    the encode (once the first segment is out), so most of it is still to do; short
    enough to encode again within the test."""
    path = tmp_path_factory.mktemp("shutdown") / "class.mp4"
    return generate(path, seconds=150.0, width=640, height=360, fps=25)


class DevServer:
    """``flask --app webapp serve`` on the suite's database and media, with a private
    instance directory (scratch, beat schedule) and a private queue (a SQLite broker), so
    no other worker of the suite can take its jobs."""

    def __init__(self, app: Flask, instance: Path) -> None:
        self.instance = instance
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = instance / "serve.log"
        self.env = {
            **os.environ,
            "LEARNSTREAM_INSTANCE": str(instance),
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "MEDIA_ROOT": app.config["MEDIA_ROOT"],
            "CELERY_BROKER_URL": f"sqla+sqlite:///{instance / 'celery.sqlite'}",
            "SWEEP_INTERVAL_SECONDS": "3600",
        }
        self.proc: subprocess.Popen | None = None

    def dispatch(self, job_id: int, monkeypatch: pytest.MonkeyPatch) -> None:
        """Put the job on this server's queue (Celery reads the broker from the
        environment first, so it is set there for the call)."""
        broker = self.env["CELERY_BROKER_URL"]
        with monkeypatch.context() as patch:
            patch.setenv("CELERY_BROKER_URL", broker)
            sender = Celery("faults-shutdown", broker=broker, set_as_current=False)
            try:
                sender.send_task(jobs.TRANSCODE_TASK, args=[job_id])
            finally:
                sender.close()

    def start(self) -> None:
        """Start it in a session of its own (as a shell starts a foreground job) and wait
        until the web answers and the worker is ready."""
        offset = self.log.stat().st_size if self.log.exists() else 0
        argv = [str(Path(sys.executable).parent / "flask"), "--app", "webapp", "serve"]
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [*argv, "--port", str(self.port)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _wait(lambda: "ready." in self.output(offset), "the worker", START_TIMEOUT)
        _wait(self._healthy, "the web server", START_TIMEOUT)

    def _healthy(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"flask serve exited:\n{self.output()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=10) as response:  # noqa: S310
                return response.status == 200
        except OSError:
            return False

    def output(self, offset: int = 0) -> str:
        """What web and worker printed since ``offset``."""
        with self.log.open("rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")

    def stop(self, signum: int) -> None:
        """Ctrl-C goes to the terminal's whole foreground process group; SIGTERM (a
        service manager, ``kill``) to the process."""
        if signum == signal.SIGINT:
            os.killpg(self.proc.pid, signal.SIGINT)
        else:
            self.proc.send_signal(signum)

    def wait(self) -> int:
        """Its exit status (fails the test if it does not exit in time)."""
        try:
            return self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"flask serve did not stop:\n{self.output()[-3000:]}") from None

    def leftovers(self) -> list[str]:
        """Processes still running that belong to this server: its web server (by port),
        its worker and any ffmpeg (by the instance directory in their command lines)."""
        needles = (f"127.0.0.1:{self.port}".encode(), str(self.instance).encode())
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if any(needle in cmdline for needle in needles):
                words = cmdline.replace(b"\0", b" ").decode(errors="replace")
                found.append(f"{entry.name}: {words[:200]}")
        return found

    def kill(self) -> None:
        """Clean-up after a failed test: the whole group and the children's sessions."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        for line in self.leftovers():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(line.split(":", 1)[0]), signal.SIGKILL)


@pytest.fixture
def devserver(app: Flask, tmp_path: Path) -> Iterator[DevServer]:
    instance = tmp_path / "instance"
    instance.mkdir()
    server = DevServer(app, instance)
    try:
        yield server
    finally:
        server.kill()


class SlowRequest:
    """A heartbeat whose body is still arriving: headers and half the body now, the rest
    on :meth:`finish`."""

    def __init__(self, base_url: str, video_id: int, token: str) -> None:
        host, port = base_url.removeprefix("http://").split(":")
        self.body = json.dumps(
            {"position": 5.0, "played": [[0.0, 5.0]], "session": "slow", "seq": 1}
        ).encode()
        self.conn = http.client.HTTPConnection(host, int(port), timeout=60)
        self.conn.putrequest("PUT", f"/api/v1/videos/{video_id}/progress")
        self.conn.putheader("Authorization", f"Bearer {token}")
        self.conn.putheader("Content-Type", "application/json")
        self.conn.putheader("Content-Length", str(len(self.body)))
        self.conn.endheaders()
        self.conn.send(self.body[:10])

    def finish(self) -> tuple[int, dict]:
        """Send the rest; the answer's status and JSON."""
        try:
            self.conn.send(self.body[10:])
            response = self.conn.getresponse()
            return response.status, json.loads(response.read())
        finally:
            self.conn.close()


def _queue_job(app: Flask, owner_id: int, source: Path) -> tuple[int, int]:
    with app.app_context():
        video, job = ingest(source, title="Long class", owner=db.session.get(User, owner_id))
        db.session.commit()
        return video.id, job.id


def _job(app: Flask, job_id: int) -> tuple[str, str, str | None, bool]:
    """Job state, video state, job error, and whether the early preview is up."""
    with app.app_context():
        job = db.session.get(TranscodeJob, job_id)
        return job.state, job.video.state, job.error, job.video.preview_prefix is not None


def _stored_ranges(app: Flask, user_id: int, video_id: int) -> list[list[float]]:
    with app.app_context():
        row = db.session.scalar(
            select(WatchProgress).where(
                WatchProgress.user_id == user_id, WatchProgress.video_id == video_id
            )
        )
        return row.intervals if row else []


def _queued_messages(server: DevServer) -> int:
    """Messages waiting in the server's private queue (the SQLite broker's table)."""
    engine = create_engine(server.env["CELERY_BROKER_URL"].removeprefix("sqla+"))
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT COUNT(*) FROM kombu_message WHERE visible")).scalar()
    finally:
        engine.dispose()


def _stop_mid_transcode(
    app: Flask, server: DevServer, signum: int, make_user, source: Path, monkeypatch
) -> tuple[int, int]:
    """Start the server and a transcode, stop the server while ffmpeg runs, heartbeats
    flow and a request is in flight; check everything a clean stop promises."""
    video_id, job_id = _queue_job(app, make_user("instructor").id, source)
    lecture_id, tokens = lecture_and_tokens(app, learners=2)
    slow_learner = make_user("learner").id
    with app.app_context():
        slow_token = issue_token(db.session.get(User, slow_learner), days=1)
        db.session.commit()
    server.start()
    server.dispatch(job_id, monkeypatch)
    _wait(lambda: _job(app, job_id)[3], "the encode to be under way (early preview)")

    offset = len(server.output())
    with HeartbeatLoad(server.base_url, lecture_id, tokens) as load:
        load.wait_for(True, 10, "heartbeats before the stop")
        slow = SlowRequest(server.base_url, lecture_id, slow_token)
        server.stop(signum)
        # Both gunicorn workers got SIGTERM once the idle one has exited; the other one
        # waits for the slow request, which only now completes.
        _wait(lambda: "Worker exiting" in server.output(offset), "the web server's shutdown")
        status, answer = slow.finish()
        assert server.wait() == 0, server.output(offset)[-3000:]

    assert status == 200, answer
    assert _stored_ranges(app, slow_learner, lecture_id) == [[0.0, 5.0]]
    assert_no_acked_beat_lost(app, lecture_id, load)
    assert server.leftovers() == []
    state, video_state, error, preview = _job(app, job_id)
    assert (state, video_state, preview) == ("queued", "uploaded", False)
    assert "worker was stopped" in error
    assert "handing it back" in server.output(offset)
    assert list((server.instance / "scratch").iterdir()) == []
    assert stray_keys(app, video_id) == []  # the interrupted attempt's preview is gone
    return video_id, job_id


def test_ctrl_c_stops_web_and_worker_cleanly_and_the_job_runs_again(
    app: Flask,
    devserver: DevServer,
    make_user,
    class_recording: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    video_id, job_id = _stop_mid_transcode(
        app, devserver, signal.SIGINT, make_user, class_recording, monkeypatch
    )

    devserver.start()  # the job went back to the queue: the new worker finishes it
    job = wait_for_job(app, job_id, timeout=240)
    assert job.state == "ready" and job.attempts == 2, job.error
    assert_complete_ladder(app, video_id, tmp_path)
    wait_for_clean_storage(app, video_id)
    devserver.stop(signal.SIGTERM)
    assert devserver.wait() == 0
    assert devserver.leftovers() == []


def test_sigterm_stops_web_and_worker_cleanly_and_hands_the_job_back(
    app: Flask,
    devserver: DevServer,
    make_user,
    class_recording: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _stop_mid_transcode(app, devserver, signal.SIGTERM, make_user, class_recording, monkeypatch)
    assert _queued_messages(devserver) == 1  # redelivered as soon as a worker starts
