"""The app under a real HTTP server for a benchmark: granian (what we deploy) or gunicorn.

``bench.heartbeats`` starts one with ``app_server`` and measures it from another
process; ``server_argv`` is the command line, also printed with each result.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SERVERS = ("granian", "gunicorn")


def server_argv(kind: str, port: int, workers: int, threads: int, pool: int = 0) -> list[str]:
    """The server under test, with ``threads`` request threads per worker process
    (threads let a batch fill while it commits) and ``pool`` database connections per
    worker kept open (0: the app's default).

    ``granian``: what we deploy (HTTP handled in Rust, the app on blocking threads).
    ``gunicorn`` (gthread workers, requirements-dev.txt): what we deployed before, kept
    as the baseline of what the server itself costs per request; the app is the same.
    """
    engine = {"pool_pre_ping": True, "pool_size": pool, "max_overflow": 5}
    overrides = f"{{'SQLALCHEMY_ENGINE_OPTIONS': {engine!r}}}" if pool else ""
    bin_dir = Path(sys.executable).parent
    if kind == "gunicorn":
        return [
            str(bin_dir / "gunicorn"),
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            f"--threads={threads}",
            "--worker-class=gthread",
            "--keep-alive=75",
            "--backlog=4096",
            "--log-level=warning",
            f"webapp:create_app({overrides})",
        ]
    return [
        str(bin_dir / "granian"),
        "--interface=wsgi",
        "--host=127.0.0.1",
        f"--port={port}",
        f"--workers={workers}",
        f"--blocking-threads={threads}",
        "--backlog=4096",
        "--http=1",
        "--no-ws",
        "--log-level=warning",
        "--factory",
        "bench.heartbeats_app:create",
    ]


READY_PATH = "/api/v1/no-such-route"  # a constant 404 from the app, no database


def answers(port: int, timeout: float = 5.0) -> bool:
    """Whether the app (not only the server's listening socket) answers on ``port``."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", READY_PATH)
        conn.getresponse().read()
        return True
    except OSError:
        return False
    finally:
        conn.close()


@contextmanager
def app_server(
    kind: str, workers: int, threads: int, pool: int, ready_seconds: float = 120.0
) -> Iterator[tuple[int, int]]:
    """The app under ``kind`` on a free port, once it answers; (port, pid). Stopped after.

    Both servers listen before their workers have loaded the app (more than the load's
    10 s request timeout on a busy machine), so readiness is HTTP answers, not a
    connection: otherwise the first measured requests wait for the workers to boot.
    """
    port = free_port()
    env = {**os.environ, "BENCH_DB_POOL": str(pool)}
    proc = subprocess.Popen(server_argv(kind, port, workers, threads, pool), cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + ready_seconds
        answered = 0
        # Several quick answers in a row: new connections spread over the workers that
        # accept, and a worker accepts only once it has loaded the app.
        while answered < 4 * workers:
            if proc.poll() is not None:
                raise RuntimeError(f"{kind} exited with {proc.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{kind} did not answer within {ready_seconds:.0f} s")
            if answers(port):
                answered += 1
            else:
                answered = 0
                time.sleep(0.2)
        yield port, proc.pid
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    """Stop a server: SIGTERM (requests in flight finish), then SIGKILL after 30 s."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
