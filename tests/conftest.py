"""Shared fixtures: a real app on a real database, a real Celery worker, generated media.

The suite runs on whatever DATABASE_URL / CELERY_BROKER_URL the environment names (CI's
second run: PostgreSQL + Redis) and otherwise on the embedded defaults inside a temp dir.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from playwright.sync_api import Browser, expect, sync_playwright
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from tests.support import factories
from tests.support.audit import allow_purge
from tests.support.auth import Auth
from tests.support.browser import CHROMIUM_ARGS
from tests.support.isolation import isolate
from tests.support.liveserver import serve
from tests.support.paths import ROOT
from tests.support.waiting import wait_until
from transcoder.limits import Limits
from transcoder.pipeline import TranscodeResult, transcode
from transcoder.synth import generate
from webapp import create_app
from webapp.auth.throttle import reset_counts
from webapp.extensions import db
from webapp.progress.writer import EXTENSION as WRITER_EXTENSION

pytest_plugins = [
    "tests.support.browser",
    "tests.support.captions",
    "tests.support.clock",
    "tests.support.matrix_callers",
    "tests.support.s3server",
    "tests.support.smtp",
]


# --------------------------------------------------------------------------- app + db


# CI's second run sets LEARNSTREAM_TEST_STORAGE=s3: the whole suite then stores media in
# a real SeaweedFS (started by the s3_server fixture) instead of on local disk.
S3_MODE = os.environ.get("LEARNSTREAM_TEST_STORAGE", "local").strip().lower() == "s3"
S3_SETTINGS = ("S3_BUCKET", "S3_ENDPOINT_URL", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY")


def pytest_configure(config: pytest.Config) -> None:
    """Under xdist, each process gets its own PostgreSQL and Redis database."""
    worker_id = getattr(config, "workerinput", {}).get("workerid")
    if worker_id:
        isolate(worker_id)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On S3 the app hands out presigned store URLs: skip tests of the app's own links."""
    if not S3_MODE:
        return
    skip = pytest.mark.skip(reason="local-disk signed links; the S3 run covers presigned URLs")
    for item in items:
        if "local_storage" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """A private instance/ for the whole run (SQLite files, media, scratch)."""
    path = tmp_path_factory.mktemp("instance")
    os.environ["LEARNSTREAM_INSTANCE"] = str(path)
    os.environ["SECRET_KEY"] = "test-secret-key"
    os.environ["API_VALIDATE_RESPONSES"] = "1"  # every API answer is checked against the document
    # Every message the app sends goes to this process's loopback SMTP server.
    os.environ["MAIL_URL"] = request.getfixturevalue("smtp_server").url
    for key in S3_SETTINGS:
        os.environ.pop(key, None)
    if S3_MODE:
        # Set before create_app and inherited by the Celery worker subprocess.
        server = request.getfixturevalue("s3_server")
        os.environ.update({k: str(v) for k, v in server.settings().items()})
    return path


def _reset_database(app: Flask) -> None:
    """Start from an empty schema, then build it with the migrations (they are tested too)."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()


@pytest.fixture(scope="session")
def app(instance_dir: Path) -> Iterator[Flask]:
    """The app under test, migrated; the queue is purged of earlier runs' messages."""
    app = create_app({"TESTING": True})
    _reset_database(app)
    app.extensions["celery"].control.purge()
    yield app
    writer = app.extensions.get(WRITER_EXTENSION)
    if writer is not None:  # the heartbeat writer's thread holds its own connection
        writer.close()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test starts with empty tables (media objects are unique per id anyway)."""
    yield
    if "app" not in request.fixturenames:
        return
    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        for attempt in range(3):
            # A worker finishing a job can still write the rows being deleted: on
            # PostgreSQL one side then dies of a deadlock. Ours is retried.
            db.session.rollback()
            try:
                allow_purge()
                for table in reversed(db.metadata.sorted_tables):
                    db.session.execute(table.delete())
                db.session.commit()
                break
            except OperationalError:
                db.session.rollback()
                if attempt == 2:
                    raise
                time.sleep(1)
        reset_counts()  # failed sign-ins must not carry over (Redis keeps them a minute)
    # Tasks a test queued and nobody ran (no worker in that test) must not run in a later
    # test, where the same ids name other rows.
    app.extensions["celery"].control.purge()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client with cookies."""
    return app.test_client()


@pytest.fixture
def fresh_sign_in_counts(app: Flask) -> None:
    """No failed sign-ins counted when the test starts (Redis keeps them a minute)."""
    with app.app_context():
        reset_counts()


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    """Sign-in helper bound to ``client``."""
    return Auth(client)


@pytest.fixture
def make_user(app: Flask):
    """Factory: ``make_user("instructor")`` → a UserInfo with id, email, password."""

    def _make(role: str = "learner", email: str | None = None) -> factories.UserInfo:
        return factories.create_user(app, role, email)

    return _make


# --------------------------------------------------------------------------- media


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated media shared by the whole run."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def sample_clip(media_dir: Path) -> Path:
    """A 4 s 640x360 H.264/AAC MP4 made with ffmpeg's test sources."""
    return generate(media_dir / "sample.mp4", seconds=4.0, width=640, height=360, fps=25)


@pytest.fixture(scope="session")
def transcoded_sample(sample_clip: Path, media_dir: Path) -> tuple[Path, TranscodeResult]:
    """The sample clip transcoded once by the real pipeline, reused to publish videos fast."""
    out = media_dir / "sample-hls"
    out.mkdir()
    return out, transcode(sample_clip, out, Limits())


@pytest.fixture
def make_ready_video(app: Flask, transcoded_sample: tuple[Path, TranscodeResult]):
    """Factory: a READY video owned by ``owner_id`` with a real published HLS ladder."""

    def _make(owner_id: int, title: str = "Ready lesson") -> int:
        out_dir, result = transcoded_sample
        return factories.publish_ready_video(app, owner_id, title, out_dir, result)

    return _make


# --------------------------------------------------------------------------- worker


def _wait_for_log(path: Path, needle: str, proc: subprocess.Popen, timeout: float) -> None:
    def logged() -> bool:
        if proc.poll() is not None:
            raise RuntimeError(f"worker exited early:\n{path.read_text()[-3000:]}")
        return path.exists() and needle in path.read_text()

    def log_tail() -> str:
        return f"worker not ready:\n{path.read_text()[-3000:] if path.exists() else '(no log)'}"

    wait_until(logged, timeout, log_tail, interval=0.2)


@pytest.fixture(scope="session")
def celery_worker(app: Flask, instance_dir: Path) -> Iterator[subprocess.Popen]:
    """A real Celery worker process consuming from the configured broker."""
    log = instance_dir / "worker.log"
    argv = [
        str(Path(sys.executable).parent / "celery"),
        "-A",
        "webapp.jobs.worker",
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        f"--logfile={log}",
    ]
    proc = subprocess.Popen(argv, cwd=ROOT, env=dict(os.environ))
    try:
        # A loaded machine (CI's may be busy) can take minutes to import and start it.
        _wait_for_log(log, "ready.", proc, timeout=600)
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --------------------------------------------------------------------------- live server


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The app served over real HTTP on a free loopback port; yields the base URL."""
    with serve(app) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def lesson_ladder(media_dir: Path) -> tuple[Path, TranscodeResult]:
    """A 12 s recording (three 4 s segments) transcoded once: long enough to resume
    mid-way, switch quality, and cut clips that start and end inside segments."""
    source = generate(media_dir / "lesson-12s.mp4", seconds=12.0, width=640, height=360, fps=25)
    out = media_dir / "lesson-12s-hls"
    return out, transcode(source, out, Limits())


@pytest.fixture
def make_lesson(app: Flask, lesson_ladder: tuple[Path, TranscodeResult]):
    """Factory: a READY 12 s lesson owned by ``owner_id``; returns its id."""

    def _make(owner_id: int, title: str = "Browser lesson") -> int:
        out_dir, result = lesson_ladder
        return factories.publish_ready_video(app, owner_id, title, out_dir, result)

    return _make


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    """One headless Debian Chromium for the whole run."""
    # Assertions wait for their condition; Playwright's 5 s default is short on a busy
    # machine (a page's fetch then render can take longer than that under load).
    expect.set_options(timeout=30_000)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium; the suite never downloads a browser."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(
            "Debian chromium is required: `make test` installs it (apt-get install chromium)"
        )
    return path
