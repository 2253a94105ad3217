"""Soak: mixed load on a private compose-like stack while its services fail, twice each.

The script starts everything itself, on free loopback ports inside one temp directory,
so it never touches the machine's shared services:

* PostgreSQL: its own cluster (``initdb`` / ``pg_ctl`` from /usr/lib/postgresql/*/bin);
* Redis: its own ``redis-server`` (append-only file, as docker-compose runs it);
* SeaweedFS: its own ``weed mini`` (``tests.support.s3server.S3Server``), one bucket;
* the web app under granian (the Dockerfile's command, fewer workers), two Celery
  workers (thread pool, concurrency 2, as docker-compose's ``worker``) and Celery beat
  (the job sweeper every ``--sweep-seconds``, jobs stale after ``--stale-seconds``).

Load, for ``--minutes``:

* ``--viewers`` learners (API tokens) each reading their progress once (the grant),
  then sending a heartbeat every ``--beat-period`` seconds. Each beat reports its own
  short played range, so the stored ranges show exactly which beats were stored. A
  503 or a connection error is retried (the same beat) after ``Retry-After`` (1 s when
  absent); only a 2xx counts as acknowledged;
* an instructor uploading a small generated recording (``transcoder.synth``) through
  the multipart API every ``--upload-every`` seconds: create, sign the part, PUT it to
  SeaweedFS, complete (each step retried on 503 and connection errors); every upload
  is then transcoded by the workers;
* an admin downloading a path report as CSV every ``--report-every`` seconds.

Faults, each twice, one after the other from 15 % of the run on: SIGKILL a worker (a
supervisor restarts it at once), restart PostgreSQL (``pg_ctl restart -m fast``),
restart Redis (SIGTERM, start again on the same port and data), stop SeaweedFS for
``--s3-outage`` seconds. Recovery of a fault is the time from the service being back
(the worker restarted) until ``/healthz`` answers 200, a heartbeat sent after that is
acknowledged and, for a killed worker, every job that was running when it died is
finished or running again in a new attempt.

After the load the script waits (``--drain-seconds`` at most) for every job to finish,
then checks: heartbeats acknowledged vs acknowledged and stored (must be equal),
uploads completed vs their videos READY (equal), jobs started vs finished. Prints one
JSON line and writes it to ``bench/results/soak-<timestamp>.json``::

    .venv/bin/python -m bench.soak [--minutes 20] [--viewers 300] [--keep]
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from bench.app_server import free_port

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
BIN = Path(sys.executable).parent
BUCKET = "learnstream"
DATABASE = "learnstream"
PASSWORD = "soak-password-1"
REPORT_SLUG = "soak-path"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
RETRYABLE = frozenset({503})
REQUEST_TIMEOUT = 30.0
RETRY_FOR_SECONDS = 120.0  # a request still failing after this is given up (an error)
RECOVERY_LIMIT = 300.0
BEAT_STEP = 0.1  # media seconds between the starts of one viewer's consecutive beats
BEAT_LENGTH = 0.02  # each beat's own played range: the stored union shows which arrived


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise SystemExit(f"PostgreSQL's {name} is required (/usr/lib/postgresql/*/bin)")
    return found[-1]


def _wait(check: Callable[[], bool], timeout: float, what: str, interval: float = 0.2) -> float:
    """Poll ``check`` until it holds; seconds it took (RuntimeError after ``timeout``)."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)
    return time.monotonic() - started


# --------------------------------------------------------------------------- the stack


class Stack:
    """PostgreSQL, Redis, SeaweedFS, web, two workers and beat, all private."""

    def __init__(self, workdir: Path, web_workers: int, web_threads: int, cfg: dict) -> None:
        self.dir = workdir
        self.logs = workdir / "logs"
        self.logs.mkdir(parents=True)
        self.cfg = cfg
        self.web_workers, self.web_threads = web_workers, web_threads
        self.pg_port, self.redis_port, self.web_port = free_port(), free_port(), free_port()
        self.pg_run = workdir / "pg"  # data, socket and log, owned by PostgreSQL's account
        self.pg_data = self.pg_run / "data"
        self.redis_dir = workdir / "redis"
        self.redis_dir.mkdir()
        self.procs: dict[str, subprocess.Popen] = {}
        self.s3: Any = None
        self.env: dict[str, str] = {}

    # -- helpers
    def _spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> None:
        with open(self.logs / f"{name}.log", "ab") as log:
            self.procs[name] = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=env if env is not None else self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def _stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 60.0) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def log_tail(self, name: str, chars: int = 2000) -> str:
        """The end of one process's log, for error messages."""
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    @property
    def database_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.pg_port}/{DATABASE}"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    # -- PostgreSQL
    def _as_pg(self, argv: list[str]) -> list[str]:
        """PostgreSQL refuses to run as root: then it runs as the ``postgres`` account."""
        return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv

    def start_postgres(self) -> None:
        """A new cluster the first time, then ``pg_ctl start`` on the same data."""
        if not self.pg_data.exists():
            self.pg_run.mkdir()
            if os.geteuid() == 0:
                import pwd  # noqa: PLC0415

                account = pwd.getpwnam("postgres")
                self.dir.chmod(0o755)
                os.chown(self.pg_run, account.pw_uid, account.pw_gid)
            subprocess.run(
                self._as_pg(
                    [
                        _pg_bin("initdb"),
                        "-D",
                        str(self.pg_data),
                        "-U",
                        "postgres",
                        "--auth=trust",
                        "-E",
                        "UTF8",
                        "--no-sync",
                    ]
                ),
                check=True,
                stdout=subprocess.DEVNULL,
            )
        options = (
            f"-p {self.pg_port} -k {self.pg_run} -c listen_addresses=127.0.0.1 "
            "-c max_connections=300 -c shared_buffers=128MB"
        )
        subprocess.run(
            self._as_pg(
                [
                    _pg_bin("pg_ctl"),
                    "-D",
                    str(self.pg_data),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "120",
                    "-l",
                    str(self.pg_run / "postgres.log"),
                    "start",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def stop_postgres(self) -> None:
        """``pg_ctl stop -m fast``: sessions are disconnected, a clean checkpoint."""
        subprocess.run(
            self._as_pg(
                [
                    _pg_bin("pg_ctl"),
                    "-D",
                    str(self.pg_data),
                    "-m",
                    "fast",
                    "-w",
                    "-t",
                    "120",
                    "stop",
                ]
            ),
            check=False,
            stdout=subprocess.DEVNULL,
        )

    def create_database(self) -> None:
        import psycopg  # noqa: PLC0415

        url = f"postgresql://postgres@127.0.0.1:{self.pg_port}/postgres"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")

    # -- Redis
    def start_redis(self) -> None:
        """``redis-server`` with an append-only file (docker-compose's settings)."""
        redis = shutil.which("redis-server")
        if not redis:
            raise SystemExit("redis-server is required")
        self._spawn(
            "redis",
            [
                redis,
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.redis_dir),
                "--appendonly",
                "yes",
                "--save",
                "",
                "--protected-mode",
                "no",
            ],
        )
        import redis as redis_client  # noqa: PLC0415

        client = redis_client.Redis(port=self.redis_port, socket_timeout=1)

        def pong() -> bool:
            try:
                return bool(client.ping())
            except redis_client.RedisError:
                return False

        _wait(pong, 30, "redis-server")

    def stop_redis(self) -> None:
        self._stop("redis")

    # -- SeaweedFS
    def start_s3(self) -> None:
        from tests.support.s3server import S3Server  # noqa: PLC0415

        if self.s3 is None:
            self.s3 = S3Server(self.dir / "seaweedfs")
            self.s3.start()
            self.s3.client().create_bucket(Bucket=BUCKET)
        else:
            self.s3.start()

    def stop_s3(self) -> None:
        self.s3.stop()

    # -- the app's processes
    def make_env(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("S3_", "AWS_"))}
        env.update(
            DATABASE_URL=self.database_url,
            CELERY_BROKER_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            LEARNSTREAM_INSTANCE=str(self.dir / "instance"),
            SECRET_KEY="soak-" + uuid.uuid4().hex,
            S3_BUCKET=BUCKET,
            S3_ENDPOINT_URL=self.s3.endpoint_url,
            S3_REGION=self.s3["S3_REGION"],
            S3_ACCESS_KEY_ID=self.s3["S3_ACCESS_KEY_ID"],
            S3_SECRET_ACCESS_KEY=self.s3["S3_SECRET_ACCESS_KEY"],
            S3_PATH_STYLE="true",
            SWEEP_INTERVAL_SECONDS=str(self.cfg["sweep_seconds"]),
            JOB_STALE_SECONDS=str(self.cfg["stale_seconds"]),
            JOB_REDISPATCH_SECONDS=str(self.cfg["redispatch_seconds"]),
            JOB_MAX_ATTEMPTS=str(self.cfg["max_attempts"]),
            PYTHONUNBUFFERED="1",
        )
        env.pop("MAIL_URL", None)  # messages go to the instance's outbox
        self.env = env
        # This process seeds the database and generates the media with the same settings.
        for name in [n for n in os.environ if n.startswith(("S3_", "AWS_"))]:
            del os.environ[name]
        os.environ.update(env)

    def start_web(self) -> None:
        """granian as the Dockerfile runs it (``--workers``/``--blocking-threads`` scaled
        to this machine); ready once ``/healthz`` answers 200."""
        self._spawn(
            "web",
            [
                str(BIN / "granian"),
                "--interface=wsgi",
                "--host=127.0.0.1",
                f"--port={self.web_port}",
                f"--workers={self.web_workers}",
                f"--blocking-threads={self.web_threads}",
                "--http=1",
                "--no-ws",
                "--backlog=2048",
                "--workers-kill-timeout=30",
                "--log-level=warning",
                "--factory",
                "webapp:create_app",
            ],
        )
        _wait(self.healthy, 180, f"the web app:\n{self.log_tail('web')}", interval=0.5)

    def healthy(self) -> bool:
        """``GET /healthz`` answers 200 (database, storage, queue, ffmpeg)."""
        try:
            return requests.get(f"{self.base_url}/healthz", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def start_worker(self, n: int) -> None:
        """docker-compose's worker: thread pool, concurrency 2, its own scratch."""
        env = {**self.env, "SCRATCH_DIR": str(self.dir / f"scratch{n}")}
        self._spawn(
            f"worker{n}",
            [
                str(BIN / "celery"),
                "-A",
                "webapp.jobs.worker",
                "worker",
                "--pool=threads",
                "--concurrency=2",
                "--loglevel=INFO",
                "-n",
                f"soak{n}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            env,
        )

    def worker_ready(self, n: int) -> bool:
        return "ready." in self.log_tail(f"worker{n}", 20000)

    def kill_worker(self, n: int) -> None:
        """SIGKILL the worker and its ffmpeg children, as an OOM kill of its container
        would: nothing runs its shutdown."""
        proc = self.procs.pop(f"worker{n}")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        log = self.logs / f"worker{n}.log"
        log.rename(self.logs / f"worker{n}.{int(time.time())}.log")

    def busy_worker(self) -> int | None:
        """A worker running ffmpeg right now (a child process of it), if any."""
        pids = {
            proc.pid: n
            for name, proc in self.procs.items()
            if name.startswith("worker")
            for n in [int(name.removeprefix("worker"))]
        }
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                text = stat.read_text()
            except OSError:
                continue
            comm, rest = text[text.find("(") + 1 : text.rfind(")")], text.rsplit(")", 1)[1]
            parent = int(rest.split()[1])
            if comm.startswith("ffmpeg") and parent in pids:
                return pids[parent]
        return None

    def start_beat(self) -> None:
        self._spawn(
            "beat",
            [
                str(BIN / "celery"),
                "-A",
                "webapp.jobs.worker",
                "beat",
                "--loglevel=INFO",
                f"--schedule={self.dir / 'celerybeat-schedule'}",
            ],
        )

    def stop_all(self) -> None:
        """The app's processes first (graceful), then the services."""
        for name in [n for n in self.procs if n not in ("redis",)]:
            self._stop(name)
        self._stop("redis")
        if self.s3 is not None:
            self.s3.stop()
        if self.pg_data.exists():
            self.stop_postgres()


# --------------------------------------------------------------------------- seeding


@dataclass(frozen=True)
class Seeded:
    """What the load needs: viewers' tokens and videos, the uploader's token, the admin."""

    viewers: list[Any]
    instructor_token: str
    admin_email: str


def seed(viewers: int) -> Seeded:
    """Migrate; learners with tokens on one-hour lectures (``bench.heartbeats.seed``);
    a small path with a cohort for the report; an instructor and an admin."""
    from sqlalchemy import text  # noqa: PLC0415

    from bench.heartbeats import seed as seed_viewers  # noqa: PLC0415
    from bench.reports import SEED_STATEMENTS  # noqa: PLC0415
    from webapp import create_app  # noqa: PLC0415
    from webapp.auth.services import create_user, issue_token  # noqa: PLC0415
    from webapp.extensions import db  # noqa: PLC0415

    seeded = seed_viewers(viewers, max(1, viewers // 50))
    app = create_app()
    with app.app_context():
        params = {
            "learners": 100,
            "modules": 20,
            "courses": 2,
            "per_course": 10,
            "slug": REPORT_SLUG,
        }
        for statement in SEED_STATEMENTS:
            db.session.execute(text(statement), params)
        instructor = create_user("uploader@soak.example", PASSWORD, "instructor")
        create_user("admin@soak.example", PASSWORD, "admin")
        db.session.flush()
        token = issue_token(instructor, days=2)
        db.session.commit()
        db.engine.dispose()
    return Seeded(seeded, token, "admin@soak.example")


# --------------------------------------------------------------------------- load


class Errors:
    """Failures by kind (``what:status`` or ``what:ExceptionName``), thread-safe."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()

    def add(self, kind: str) -> None:
        with self.lock:
            self.counts[kind] += 1


def call(
    session: requests.Session,
    method: str,
    url: str,
    what: str,
    errors: Errors,
    stop: threading.Event | None = None,
    expected: tuple[int, ...] = (),
    **kwargs: Any,
) -> requests.Response | None:
    """One request, retried on 503 and connection errors (after ``Retry-After``, 1 s by
    default) for up to ``RETRY_FOR_SECONDS``; every failed try is counted. Returns the
    last answer (None if there never was one)."""
    deadline = time.monotonic() + RETRY_FOR_SECONDS
    response: requests.Response | None = None
    while True:
        wait = 1.0
        try:
            answer = session.request(method, url, timeout=REQUEST_TIMEOUT, **kwargs)
        except requests.RequestException as exc:
            errors.add(f"{what}:{type(exc).__name__}")
        else:
            response = answer
            if answer.status_code not in RETRYABLE:
                if answer.status_code >= 400 and answer.status_code not in expected:
                    errors.add(f"{what}:{answer.status_code}")
                return answer
            errors.add(f"{what}:{answer.status_code}")
            try:
                wait = max(0.1, float(answer.headers.get("Retry-After", "1")))
            except ValueError:
                wait = 1.0
        if time.monotonic() + wait > deadline or (stop is not None and stop.is_set()):
            errors.add(f"{what}:gave_up")
            return response
        time.sleep(wait)


@dataclass
class ViewerState:
    """One simulated player: what it sent and which beats were acknowledged."""

    token: str
    video_id: int
    session: str
    grant: str = ""
    seq: int = 0
    sent: int = 0
    acked: list[tuple[float, float]] = field(default_factory=list)
    last_ack: float = 0.0


def played_range(seq: int) -> tuple[float, float]:
    """Beat ``seq``'s own played range (as stored: rounded to the millisecond)."""
    start = round(seq * BEAT_STEP, 3)
    return start, round(start + BEAT_LENGTH, 3)


def run_viewer(
    v: ViewerState, base: str, period: float, stop: threading.Event, errors: Errors
) -> None:
    """Open the progress (the grant), then one beat every ``period`` seconds."""
    url = f"{base}/api/v1/videos/{v.video_id}/progress"
    http = requests.Session()
    auth = {"Authorization": f"Bearer {v.token}"}
    stop.wait(random.uniform(0, period))
    while not v.grant and not stop.is_set():
        answer = call(http, "GET", url, "progress_read", errors, stop, headers=auth)
        if answer is not None and answer.ok:
            v.grant = answer.headers.get("X-Heartbeat-Grant", "")
        if not v.grant:
            stop.wait(1.0)
    while not stop.wait(period):
        v.seq += 1
        start, end = played_range(v.seq)
        body = {
            "position": end,
            "played": [[start, end]],
            "session": v.session,
            "seq": v.seq,
            "rate": 1.0,
        }
        headers = {**auth, "X-Heartbeat-Grant": v.grant}
        v.sent += 1
        answer = call(http, "PUT", url, "heartbeat", errors, stop, json=body, headers=headers)
        if answer is not None and 200 <= answer.status_code < 300:
            v.acked.append((start, end))
            v.last_ack = time.monotonic()
            v.grant = answer.headers.get("X-Heartbeat-Grant") or v.grant


@dataclass
class UploadTally:
    """Uploads started, completed (2xx on complete) and the videos they made."""

    started: int = 0
    completed: int = 0
    video_ids: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)


def run_uploader(
    base: str,
    token: str,
    media: bytes,
    every: float,
    stop: threading.Event,
    errors: Errors,
    tally: UploadTally,
) -> None:
    """Upload ``media`` (made unique each time) through the multipart API every ``every`` s."""
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    n = 0
    while not stop.is_set():
        began = time.monotonic()
        n += 1
        pad = uuid.uuid4().bytes * 4
        data = media + (8 + len(pad)).to_bytes(4, "big") + b"free" + pad  # still an MP4
        tally.started += 1
        video_id = _upload(http, base, data, f"soak-{n}.mp4", stop, errors)
        if video_id is not None:
            tally.completed += 1
            tally.video_ids.append(video_id)
            tally.seconds.append(time.monotonic() - began)
        stop.wait(max(0.0, every - (time.monotonic() - began)))


def _upload(
    http: requests.Session, base: str, data: bytes, name: str, stop: threading.Event, errors: Errors
) -> int | None:
    api = f"{base}/api/v1/uploads"
    body = {"filename": name, "type": "video/mp4", "size": len(data), "title": name}
    created = call(http, "POST", api, "upload_create", errors, stop, json=body)
    if created is None or created.status_code != 201:
        return None
    upload_id = created.json()["id"]
    deadline = time.monotonic() + RETRY_FOR_SECONDS
    etag = None
    while etag is None and time.monotonic() < deadline:  # the store may be down: sign again
        signed = call(http, "POST", f"{api}/{upload_id}/parts/1/url", "upload_sign", errors, stop)
        if signed is None or signed.status_code != 200:
            return None
        target = signed.json()
        try:
            if target["direct"]:
                put = requests.put(target["url"], data=data, timeout=REQUEST_TIMEOUT)
            else:
                put = http.put(base + target["url"], data=data, timeout=REQUEST_TIMEOUT)
        except requests.RequestException as exc:
            errors.add(f"upload_part:{type(exc).__name__}")
            stop.wait(1.0)
            continue
        if put.status_code == 200:
            etag = put.headers["ETag"]
        else:
            errors.add(f"upload_part:{put.status_code}")
            stop.wait(1.0)
    if etag is None:
        errors.add("upload_part:gave_up")
        return None
    parts = {"parts": [{"PartNumber": 1, "ETag": etag}]}
    while True:
        done = call(
            http, "POST", f"{api}/{upload_id}/complete", "upload_complete", errors, stop, json=parts
        )
        if done is not None and done.status_code in (200, 201):
            return int(done.json()["video"]["id"])
        # A 5xx other than 503 (the store or the database went away mid-request): the
        # completion is idempotent, so a client asks again.
        if done is None or done.status_code < 500 or time.monotonic() > deadline:
            return None
        stop.wait(1.0)


def run_exporter(
    base: str,
    token: str,
    every: float,
    stop: threading.Event,
    errors: Errors,
    uploads: UploadTally,
    requested: list[int],
) -> None:
    """Every ``every`` s: cut a clip of the oldest uploaded video not clipped yet (once
    it is READY: a 400 means not yet) and ask for its export (a clip-export job)."""
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    clipped = 0
    while not stop.wait(every):
        if clipped >= len(uploads.video_ids):
            continue
        video_id = uploads.video_ids[clipped]
        url = f"{base}/api/v1/videos/{video_id}/clips"
        body = {"title": f"Clip of {video_id}", "start": 1.0, "end": 5.0}
        made = call(http, "POST", url, "clip_create", errors, stop, (400,), json=body)
        if made is None or made.status_code != 201:
            continue
        clipped += 1
        clip_id = made.json()["id"]
        sent = call(http, "POST", f"{url}/{clip_id}/export", "clip_export", errors, stop)
        if sent is not None and sent.status_code == 202:
            requested.append(int(sent.json()["id"]))


def run_reporter(
    base: str, email: str, every: float, stop: threading.Event, errors: Errors, tally: Counter
) -> None:
    """Sign in as the admin, then download the path report's CSV every ``every`` s."""
    http = requests.Session()
    url = f"{base}/reports/paths/{REPORT_SLUG}/export.csv"
    signed_in = False
    while not stop.is_set():
        began = time.monotonic()
        if not signed_in:
            signed_in = _sign_in(http, base, email, stop, errors)
        if signed_in:
            answer = call(http, "GET", url, "report_csv", errors, stop, allow_redirects=False)
            if answer is not None and answer.status_code == 200 and answer.content:
                tally["ok"] += 1
                tally["rows"] = answer.text.count("\n")
            elif answer is not None and answer.status_code in (301, 302, 401):
                signed_in = False
        stop.wait(max(0.0, every - (time.monotonic() - began)))


def _sign_in(
    http: requests.Session, base: str, email: str, stop: threading.Event, errors: Errors
) -> bool:
    page = call(http, "GET", f"{base}/login", "sign_in", errors, stop)
    found = CSRF_META.search(page.text) if page is not None and page.ok else None
    if not found:
        return False
    data = {"email": email, "password": PASSWORD, "csrf_token": found.group(1)}
    answer = call(
        http, "POST", f"{base}/login", "sign_in", errors, stop, data=data, allow_redirects=False
    )
    return answer is not None and answer.status_code == 302


# --------------------------------------------------------------------------- faults


def _db(url: str, sql: str) -> list[tuple]:
    import psycopg  # noqa: PLC0415

    with psycopg.connect(url, connect_timeout=5) as conn:
        return conn.execute(sql).fetchall()


def running_jobs(url: str) -> dict[tuple[str, int], int]:
    """Every RUNNING job now: (table, id) → attempt."""
    rows = []
    for table in ("transcode_jobs", "clip_exports"):
        rows += [
            (table, i, a)
            for i, a in _db(url, f"SELECT id, attempts FROM {table} WHERE state = 'running'")
        ]
    return {(t, i): a for t, i, a in rows}


def jobs_moved_on(url: str, before: dict[tuple[str, int], int]) -> bool:
    """Every job of ``before`` is finished, or running again in a later attempt (a
    handed-back job merely waiting in the queue has not recovered yet)."""
    for (table, job_id), attempt in before.items():
        rows = _db(url, f"SELECT state, attempts FROM {table} WHERE id = {int(job_id)}")
        if not rows:
            continue
        state, attempts = rows[0]
        if state in ("ready", "failed"):
            continue
        if state == "running" and attempts > attempt:
            continue
        return False
    return True


class Faults:
    """Inject each fault, restore, and time the recovery."""

    def __init__(self, stack: Stack, viewers: list[ViewerState], s3_outage: float) -> None:
        self.stack, self.viewers, self.s3_outage = stack, viewers, s3_outage
        self.records: list[dict[str, Any]] = []
        self.next_worker = 0

    def _acked_since(self, moment: float) -> bool:
        return any(v.last_ack > moment for v in self.viewers)

    def _safe(self, check: Callable[[], bool]) -> Callable[[], bool]:
        def wrapped() -> bool:
            try:
                return check()
            except Exception:  # the database may still be coming back
                return False

        return wrapped

    def run(self, kind: str) -> None:
        """One fault of ``kind``; appends its record (recovery seconds, or an error)."""
        stack, url = self.stack, self.stack.database_url
        record: dict[str, Any] = {"fault": kind}
        checks: list[Callable[[], bool]] = [stack.healthy]
        n = None
        if kind == "kill_worker":
            # Kill one while it transcodes (if one does within 30 s): its job must recover.
            deadline = time.monotonic() + 30
            while n is None and time.monotonic() < deadline:
                n = stack.busy_worker()
                if n is None:
                    time.sleep(0.1)
            record["worker_was_transcoding"] = n is not None
        record["at"] = time.strftime("%H:%M:%S")
        injected = time.monotonic()
        if kind == "kill_worker":
            if n is None:
                n = self.next_worker % 2
            self.next_worker += 1
            try:
                held = running_jobs(url)
            except Exception:  # noqa: BLE001  (no database: nothing known to be held)
                held = {}
            stack.kill_worker(n)
            stack.start_worker(n)  # what a supervisor does
            record["running_jobs_at_kill"] = len(held)
            checks.append(self._safe(lambda: jobs_moved_on(url, held)))
        elif kind == "restart_postgres":
            stack.stop_postgres()
            stack.start_postgres()
        elif kind == "restart_redis":
            stack.stop_redis()
            stack.start_redis()
        elif kind == "stop_s3":
            stack.stop_s3()
            time.sleep(self.s3_outage)
            stack.start_s3()
            record["outage_seconds"] = self.s3_outage
        restored = time.monotonic()
        record["fault_seconds"] = round(restored - injected, 2)
        checks.append(lambda: self._acked_since(restored))
        try:
            _wait(lambda: all(check() for check in checks), RECOVERY_LIMIT, kind, 0.25)
            record["recovery_seconds"] = round(time.monotonic() - restored, 2)
        except RuntimeError as exc:
            record["recovery_seconds"] = None
            record["error"] = str(exc)
        self.records.append(record)
        print(json.dumps(record), file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- verify


def verify_beats(url: str, viewers: list[ViewerState], seeded: list[Any]) -> dict[str, Any]:
    """Acknowledged beats vs those of them stored (each beat's own range in the union)."""
    rows = _db(
        url,
        "SELECT t.token_hash, p.video_id, p.intervals FROM watch_progress p "
        "JOIN api_tokens t ON t.user_id = p.user_id",
    )
    import hashlib  # noqa: PLC0415

    stored = {
        (token_hash, video_id): {(round(a, 3), round(b, 3)) for a, b in (intervals or [])}
        for token_hash, video_id, intervals in rows
    }
    acked = acked_stored = stored_total = 0
    for v in viewers:
        ranges = stored.get((hashlib.sha256(v.token.encode()).hexdigest(), v.video_id), set())
        acked += len(v.acked)
        acked_stored += sum(1 for r in v.acked if r in ranges)
        stored_total += len(ranges)
    sent = sum(v.sent for v in viewers)
    return {
        "sent": sent,
        "acknowledged": acked,
        "acknowledged_and_stored": acked_stored,
        "acknowledged_lost": acked - acked_stored,
        "stored": stored_total,
        "stored_unacknowledged": stored_total - acked_stored,
        "equal": acked == acked_stored,
    }


def job_counts(url: str) -> dict[str, Any]:
    """Jobs of every kind by state; started = rows created, finished = READY or FAILED."""
    out: dict[str, Any] = {}
    for table in ("transcode_jobs", "clip_exports"):
        states = dict(_db(url, f"SELECT state, count(*) FROM {table} GROUP BY state"))
        out[table] = {
            "started": sum(states.values()),
            "finished": states.get("ready", 0) + states.get("failed", 0),
            "by_state": states,
            "attempts_max": _db(url, f"SELECT coalesce(max(attempts), 0) FROM {table}")[0][0],
        }
    return out


def videos_ready(url: str, ids: list[int]) -> dict[str, int]:
    if not ids:
        return {}
    listed = ",".join(str(int(i)) for i in ids)
    return dict(
        _db(url, f"SELECT state, count(*) FROM videos WHERE id IN ({listed}) GROUP BY state")
    )


# --------------------------------------------------------------------------- main


FAULTS = ("kill_worker", "restart_postgres", "restart_redis", "stop_s3")


def soak(args: argparse.Namespace) -> dict[str, Any]:
    """Start the stack, seed, load, inject the faults, drain, verify; the result."""
    workdir = Path(tempfile.mkdtemp(prefix="learnstream-soak-"))
    cfg = {
        "sweep_seconds": args.sweep_seconds,
        "stale_seconds": args.stale_seconds,
        "redispatch_seconds": args.redispatch_seconds,
        "max_attempts": args.max_attempts,
    }
    stack = Stack(workdir, args.web_workers, args.web_threads, cfg)
    errors, stop = Errors(), threading.Event()
    try:
        stack.start_postgres()
        stack.create_database()
        stack.start_redis()
        stack.start_s3()
        stack.make_env()
        seeded = seed(args.viewers)
        from transcoder.synth import generate  # noqa: PLC0415

        media = generate(
            workdir / "lesson.mp4", seconds=args.media_seconds, width=320, height=180, fps=25
        ).read_bytes()
        stack.start_web()
        for n in (0, 1):
            stack.start_worker(n)
        stack.start_beat()
        _wait(lambda: stack.worker_ready(0) and stack.worker_ready(1), 120, "the workers")

        viewers = [
            ViewerState(s.token, s.video_id, f"soak-{i}") for i, s in enumerate(seeded.viewers)
        ]
        uploads, reports = UploadTally(), Counter[str]()
        threads = [
            threading.Thread(
                target=run_viewer,
                args=(v, stack.base_url, args.beat_period, stop, errors),
                daemon=True,
            )
            for v in viewers
        ]
        threads.append(
            threading.Thread(
                target=run_uploader,
                args=(
                    stack.base_url,
                    seeded.instructor_token,
                    media,
                    args.upload_every,
                    stop,
                    errors,
                    uploads,
                ),
                daemon=True,
            )
        )
        exports: list[int] = []
        threads.append(
            threading.Thread(
                target=run_exporter,
                args=(
                    stack.base_url,
                    seeded.instructor_token,
                    args.export_every,
                    stop,
                    errors,
                    uploads,
                    exports,
                ),
                daemon=True,
            )
        )
        threads.append(
            threading.Thread(
                target=run_reporter,
                args=(stack.base_url, seeded.admin_email, args.report_every, stop, errors, reports),
                daemon=True,
            )
        )
        began = time.monotonic()
        for thread in threads:
            thread.start()

        faults = Faults(stack, viewers, args.s3_outage)
        total = args.minutes * 60
        plan = [kind for _ in range(2) for kind in FAULTS]
        first, last = 0.15 * total, 0.75 * total
        spacing = (last - first) / max(1, len(plan) - 1)
        for i, kind in enumerate(plan):
            due = began + first + i * spacing
            time.sleep(max(0.0, due - time.monotonic()))
            faults.run(kind)
        time.sleep(max(0.0, began + total - time.monotonic()))
        stop.set()
        load_seconds = time.monotonic() - began
        for thread in threads:
            thread.join(timeout=RETRY_FOR_SECONDS + REQUEST_TIMEOUT + 10)

        url = stack.database_url
        drained = time.monotonic()

        def all_finished() -> bool:
            counts = job_counts(url)
            return all(c["started"] == c["finished"] for c in counts.values())

        try:
            _wait(all_finished, args.drain_seconds, "the jobs to finish", 1.0)
        except RuntimeError as exc:
            errors.add("drain:timeout")
            print(exc, file=sys.stderr)
        drain_seconds = time.monotonic() - drained

        beats = verify_beats(url, viewers, seeded.viewers)
        jobs = job_counts(url)
        ready = videos_ready(url, uploads.video_ids)
        recoveries: dict[str, Any] = {}
        for kind in FAULTS:
            times = [r["recovery_seconds"] for r in faults.records if r["fault"] == kind]
            recoveries[kind] = {
                "max_seconds": None if None in times or not times else max(times),
                "each_seconds": times,
            }
        transcode = jobs["transcode_jobs"]
        return {
            "minutes": args.minutes,
            "viewers": args.viewers,
            "load_seconds": round(load_seconds, 1),
            "drain_seconds": round(drain_seconds, 1),
            "heartbeats": beats,
            "heartbeats_per_second_acked": round(beats["acknowledged"] / load_seconds, 1),
            "uploads": {
                "started": uploads.started,
                "completed": uploads.completed,
                "videos_ready": ready.get("ready", 0),
                "videos_by_state": ready,
                "equal": uploads.completed == ready.get("ready", 0),
                "upload_seconds_max": round(max(uploads.seconds), 2) if uploads.seconds else None,
            },
            "jobs": {
                **jobs,
                "started": sum(c["started"] for c in jobs.values()),
                "finished": sum(c["finished"] for c in jobs.values()),
                "equal": all(c["started"] == c["finished"] for c in jobs.values()),
                "transcodes_failed": transcode["by_state"].get("failed", 0),
            },
            "clip_exports_requested": len(exports),
            "report_csv": {"downloaded": reports["ok"], "lines": reports.get("rows", 0)},
            "faults": faults.records,
            "recovery": recoveries,
            "recovery_max_seconds": max(
                (r["recovery_seconds"] for r in faults.records if r["recovery_seconds"]),
                default=None,
            ),
            "faults_not_recovered": sum(1 for r in faults.records if r["recovery_seconds"] is None),
            "errors": dict(sorted(errors.counts.items())),
            "settings": {
                **cfg,
                "beat_period": args.beat_period,
                "upload_every": args.upload_every,
                "report_every": args.report_every,
                "web": f"granian {args.web_workers}x{args.web_threads}",
                "workers": "2 x celery --pool=threads --concurrency=2",
                "s3_outage": args.s3_outage,
                "media_seconds": args.media_seconds,
            },
            "load_1min_after": os.getloadavg()[0],
            "workdir": str(workdir) if args.keep else None,
        }
    finally:
        stop.set()
        stack.stop_all()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def write_result(result: dict[str, Any], results_dir: Path = RESULTS_DIR) -> Path:
    """Write ``result`` as JSON to ``results_dir/soak-<timestamp>.json``."""
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"soak-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    return path


def main() -> None:
    """Parse arguments, soak, print and write one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=20)
    parser.add_argument("--viewers", type=int, default=300)
    parser.add_argument("--beat-period", type=float, default=5.0)
    parser.add_argument("--upload-every", type=float, default=10.0)
    parser.add_argument("--report-every", type=float, default=15.0)
    parser.add_argument("--export-every", type=float, default=15.0)
    parser.add_argument("--media-seconds", type=float, default=8.0)
    parser.add_argument("--s3-outage", type=float, default=30.0)
    parser.add_argument("--sweep-seconds", type=int, default=5)
    parser.add_argument("--stale-seconds", type=int, default=20)
    parser.add_argument("--redispatch-seconds", type=int, default=30)
    parser.add_argument("--max-attempts", type=int, default=3)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=16)
    parser.add_argument("--drain-seconds", type=float, default=600)
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs)")
    args = parser.parse_args()
    result = soak(args)
    print(json.dumps(result))
    write_result(result)


if __name__ == "__main__":
    main()
