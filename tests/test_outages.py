"""Bounded under outages (docs/security.md): a database or object store that is away or
slow costs a request a few seconds and a 503 with Retry-After, never minutes; streamed
media holds no database connection; the heartbeat queue is bounded, and beats kept
through a database outage are stored after it with the credit honest playback earned.

Outages are real: a database that refuses connections (a closed port for PostgreSQL, a
file that cannot be opened for SQLite), a store on a closed port, ``pg_sleep`` past the
statement timeout.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError

import config
from tests.support import factories
from tests.support.auth import sign_in
from tests.support.factories import bearer_headers
from tests.support.ports import free_port
from tests.support.s3server import S3Server
from tests.support.waiting import wait_until
from webapp import create_app
from webapp.dbsetup import database_unavailable
from webapp.extensions import db
from webapp.models import Video, WatchProgress
from webapp.models.base import utcnow
from webapp.models.progress import WatchDay
from webapp.progress.beats import PLAYER_MAX_RATE, Beat
from webapp.progress.rows import ModuleKey
from webapp.progress.store import Pending
from webapp.progress.writer import (
    EXTENSION,
    BeatWriter,
    WriterFull,
    WriterOutage,
    sqlite_immediate,
)
from webapp.storage import get_storage

SHARE = 0.9


def _url(app: Flask) -> str:
    with app.app_context():
        return db.engine.url.render_as_string(hide_password=False)


def _unreachable_url(app: Flask) -> str:
    """The suite's database, but where nothing answers."""
    url = make_url(_url(app))
    if url.get_backend_name() == "sqlite":
        return "sqlite:////nonexistent-learnstream-dir/db.sqlite"
    return url.set(host="127.0.0.1", port=free_port()).render_as_string(hide_password=False)


def _app(**overrides: Any) -> Flask:
    """Another web process of the suite's instance; unexpected errors become 500s."""
    return create_app({"TESTING": True, "PROPAGATE_EXCEPTIONS": False, **overrides})


# --------------------------------------------------------------------------- settings


def test_engine_options_bound_every_wait() -> None:
    pg = "postgresql+psycopg://u@db/learnstream"
    web = config.engine_options({"WEB_THREADS": "16"}, pg)
    assert (web["pool_size"], web["max_overflow"], web["pool_timeout"]) == (16, 4, 10)
    assert web["connect_args"] == {"connect_timeout": 5, "options": "-c statement_timeout=30000"}
    worker = config.worker_overrides({"DATABASE_URL": "postgresql://u@db/learnstream"})
    options = worker["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["options"]
    assert options == "-c statement_timeout=600000"  # report exports and sweeps run longer
    defaults = config.load_settings({"LEARNSTREAM_INSTANCE": "/tmp/ls-outages"})
    assert defaults["SQLALCHEMY_ENGINE_OPTIONS"]["pool_size"] == 32  # granian's threads
    assert "connect_args" not in defaults["SQLALCHEMY_ENGINE_OPTIONS"]  # SQLite: busy_timeout


def test_the_web_s3_client_retries_for_seconds_the_worker_longer(s3_server: S3Server) -> None:
    web = _app(**s3_server.settings(), STORAGE_BACKEND="s3")
    worker = _app(**s3_server.settings(), STORAGE_BACKEND="s3", **config.worker_overrides())
    with web.app_context():
        web_config = get_storage().client.meta.config  # type: ignore[attr-defined]
    with worker.app_context():
        worker_config = get_storage().client.meta.config  # type: ignore[attr-defined]
    assert web_config.retries == {"total_max_attempts": 2, "mode": "standard"}
    assert (web_config.connect_timeout, web_config.read_timeout) == (2, 5)
    assert worker_config.retries["total_max_attempts"] == 5
    assert worker_config.read_timeout == 60


# --------------------------------------------------------------------------- database


def test_statement_timeout_fires(app: Flask) -> None:
    url = _url(app)
    if make_url(url).get_backend_name() != "postgresql":
        pytest.skip("statement_timeout is PostgreSQL's (SQLite waits busy_timeout for a lock)")
    options = config.engine_options({"DB_STATEMENT_TIMEOUT_MS": "200"}, url)
    engine = create_engine(url, **options)
    try:
        with engine.connect() as conn, pytest.raises(OperationalError) as caught:
            conn.execute(text("SELECT pg_sleep(30)"))
    finally:
        engine.dispose()
    assert caught.value.orig is not None and caught.value.orig.sqlstate == "57014"
    assert database_unavailable(caught.value)


def test_an_unreachable_database_is_503_with_retry_after(app: Flask) -> None:
    down = _app(SQLALCHEMY_DATABASE_URI=_unreachable_url(app))
    client = down.test_client()
    api = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
    assert api.status_code == 503, api.get_data(as_text=True)
    assert api.headers["Retry-After"] == "5"
    assert api.mimetype == "application/problem+json" and api.get_json()["status"] == 503
    page = client.get("/programs")
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert page.mimetype == "text/html" and "unavailable" in page.get_data(as_text=True)
    with down.app_context():
        db.engine.dispose()


def test_a_database_error_that_is_a_bug_is_no_outage(app: Flask) -> None:
    """A wrong statement (SQLite calls it an OperationalError too) is not answered 503."""
    with app.app_context(), pytest.raises(DBAPIError) as caught:
        db.session.execute(text("SELECT no_such_column FROM no_such_table"))
    exc = caught.value
    assert not (isinstance(exc, OperationalError) and database_unavailable(exc))


# --------------------------------------------------------------------------- object store


def test_an_unreachable_store_is_503_with_retry_after(app: Flask, s3_server: S3Server) -> None:
    settings = {**s3_server.settings(), "STORAGE_BACKEND": "s3"}
    settings["S3_ENDPOINT_URL"] = f"http://127.0.0.1:{free_port()}"  # nothing listens
    down = _app(**settings)
    owner, learner = factories.create_user(app, "instructor"), factories.create_user(app)
    video_id = factories.listed_video(app, owner.id, "Away")
    with app.app_context():
        db.session.get(Video, video_id).poster_key = f"videos/{video_id}/poster.jpg"
        db.session.commit()
    client = down.test_client()
    response = client.get(f"/videos/{video_id}/poster.jpg", headers=bearer_headers(down, learner))
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.mimetype == "text/html"
    with down.app_context():
        assert get_storage().client.meta.config.retries["total_max_attempts"] == 2  # type: ignore[attr-defined]
        db.engine.dispose()


# --------------------------------------------------------------------------- streaming


@pytest.mark.parametrize("backend", ["local", "s3"])
def test_streamed_media_holds_no_database_connection(
    app: Flask, s3_server: S3Server, tmp_path: Path, backend: str
) -> None:
    """A signed-in viewer reading a large object slowly: while its body streams (local
    disk: ``send_file``; S3: the object's body, chunk by chunk), the process's only
    pooled connection is free for other requests."""
    pool = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 5, "pool_pre_ping": True}
    store = (
        {**s3_server.settings(), "STORAGE_BACKEND": "s3"}
        if backend == "s3"
        else {"STORAGE_BACKEND": "local", "MEDIA_ROOT": str(tmp_path)}
    )
    streaming = _app(**store, SQLALCHEMY_ENGINE_OPTIONS=pool)
    owner, learner = factories.create_user(app, "instructor"), factories.create_user(app)
    video_id = factories.listed_video(app, owner.id, "Large poster")
    body = os.urandom(3 * 1024 * 1024)
    key = f"videos/{video_id}/poster.jpg"
    with streaming.app_context():
        get_storage().put_bytes(key, body)
        db.session.get(Video, video_id).poster_key = key
        db.session.commit()
    viewer = streaming.test_client()  # a browser: signed in, its user loaded per request
    assert sign_in(viewer, learner.email, learner.password).status_code == 302
    response = viewer.get(f"/videos/{video_id}/poster.jpg")
    assert response.status_code == 200
    chunks = iter(response.response)
    received = [next(chunks)]
    with streaming.app_context():
        assert db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    other = streaming.test_client().get(
        f"/api/v1/videos/{video_id}", headers=bearer_headers(streaming, learner)
    )
    assert other.status_code == 200  # the one connection was free
    received.extend(chunks)
    response.close()
    assert b"".join(received) == body
    with streaming.app_context():
        db.engine.dispose()


# --------------------------------------------------------------------------- heartbeats


class Database:
    """The suite's database behind a switch: while ``down``, new connections fail as
    they do when the server is away (refused, or a file that cannot be opened)."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.down = False
        self.closed_port = free_port()

    def connect(self) -> Any:
        """A DB-API connection, or the driver's error while down."""
        if self.url.get_backend_name() == "sqlite":
            path = "/nonexistent-learnstream-dir/db.sqlite" if self.down else self.url.database
            return sqlite3.connect(path or "", check_same_thread=False)
        return psycopg.connect(
            host=self.url.host,
            port=self.closed_port if self.down else self.url.port or 5432,
            user=self.url.username,
            password=self.url.password,
            dbname=self.url.database,
            connect_timeout=5,
        )

    def engine(self) -> Engine:
        """An engine over the switch, as the app's writer would have (SQLite: BEGIN
        IMMEDIATE)."""
        if self.url.get_backend_name() == "sqlite":
            return sqlite_immediate(create_engine(self.url), creator=self.connect)
        return create_engine(self.url, creator=self.connect)

    def go_down(self, engine: Engine) -> None:
        """Every connection gone, new ones refused."""
        wait_until(lambda: engine.pool.checkedout() == 0, 30, "the writer kept its connection")  # type: ignore[attr-defined]
        self.down = True
        engine.dispose()


@pytest.fixture
def outage(app: Flask) -> Iterator[Callable[..., tuple[BeatWriter, Database]]]:
    """Factory: a writer (``max_queue``) on a database that can be switched off."""
    made: list[tuple[BeatWriter, Engine]] = []

    def make(max_queue: int = 100) -> tuple[BeatWriter, Database]:
        database = Database(_url(app))
        engine = database.engine()
        writer = BeatWriter(engine, 50, 0.002, 30, max_queue=max_queue)
        made.append((writer, engine))
        return writer, database

    yield make
    for writer, engine in made:
        writer.close(timeout=5)
        engine.dispose()


@pytest.fixture
def learner(app: Flask) -> factories.UserInfo:
    """A learner account."""
    return factories.create_user(app)


@pytest.fixture
def module(app: Flask, learner: factories.UserInfo) -> ModuleKey:
    """The learner's progress on a one-hour catalogue recording."""
    owner = factories.create_user(app, "instructor")
    video_id = factories.listed_video(app, owner.id, "Lecture", duration=3600.0)
    return ModuleKey(learner.id, video_id, None)


def _stored(app: Flask) -> tuple[float, float]:
    """Watched seconds of the one progress row, and the seconds its days add up to."""
    with app.app_context():
        row = db.session.scalars(select(WatchProgress)).one()
        return row.watched_seconds, db.session.scalar(select(func.sum(WatchDay.seconds))) or 0.0


def test_beats_kept_through_a_database_outage_earn_the_honest_credit(
    app: Flask, module: ModuleKey, outage
) -> None:
    """A learner plays 60 s at normal speed, beating every 10 s, while the database is
    away: every beat is answered 503 (the player keeps its intervals and resends them
    with the next beat), and every one is kept. After the outage all are stored, each
    credited as of when it was received: the 60 s played. Then a beat received at 61 s
    claims far more: it is credited up to what the bound allows at its arrival
    (``PLAYER_MAX_RATE`` x 61 s since the grant), not at the later time it was stored."""
    writer, database = outage()
    opened = utcnow() - timedelta(minutes=5)  # the watch session's grant
    writer.submit(Pending(module, 3600.0, Beat(0.0, (), "s", 0), opened, SHARE, opened))
    database.go_down(writer._engine)
    played: list[tuple[float, float]] = []
    for k in range(1, 7):
        played.append((10.0 * (k - 1), 10.0 * k))
        beat = Beat(10.0 * k, tuple(played), "s", k)  # what was not stored yet, again
        at = opened + timedelta(seconds=10 * k)
        with pytest.raises(WriterOutage):
            writer.submit(Pending(module, 3600.0, beat, at, SHARE, opened))
    assert writer.backlog() == 6
    database.down = False
    wait_until(lambda: writer.backlog() == 0, 60, "the kept beats were not stored")
    assert _stored(app) == (pytest.approx(60.0), pytest.approx(60.0))
    database.go_down(writer._engine)
    greedy = Beat(200.0, ((60.0, 200.0),), "s", 7)
    at = opened + timedelta(seconds=61)
    with pytest.raises(WriterOutage):
        writer.submit(Pending(module, 3600.0, greedy, at, SHARE, opened))
    database.down = False
    wait_until(lambda: writer.backlog() == 0, 60, "the kept beat was not stored")
    bound = PLAYER_MAX_RATE * 61  # stored minutes later, it would be 2 x 5 min and more
    assert _stored(app) == (pytest.approx(bound), pytest.approx(bound))


def test_a_full_queue_refuses_at_once_and_the_resent_beat_is_stored(
    app: Flask, module: ModuleKey, outage
) -> None:
    writer, database = outage(max_queue=1)
    opened = utcnow() - timedelta(minutes=5)
    database.go_down(writer._engine)
    first = Beat(10.0, ((0.0, 10.0),), "s", 1)
    with pytest.raises(WriterOutage):  # kept: it fills the queue
        writer.submit(Pending(module, 3600.0, first, opened + timedelta(seconds=10), SHARE, opened))
    second = Beat(20.0, ((0.0, 10.0), (10.0, 20.0)), "s", 2)
    at = opened + timedelta(seconds=20)
    with pytest.raises(WriterFull):
        writer.submit(Pending(module, 3600.0, second, at, SHARE, opened))
    database.down = False
    wait_until(lambda: writer.backlog() == 0, 60, "the kept beat was not stored")
    resent = writer.submit(Pending(module, 3600.0, second, at, SHARE, opened))
    assert resent.watched_seconds == 20 and resent.seq == 2
    assert _stored(app) == (pytest.approx(20.0), pytest.approx(20.0))


def test_close_stores_the_kept_beats(app: Flask, module: ModuleKey, outage) -> None:
    writer, database = outage()
    opened = utcnow() - timedelta(minutes=5)
    database.go_down(writer._engine)
    beat = Beat(10.0, ((0.0, 10.0),), "s", 1)
    with pytest.raises(WriterOutage):
        writer.submit(Pending(module, 3600.0, beat, opened + timedelta(seconds=10), SHARE, opened))
    database.down = False
    writer.close(timeout=30)
    assert writer.backlog() == 0
    assert _stored(app) == (pytest.approx(10.0), pytest.approx(10.0))


def test_a_full_heartbeat_queue_is_503_with_retry_after(
    app: Flask, module: ModuleKey, learner: factories.UserInfo
) -> None:
    """Over HTTP, on both receivers (a first beat through Flask, a granted one on the
    fast path): 503, Retry-After, a problem; the beat sent again to a process with room
    is stored."""
    full = _app(HEARTBEAT_QUEUE_MAX=0)
    headers = bearer_headers(app, learner)
    url = f"/api/v1/videos/{module.video_id}/progress"
    grant = app.test_client().get(url, headers=headers).headers["X-Heartbeat-Grant"]
    beat = {"session": "s", "seq": 1, "position": 0, "played": []}
    try:
        for extra in ({}, {"X-Heartbeat-Grant": grant}):
            refused = full.test_client().put(url, json=beat, headers={**headers, **extra})
            assert refused.status_code == 503, refused.get_data(as_text=True)
            assert refused.headers["Retry-After"] == "5"
            assert refused.mimetype == "application/problem+json"
        with app.app_context():
            assert db.session.scalar(select(func.count(WatchProgress.id))) == 0
        again = app.test_client().put(
            url, json=beat, headers={**headers, "X-Heartbeat-Grant": grant}
        )
        assert again.status_code == 200
        with app.app_context():
            assert db.session.scalar(select(func.count(WatchProgress.id))) == 1
    finally:
        writer = full.extensions.get(EXTENSION)
        if writer is not None:
            writer.close()
        with full.app_context():
            db.engine.dispose()
