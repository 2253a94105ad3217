"""The object store (SeaweedFS over real S3) goes away for 20 s and comes back.

During a transcode the worker keeps encoding, retries the download or the publish in
place with back-off, and finishes READY with a complete, valid ladder without starting
over. During a direct upload the part PUTs fail while the store is down; afterwards the
client asks which parts the store holds, sends only the missing ones, and the joined
object is byte for byte the file that was uploaded.

These tests always use S3 (their own bucket), whatever store the rest of the suite uses.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.support.paths import ROOT
from tests.support.ports import free_port
from tests.support.s3server import S3Server
from tests.support.transcode import assert_complete_ladder, wait_for_clean_storage, wait_for_job
from tests.support.uploads import UploadApi, pad_mp4, split
from tests.support.waiting import wait_until
from transcoder.synth import generate
from webapp import create_app, jobs
from webapp.extensions import db
from webapp.models import JobState, TranscodeJob, UploadState, User, Video, VideoState
from webapp.storage import LocalStorage, ObjectNotFound, S3Storage, StorageError, get_storage
from webapp.storage.base import MIN_PART_SIZE
from webapp.transcoding.retry import with_storage_retries
from webapp.uploads.services import ingest

pytestmark = pytest.mark.worker

OUTAGE_SECONDS = 20.0
QUEUE = "faults-s3"


def _wait(predicate: Callable[[], bool], what: str, timeout: float = 120) -> None:
    wait_until(predicate, timeout, f"timed out waiting for {what}", interval=0.2)


@pytest.fixture(scope="module")
def s3_app(app: Flask, s3_server: S3Server) -> Flask:
    """The suite's database with media in a bucket of this module's own; unexpected
    errors become 500 answers, as in production, instead of reaching the test."""
    settings = {"TESTING": True, "PROPAGATE_EXCEPTIONS": False, "STORAGE_BACKEND": "s3"}
    return create_app({**settings, **s3_server.settings()})


@pytest.fixture(scope="module")
def class_recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """75 s: the encode is still running when the store goes away."""
    path = tmp_path_factory.mktemp("faults") / "class.mp4"
    return generate(path, seconds=75.0, width=640, height=360, fps=25)


class S3Worker:
    """A real Celery worker on the S3 bucket of ``s3_app``, on a queue of its own."""

    def __init__(self, s3_app: Flask, log: Path) -> None:
        self.log = log
        env = {**os.environ, "S3_BUCKET": s3_app.config["S3_BUCKET"]}
        env.update({k: str(s3_app.config[k]) for k in ("S3_ENDPOINT_URL", "S3_REGION")})
        env.update(
            S3_ACCESS_KEY_ID=s3_app.config["S3_ACCESS_KEY_ID"],
            S3_SECRET_ACCESS_KEY=s3_app.config["S3_SECRET_ACCESS_KEY"],
        )
        argv = [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "webapp.jobs.worker",
            "worker",
            "--pool=solo",
            "-Q",
            QUEUE,
            f"--hostname={QUEUE}@%h",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            f"--logfile={log}",
        ]
        self.proc = subprocess.Popen(argv, cwd=ROOT, env=env)

    def logged(self, needle: str) -> bool:
        """Whether the worker's log has a line containing ``needle``."""
        return self.log.exists() and needle in self.log.read_text(errors="replace")

    def stop(self) -> None:
        """Warm shutdown, or a kill if it does not come."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="module")
def s3_worker(s3_app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Worker]:
    worker = S3Worker(s3_app, tmp_path_factory.mktemp("s3-worker") / "worker.log")
    try:
        _wait(lambda: worker.logged("ready."), "the S3 worker", timeout=90)
        yield worker
    finally:
        worker.stop()


def _queue_job(s3_app: Flask, owner_id: int, source: Path, title: str) -> tuple[int, int]:
    with s3_app.app_context():
        video, job = ingest(source, title=title, owner=db.session.get(User, owner_id))
        db.session.commit()
        return video.id, job.id


def _send(s3_app: Flask, job_id: int) -> None:
    s3_app.extensions["celery"].send_task(jobs.TRANSCODE_TASK, args=[job_id], queue=QUEUE)


def _job(s3_app: Flask, job_id: int) -> tuple[str, str, bool]:
    """Job state, video state, and whether an early preview is up."""
    with s3_app.app_context():
        job = db.session.get(TranscodeJob, job_id)
        return job.state, job.video.state, job.video.preview_prefix is not None


def _down_for(s3_server: S3Server, seconds: float, while_down: Callable[[], None]) -> None:
    """Stop the store, run ``while_down`` and keep it down ``seconds`` in all, restart."""
    with s3_server.stopped():
        until = time.monotonic() + seconds
        while_down()
        time.sleep(max(0.0, until - time.monotonic()))  # the outage itself, not a wait


# --------------------------------------------------------------------------- transcode


def test_in_place_retries_are_for_transient_storage_errors_only(tmp_path: Path) -> None:
    unreachable = S3Storage(
        "nowhere",
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        access_key="x",
        secret_key="y",
        max_attempts=1,
    )
    calls: list[str] = []

    def read(store) -> Callable[[], bytes]:
        def call() -> bytes:
            calls.append("read")
            return store.get_bytes("a/b")

        return call

    with pytest.raises(StorageError) as caught:
        with_storage_retries(read(unreachable), "reading", delays=(0.01, 0.01))
    assert caught.value.transient and len(calls) == 3  # the first try and two retries
    calls.clear()
    with pytest.raises(ObjectNotFound):  # bad input, not an outage: never retried
        with_storage_retries(read(LocalStorage(tmp_path)), "reading", delays=(0.01, 0.01))
    assert len(calls) == 1


def test_store_outage_mid_encode_does_not_cost_the_encode(
    app: Flask,
    s3_app: Flask,
    s3_server: S3Server,
    s3_worker: S3Worker,
    make_user,
    class_recording: Path,
    tmp_path: Path,
) -> None:
    video_id, job_id = _queue_job(s3_app, make_user("instructor").id, class_recording, "Class")
    _send(s3_app, job_id)
    _wait(lambda: _job(s3_app, job_id)[2], "the early preview (the encode is under way)")

    def while_down() -> None:
        # The preview stops growing (or, had the encode just ended, the publish waits),
        # but the job is neither failed nor handed back.
        _wait(
            lambda: (
                s3_worker.logged("not updated now")
                or s3_worker.logged(f"publishing job {job_id} failed")
            ),
            "the worker to meet the outage",
        )
        assert _job(s3_app, job_id)[:2] == ("running", "processing")

    _down_for(s3_server, OUTAGE_SECONDS, while_down)

    job = wait_for_job(s3_app, job_id, timeout=240)
    assert job.state == JobState.READY, job.error
    assert job.attempts == 1  # retried in place: the encode was not thrown away
    assert_complete_ladder(s3_app, video_id, tmp_path)
    wait_for_clean_storage(s3_app, video_id)


def test_store_down_when_the_job_starts_is_retried_with_backoff(
    app: Flask,
    s3_app: Flask,
    s3_server: S3Server,
    s3_worker: S3Worker,
    make_user,
    sample_clip: Path,
    tmp_path: Path,
) -> None:
    video_id, job_id = _queue_job(s3_app, make_user("instructor").id, sample_clip, "Lesson")

    def while_down() -> None:
        _send(s3_app, job_id)
        _wait(
            lambda: s3_worker.logged(f"downloading job {job_id}'s source failed"),
            "the source download to fail",
        )
        assert _job(s3_app, job_id)[:2] == ("running", "processing")

    _down_for(s3_server, OUTAGE_SECONDS, while_down)

    job = wait_for_job(s3_app, job_id, timeout=180)
    assert job.state == JobState.READY, job.error
    assert job.attempts == 1
    assert_complete_ladder(s3_app, video_id, tmp_path)
    wait_for_clean_storage(s3_app, video_id)


# --------------------------------------------------------------------------- upload


def _put(url: str, data: bytes) -> str | None:
    """PUT a part straight to the store as a browser does; its ETag, or None if refused."""
    request = urllib.request.Request(url, data=data, method="PUT")
    try:
        with urllib.request.urlopen(request, timeout=30) as sent:  # noqa: S310 (loopback)
            return sent.headers["ETag"] if sent.status == 200 else None
    except urllib.error.HTTPError as refused:
        refused.close()  # it holds the response's socket
        return None
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def test_upload_resumes_after_a_store_outage_sending_only_missing_parts(
    app: Flask, s3_app: Flask, s3_server: S3Server, make_user, sample_clip: Path, tmp_path: Path
) -> None:
    original = pad_mp4(sample_clip, tmp_path / "big.mp4", 3 * MIN_PART_SIZE + 300_000).read_bytes()
    parts = split(original)
    uploader = UploadApi(s3_app, make_user("instructor"))
    upload_id = uploader.start(original)
    sent: Counter[int] = Counter()  # successful PUTs per part number
    refused: Counter[int] = Counter()

    def send(number: int) -> str | None:
        url = uploader.sign(upload_id, number).get_json()["url"]
        etag = _put(url, parts[number - 1])
        (sent if etag else refused)[number] += 1
        return etag

    etags = {1: send(1)}
    assert etags[1]

    def while_down() -> None:
        # The client keeps trying part 2 (as Uppy retries a part) while the store is gone.
        until = time.monotonic() + OUTAGE_SECONDS - 2
        while time.monotonic() < until:
            assert send(2) is None
            time.sleep(1)
        listed = uploader.parts(upload_id)
        # A server-side outage, never "your upload is bad": 503, try again shortly.
        assert listed.status_code == 503 and listed.headers["Retry-After"] == "5"
        completed = uploader.complete(upload_id, [{"PartNumber": 1, "ETag": etags[1]}])
        assert completed.status_code == 503
        assert uploader.get(upload_id).get_json()["state"] == UploadState.OPEN

    _down_for(s3_server, OUTAGE_SECONDS, while_down)
    assert refused[2] >= 3

    # Resume as after a reload: ask the store what it has, send only what is missing.
    listed = uploader.parts(upload_id)
    assert listed.status_code == 200
    have = {p["PartNumber"]: p["ETag"] for p in listed.get_json()}
    assert have == {1: etags[1]}
    for number in range(1, len(parts) + 1):
        if number not in have:
            etags[number] = send(number)
            assert etags[number]
    body = [{"PartNumber": n, "ETag": etags[n]} for n in sorted(etags)]
    response = uploader.complete(upload_id, body)

    assert response.status_code == 201, response.get_json()
    assert sent == Counter({n: 1 for n in range(1, len(parts) + 1)})  # nothing sent twice
    assert response.get_json()["video"]["state"] == VideoState.UPLOADED
    with s3_app.app_context():
        video = db.session.get(Video, response.get_json()["video"]["id"])
        # The suite's worker may already have taken the transcode job.
        assert video.state != VideoState.FAILED
        assert get_storage().get_bytes(video.source_key) == original
