"""What does private delivery cost? Authorised playlist + signed segment through the app
vs the same two files from a bare static server, both on gunicorn, in the same run.

In a throwaway instance (temp ``LEARNSTREAM_INSTANCE``: SQLite, local disk) a generated
lecture-like recording is transcoded by the real job runner. Then, for each mode in
turn (alternating, ``--rounds`` times), gunicorn runs with ``--workers`` sync workers
and a second set of processes (``--client-procs`` x ``--client-threads``) loops for
``--seconds`` in total per mode over:

* ``app``: ``GET /videos/<id>/hls/<top>/index.m3u8`` with a signed-in learner's session
  cookie (viewer check, playlist read, every segment URI signed), then ``GET`` of one of
  the signed ``/media/...`` links it names (signature and prefix check, ``send_file``);
* ``static``: ``GET /<top>/index.m3u8`` then ``GET /<top>/seg_NNNNN.ts`` of the same
  files from ``bench.static_files`` (no framework, sendfile), the floor.

Both modes use the same client code and parse the playlist the same way; requests per
second count both requests of each pair. Prints one JSON line and writes it to
``bench/results/delivery-<timestamp>.json``::

    .venv/bin/python -m bench.delivery [--seconds 20] [--workers 4]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin

from bench.app_server import free_port, stop

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
# The throwaway instance runs on the embedded defaults, whatever this shell points at.
_NOT_INHERITED = ("DATABASE_URL", "CELERY_BROKER_URL", "S3_BUCKET", "MEDIA_ROOT")
EMAIL, PASSWORD = "learner@bench.example", "bench-password-1"


@dataclass(frozen=True)
class Lesson:
    """The published recording the clients fetch."""

    video_id: int
    variant: str  # top rendition directory, e.g. "720p"
    ladder_dir: Path  # the published prefix on local disk
    segments: int
    mean_segment_bytes: int


# --------------------------------------------------------------------------- set-up


def child_env(instance: Path) -> dict[str, str]:
    """The environment of the servers: our instance, embedded engines."""
    env = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
    env["LEARNSTREAM_INSTANCE"] = str(instance)
    return env


def publish_lesson(instance: Path, seconds: float, width: int, height: int) -> Lesson:
    """Migrate the instance, add a learner, transcode and publish a lecture recording."""
    os.environ.update(child_env(instance))
    for name in _NOT_INHERITED:
        os.environ.pop(name, None)
    # Imported here: the app reads its settings from the environment set just above.
    from flask_migrate import upgrade  # noqa: PLC0415

    from transcoder.hls import parse_media_segments  # noqa: PLC0415
    from transcoder.synth import generate_lecture  # noqa: PLC0415
    from webapp import create_app  # noqa: PLC0415
    from webapp.auth.services import create_user  # noqa: PLC0415
    from webapp.extensions import db  # noqa: PLC0415
    from webapp.models import Video  # noqa: PLC0415
    from webapp.storage import get_storage  # noqa: PLC0415
    from webapp.transcoding.runner import run_job  # noqa: PLC0415
    from webapp.uploads.services import ingest  # noqa: PLC0415

    source = generate_lecture(instance.parent / "lecture.mp4", seconds, width=width, height=height)
    app = create_app()
    with app.app_context():
        upgrade()
        owner = create_user("owner@bench.example", PASSWORD, "instructor")
        create_user(EMAIL, PASSWORD, "learner")
        video, job = ingest(source, title="Bench lesson", owner=owner)
        db.session.commit()
        video_id, job_id = video.id, job.id
        if run_job(job_id) != "ready":
            raise RuntimeError("the bench recording did not transcode")
        video = db.session.get(Video, video_id)
        variant = video.renditions[0].playlist.rpartition("/")[0]
        ladder_dir = get_storage().path(video.hls_prefix)
    playlist = (ladder_dir / variant / "index.m3u8").read_text()
    sizes = [(ladder_dir / variant / s.uri).stat().st_size for s in parse_media_segments(playlist)]
    return Lesson(video_id, variant, ladder_dir, len(sizes), sum(sizes) // len(sizes))


def start_gunicorn(target: str, workers: int, env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    """gunicorn with ``workers`` sync workers on a free loopback port, once it answers."""
    port = free_port()
    argv = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        target,
    ]
    proc = subprocess.Popen(argv, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn {target} exited with {proc.returncode}")
        try:
            status, _, _ = request(port, "/healthz-probe-404")
        except OSError:
            time.sleep(0.2)
            continue
        if status == 404:
            return proc, port
    stop(proc)
    raise RuntimeError(f"gunicorn {target} did not answer within 60 s")


# --------------------------------------------------------------------------- clients


def request(
    port: int, path: str, headers: dict[str, str] | None = None, body: str | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One HTTP request on a fresh connection (gunicorn's sync workers close it anyway)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST" if body is not None else "GET", path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.msg, response.read()
    finally:
        conn.close()


def _session_cookie(headers: http.client.HTTPMessage) -> str | None:
    for value in headers.get_all("Set-Cookie") or []:
        jar = SimpleCookie(value)
        if "session" in jar:
            return f"session={jar['session'].value}"
    return None


def sign_in(port: int) -> str:
    """Sign the bench learner in through the form; returns the ``Cookie`` header value."""
    status, headers, html = request(port, "/login")
    token = CSRF_META.search(html.decode())
    cookie = _session_cookie(headers)
    if status != 200 or token is None or cookie is None:
        raise RuntimeError(f"sign-in page: {status}")
    form = urlencode({"email": EMAIL, "password": PASSWORD, "csrf_token": token.group(1)})
    form_headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    status, headers, _ = request(port, "/login", form_headers, form)
    cookie = _session_cookie(headers)
    if status != 302 or cookie is None:
        raise RuntimeError(f"sign-in failed: {status}")
    return cookie


def _pairs(port: int, playlist: str, headers: dict[str, str], until: float, out: list) -> None:
    """Loop (playlist, one segment it names) until ``until``; rotate through segments."""
    done = errors = received = 0
    turn = 0
    while time.time() < until:
        status, _, body = request(port, playlist, headers)
        if status != 200:
            errors += 1
            continue
        uris = [line for line in body.decode().splitlines() if line and line[0] != "#"]
        status, _, segment = request(port, urljoin(playlist, uris[turn % len(uris)]))
        turn += 1
        done += 2
        errors += status != 200
        received += len(body) + len(segment)
    out.append((done, errors, received))


def drive(
    port: int, playlist: str, headers: dict[str, str], start: float, seconds: float, threads: int
) -> tuple[int, int, int]:
    """One client process: ``threads`` loops from ``start`` for ``seconds``; sums them."""
    time.sleep(max(0.0, start - time.time()))
    out: list[tuple[int, int, int]] = []
    workers = [
        threading.Thread(target=_pairs, args=(port, playlist, headers, start + seconds, out))
        for _ in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return tuple(sum(column) for column in zip(*out, strict=True))  # type: ignore[return-value]


# --------------------------------------------------------------------------- measurement


def measure(lesson: Lesson, instance: Path, args: argparse.Namespace, pool: Any) -> dict[str, Any]:
    """Alternate the two modes ``args.rounds`` times; totals per mode."""
    env = child_env(instance)
    modes = {
        "app": ("webapp:create_app()", env),
        "static": ("bench.static_files:app", {**env, "BENCH_STATIC_ROOT": str(lesson.ladder_dir)}),
    }
    totals = {mode: [0, 0, 0, 0.0] for mode in modes}
    share = args.seconds / args.rounds
    for _ in range(args.rounds):
        for mode, (target, mode_env) in modes.items():
            proc, port = start_gunicorn(target, args.workers, mode_env)
            try:
                if mode == "app":
                    headers = {"Cookie": sign_in(port)}
                    playlist = f"/videos/{lesson.video_id}/hls/{lesson.variant}/index.m3u8"
                else:
                    headers, playlist = {}, f"/{lesson.variant}/index.m3u8"
                # Unmeasured warm-up: every worker booted, connected, caches filled.
                run = (port, playlist, headers, time.time() + 0.5, args.warmup)
                pool.starmap(drive, [(*run, args.client_threads)] * args.client_procs)
                run = (port, playlist, headers, time.time() + 0.5, share)
                jobs = [(*run, args.client_threads)] * args.client_procs
                for done, errors, received in pool.starmap(drive, jobs):
                    totals[mode][0] += done
                    totals[mode][1] += errors
                    totals[mode][2] += received
                totals[mode][3] += share
            finally:
                stop(proc)
    return {
        mode: {
            "requests": done,
            "errors": errors,
            "requests_per_s": round(done / elapsed, 1),
            "mb_per_s": round(received / elapsed / 1e6, 1),
        }
        for mode, (done, errors, received, elapsed) in totals.items()
    }


def write_result(result: dict[str, Any], results_dir: Path = RESULTS_DIR) -> Path:
    """Write ``result`` as JSON to ``results_dir/delivery-<timestamp>.json``."""
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"delivery-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(result) + "\n")
    return path


def main() -> None:
    """Publish a lesson, run both modes, print and store one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="load time per mode")
    parser.add_argument("--rounds", type=int, default=2, help="alternations of the modes")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds first")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument("--client-threads", type=int, default=8)
    parser.add_argument("--media-seconds", type=float, default=60.0)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp) / "instance"
        lesson = publish_lesson(instance, args.media_seconds, args.width, args.height)
        load_before = os.getloadavg()[0]
        with multiprocessing.get_context("spawn").Pool(args.client_procs) as pool:
            modes = measure(lesson, instance, args, pool)
    result = {
        "media": f"{args.media_seconds:g} s {args.width}x{args.height} lecture",
        "variant": lesson.variant,
        "segments": lesson.segments,
        "mean_segment_bytes": lesson.mean_segment_bytes,
        "gunicorn_workers": args.workers,
        "clients": f"{args.client_procs} processes x {args.client_threads} threads",
        "seconds_per_mode": args.seconds,
        "rounds": args.rounds,
        "warmup_seconds": args.warmup,
        **modes,
        "app_vs_static": round(
            modes["app"]["requests_per_s"] / modes["static"]["requests_per_s"], 3
        ),
        "cpu_count": os.cpu_count(),
        "load_1min_before": round(load_before, 2),
        "load_1min_after": round(os.getloadavg()[0], 2),
    }
    write_result(result)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
