"""`make run` (``flask serve``) stops cleanly on Ctrl-C and on SIGTERM, with real processes.

While a recording is being transcoded, learners send heartbeats and one request is
still arriving, the stop signal goes to ``flask serve`` as a terminal or a service
manager sends it. Then: the request in flight is answered and stored, every
acknowledged heartbeat is in the database, the running transcode is stopped at once
and its job handed back to the queue (never left PROCESSING), no process or scratch
file is left behind, and ``flask serve`` exits 0. Started again, it finishes the job.
"""

from __future__ import annotations

import http.client
import json
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, select, text

from tests.support.devserver import DevServer, dev_server, long_class
from tests.support.heartbeat_load import HeartbeatLoad, assert_no_acked_beat_lost
from tests.support.heartbeat_load import lecture_and_learners as lecture_and_tokens
from tests.support.transcode import (
    assert_complete_ladder,
    stray_keys,
    wait_for_clean_storage,
    wait_for_job,
)
from tests.support.waiting import wait_until
from webapp.auth.services import issue_token
from webapp.extensions import db
from webapp.models import TranscodeJob, User, WatchProgress
from webapp.uploads.services import ingest

pytestmark = pytest.mark.worker


def _wait(predicate: Callable[[], bool], what: str, timeout: float = 120) -> None:
    wait_until(predicate, timeout, f"timed out waiting for {what}", interval=0.2)


@pytest.fixture(scope="module")
def class_recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The class a worker is stopped or killed in the middle of."""
    return long_class(tmp_path_factory.mktemp("shutdown"))


@pytest.fixture
def devserver(app: Flask, tmp_path: Path) -> Iterator[DevServer]:
    with dev_server(app, tmp_path) as server:
        yield server


class SlowRequest:
    """A heartbeat whose body is still arriving: headers and half the body now, the rest
    on :meth:`finish`."""

    def __init__(self, base_url: str, video_id: int, token: str, grant: str) -> None:
        host, port = base_url.removeprefix("http://").split(":")
        self.body = json.dumps(
            {"position": 0.02, "played": [[0.0, 0.02]], "session": "slow", "seq": 1}
        ).encode()
        self.conn = http.client.HTTPConnection(host, int(port), timeout=60)
        self.conn.putrequest("PUT", f"/api/v1/videos/{video_id}/progress")
        self.conn.putheader("Authorization", f"Bearer {token}")
        # Its watch session began with the grant of a progress read (docs/api.md).
        self.conn.putheader("X-Heartbeat-Grant", grant)
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


def _grant(base_url: str, video_id: int, token: str) -> str:
    """The heartbeat grant a progress read hands out: it starts a watch session."""
    host, port = base_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        conn.request(
            "GET",
            f"/api/v1/videos/{video_id}/progress",
            headers={"Authorization": f"Bearer {token}"},
        )
        response = conn.getresponse()
        body = response.read()
        assert response.status == 200, body
        return response.headers["X-Heartbeat-Grant"]
    finally:
        conn.close()


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
    # The slow beat's session starts before the load's, which waits between its beats:
    # more than enough wall time for the 0.02 s the slow beat reports.
    slow_grant = _grant(server.base_url, lecture_id, slow_token)
    with HeartbeatLoad(server.base_url, lecture_id, tokens) as load:
        load.wait_for(True, 10, "heartbeats before the stop")
        slow = SlowRequest(server.base_url, lecture_id, slow_token, slow_grant)
        server.stop(signum)
        # Both granian workers log their stop once they got SIGTERM; the one holding the
        # slow request waits for it, which only now completes.
        _wait(
            lambda: server.output(offset).count("Stopping worker-") == 2,
            "the web server's shutdown",
        )
        status, answer = slow.finish()
        assert server.wait() == 0, server.output(offset)[-3000:]

    assert status == 200, answer
    assert _stored_ranges(app, slow_learner, lecture_id) == [[0.0, 0.02]]
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
