"""The app rides out a restart of PostgreSQL or Redis without a restart of its own.

Every test here runs its own server (a throwaway PostgreSQL cluster, a private
redis-server) on a free loopback port, so the machine's shared services are never
touched and the tests can run in parallel with the rest of the suite. Under heartbeat
load (real HTTP to a live server, through the batched writer) a restart may make
beats fail with 503, but every beat that was acknowledged is in the database.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from tests.support import factories
from tests.support.heartbeat_load import (
    HeartbeatLoad,
    assert_no_acked_beat_lost,
    lecture_and_learners,
)
from tests.support.liveserver import serve
from tests.support.ports import free_port
from tests.support.waiting import wait_until
from webapp import create_app, jobs
from webapp.extensions import db
from webapp.progress.writer import EXTENSION as WRITER_EXTENSION

ROOT = Path(__file__).resolve().parent.parent
PG_BINARIES = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
REDIS_SERVER = shutil.which("redis-server")
QUEUE = "celery"  # Celery's default queue: the Redis list the transcode ids are pushed to


def _wait_until(predicate: Callable[[], bool], what: str, timeout: float = 60) -> None:
    wait_until(predicate, timeout, f"gave up waiting for {what}", interval=0.2)


# --------------------------------------------------------------------------- PostgreSQL


class PgCluster:
    """A private PostgreSQL cluster (trust auth, loopback only) run as user postgres."""

    def __init__(self, root: Path) -> None:
        self.bindir = PG_BINARIES[-1].parent
        self.data = root / "data"
        self.log = root / "server.log"
        self.root = root
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self.options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off"
            f" -c unix_socket_directories={self.root}"
        )

    def _as_postgres(self, tool: str, *args: str) -> None:
        argv = ["runuser", "-u", "postgres", "--", str(self.bindir / tool), *args]
        subprocess.run(argv, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        """initdb and start; returns once the server accepts connections."""
        self._as_postgres("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-N")
        self.resume()

    def resume(self) -> None:
        """Start the (initialised, stopped) server; returns once it accepts connections."""
        self._as_postgres(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", self.options, "-w", "start"
        )

    def halt(self) -> None:
        """A fast shutdown, as for maintenance: connections are cut, new ones refused."""
        self._as_postgres("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        """A fast restart: every open connection is terminated."""
        self._as_postgres(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-m", "fast", "-w", "restart"
        )

    def stop(self) -> None:
        """Stop the server (immediate; its data is thrown away)."""
        self._as_postgres("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """A throwaway cluster with Debian's binaries, in a temp dir owned by postgres."""
    if not PG_BINARIES or shutil.which("runuser") is None:
        pytest.skip("PostgreSQL server binaries (/usr/lib/postgresql/*/bin) are not installed")
    root = Path(tempfile.mkdtemp(prefix="learnstream-pg-"))
    shutil.chown(root, "postgres", "postgres")
    cluster = PgCluster(root)
    try:
        cluster.start()
        yield cluster
    finally:
        if (cluster.data / "postmaster.pid").exists():
            cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_app(instance_dir: Path, pg_cluster: PgCluster) -> Iterator[Flask]:
    """The app, with its configured engine options, on the private cluster, migrated."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": pg_cluster.url})
    with app.app_context():
        upgrade()
    yield app
    _close(app)


def _close(app: Flask) -> None:
    """Stop the app's heartbeat writer (it holds a connection) and its pool."""
    writer = app.extensions.get(WRITER_EXTENSION)
    if writer is not None:
        writer.close()
    with app.app_context():
        db.engine.dispose()


def _token_and_read(client: FlaskClient, user: factories.UserInfo) -> None:
    """A write (issue an API token) and an authenticated read (token lookup, paths)."""
    response = client.post("/api/v1/tokens", json={"email": user.email, "password": user.password})
    assert response.status_code == 201, response.get_data(as_text=True)
    bearer = {"Authorization": f"Bearer {response.get_json()['token']}"}
    response = client.get("/api/v1/me/paths", headers=bearer)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"paths": []}


def test_requests_succeed_right_after_a_postgresql_restart(
    pg_app: Flask, pg_cluster: PgCluster
) -> None:
    user = factories.create_user(pg_app, "learner")
    client = pg_app.test_client()
    _token_and_read(client, user)
    with pg_app.app_context():
        pooled = db.engine.pool.checkedin()
    assert pooled >= 1  # the next request reuses a connection the restart will cut

    pg_cluster.restart()

    _token_and_read(client, user)  # the very first request after the restart included
    assert client.get("/healthz").get_json()["checks"]["database"] == "ok"


# --------------------------------------------------------------------------- Redis


class RedisServer:
    """A private redis-server without persistence: a restart starts it empty."""

    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = root / "redis.log"
        self.proc: subprocess.Popen | None = None

    def client(self) -> redis.Redis:
        """A plain client, for looking at the queue (use it in a ``with`` block)."""
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def start(self) -> None:
        """Start on the fixed port; returns once it answers PING."""
        argv = [
            REDIS_SERVER,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--logfile",
            str(self.log),
        ]
        self.proc = subprocess.Popen(argv)
        _wait_until(self._answers, f"redis-server on port {self.port}")

    def _answers(self) -> bool:
        try:
            with self.client() as client:
                return client.ping()
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        """Kill the server (no clean shutdown, like a crashed or rebooted host)."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=30)
            self.proc = None

    def restart(self) -> None:
        """Kill, then start again on the same port."""
        self.stop()
        self.start()

    def queued_job_ids(self) -> list[int]:
        """Job ids of the transcode messages waiting in the Celery queue."""
        ids = []
        with self.client() as client:
            raw_messages = client.lrange(QUEUE, 0, -1)
        for raw in raw_messages:
            message = json.loads(raw)
            assert message["headers"]["task"] == jobs.TRANSCODE_TASK
            args = json.loads(base64.b64decode(message["body"]))[0]
            ids.extend(args)
        return ids


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of this test's own on a free port."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        if server.proc is not None and server.proc.poll() is None:
            server.proc.send_signal(signal.SIGCONT)  # in case a test left it frozen
        server.stop()


@pytest.fixture
def redis_app(
    instance_dir: Path, tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Flask]:
    """The app with its configured Celery settings on the private Redis, and a SQLite
    database of its own (migrated, so a worker can look jobs up)."""
    # Celery reads CELERY_BROKER_URL from the environment on every use, over its config.
    monkeypatch.setenv("CELERY_BROKER_URL", redis_server.url)
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'app.sqlite'}"}
    )
    with app.app_context():
        upgrade()
    yield app
    app.extensions["celery"].close()
    with app.app_context():
        db.engine.dispose()


def _dispatch(app: Flask, job_id: int) -> bool:
    with app.app_context():
        return jobs.dispatch(job_id)


def test_dispatch_works_after_a_redis_restart(redis_app: Flask, redis_server: RedisServer) -> None:
    assert _dispatch(redis_app, 41)
    assert redis_server.queued_job_ids() == [41]

    redis_server.restart()  # the app's pooled broker connection is now dead

    assert redis_server.queued_job_ids() == []
    assert _dispatch(redis_app, 42)
    assert redis_server.queued_job_ids() == [42]


def test_dispatch_reports_a_stopped_redis_and_recovers(
    redis_app: Flask, redis_server: RedisServer
) -> None:
    assert _dispatch(redis_app, 1)
    redis_server.stop()

    assert _dispatch(redis_app, 2) is False  # the job stays QUEUED; the sweeper resends it

    redis_server.start()
    assert _dispatch(redis_app, 3)
    assert redis_server.queued_job_ids() == [3]


def test_dispatch_gives_up_on_a_frozen_redis(redis_app: Flask, redis_server: RedisServer) -> None:
    """A broker that accepts TCP but never answers (frozen process, half-open link)
    must not hold the upload request forever: the publish times out."""
    assert _dispatch(redis_app, 1)
    result: list[bool] = []
    redis_server.proc.send_signal(signal.SIGSTOP)
    try:
        sender = threading.Thread(target=lambda: result.append(_dispatch(redis_app, 2)))
        sender.start()
        sender.join(timeout=60)  # far above the configured socket timeout
        frozen_forever = sender.is_alive()
    finally:
        redis_server.proc.send_signal(signal.SIGCONT)
    sender.join(timeout=30)
    assert not frozen_forever, "dispatch blocked on the frozen broker"
    assert result == [False]
    assert _dispatch(redis_app, 3)


def _received(log: Path, job_id: int) -> bool:
    return log.exists() and f"job {job_id} is unknown" in log.read_text()


@pytest.mark.worker
def test_worker_consumes_again_after_a_redis_restart(
    redis_app: Flask, redis_server: RedisServer, tmp_path: Path
) -> None:
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": redis_app.config["SQLALCHEMY_DATABASE_URI"],
        "LEARNSTREAM_INSTANCE": str(tmp_path / "worker-instance"),
    }
    argv = [
        str(Path(sys.executable).parent / "celery"),
        "-A",
        "webapp.jobs.worker",
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        f"--logfile={log}",
    ]
    worker = subprocess.Popen(argv, cwd=ROOT, env=env)
    try:
        _wait_until(lambda: log.exists() and "ready." in log.read_text(), "the worker")
        assert _dispatch(redis_app, 9001)  # ids of no job: the worker logs and drops them
        _wait_until(lambda: _received(log, 9001), "job 9001 at the worker")

        redis_server.restart()

        assert _dispatch(redis_app, 9002)
        _wait_until(lambda: _received(log, 9002), "job 9002 at the worker", timeout=120)
        assert worker.poll() is None
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


# --------------------------------------------------------------------------- heartbeat load


@pytest.fixture(scope="session")
def pg_live(pg_app: Flask) -> Iterator[str]:
    """``pg_app`` over real HTTP (threaded), for as long as the session runs."""
    with serve(pg_app) as base_url:
        yield base_url


def test_no_acknowledged_heartbeat_is_lost_when_postgresql_restarts(
    pg_app: Flask, pg_cluster: PgCluster, pg_live: str
) -> None:
    video_id, tokens = lecture_and_learners(pg_app)
    with HeartbeatLoad(pg_live, video_id, tokens) as load:
        load.wait_for(True, 30, "heartbeats before the restart")
        pg_cluster.halt()
        try:
            down = len(load.beats())
            load.wait_for(False, 6, "heartbeats refused while PostgreSQL is down", since=down)
        finally:
            pg_cluster.resume()
        back = len(load.beats())
        load.wait_for(True, 30, "heartbeats acknowledged after the restart", since=back)

    refused = {beat.status for beat in load.beats() if not beat.acked}
    assert refused == {503}, refused  # "send it again", never a 500 or a dropped line
    assert_no_acked_beat_lost(pg_app, video_id, load)
    client = pg_app.test_client()
    assert client.get("/healthz").get_json()["checks"]["database"] == "ok"


@pytest.fixture
def pg_redis_app(
    pg_app: Flask, pg_cluster: PgCluster, redis_server: RedisServer, monkeypatch
) -> Iterator[Flask]:
    """The app on the private PostgreSQL cluster with its broker on the private Redis.

    ``pg_app`` is asked for because it migrates the cluster: under xdist this test may be
    the first of its process to use it."""
    monkeypatch.setenv("CELERY_BROKER_URL", redis_server.url)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": pg_cluster.url})
    yield app
    app.extensions["celery"].close()
    _close(app)


def test_heartbeats_do_not_depend_on_redis_and_the_queue_recovers(
    pg_redis_app: Flask, redis_server: RedisServer
) -> None:
    app = pg_redis_app
    video_id, tokens = lecture_and_learners(app)
    with serve(app) as base_url, HeartbeatLoad(base_url, video_id, tokens) as load:
        load.wait_for(True, 30, "heartbeats before the Redis outage")
        redis_server.stop()
        try:
            down = len(load.beats())
            health = urllib.request.Request(f"{base_url}/healthz")
            with pytest.raises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(health, timeout=30)  # noqa: S310 (loopback)
            caught.value.close()  # an HTTPError holds the response's socket
            assert caught.value.code == 503
            assert _dispatch(app, 7) is False  # the job would stay QUEUED for the sweeper
            load.wait_for(True, 30, "heartbeats while Redis is down", since=down)
        finally:
            redis_server.start()
        back = len(load.beats())
        load.wait_for(True, 30, "heartbeats after the Redis restart", since=back)
        assert _dispatch(app, 8)
        assert redis_server.queued_job_ids() == [8]

    assert load.count(False) == 0
    assert_no_acked_beat_lost(app, video_id, load)
    assert app.test_client().get("/healthz").get_json()["status"] == "ok"
