"""``flask serve``: web and worker together, stopped together by Ctrl-C or SIGTERM.

Each child runs in a session of its own, so a Ctrl-C in the terminal reaches only this
process (not gunicorn, whose SIGINT is a quick shutdown that drops requests, nor
ffmpeg, which would fail the transcode), and this process stops both the graceful way,
with SIGTERM: gunicorn finishes the requests in flight, the Celery worker stops running
transcodes and hands their jobs back to the queue (``webapp/celery_app.py``). What still
runs after ``STOP_GRACE_SECONDS`` is killed with its whole process group, ffmpeg
included; a second Ctrl-C does that at once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import click
from flask import current_app

from webapp.cli.seed import DEMO_USERS

STOP_GRACE_SECONDS = 20
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_POLL_SECONDS = 0.2


def _commands(port: int, instance: str) -> dict[str, list[str]]:
    bin_dir = os.path.dirname(sys.executable)
    return {
        "web": [
            os.path.join(bin_dir, "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "32",  # heartbeats wait for their batch's commit: threads let batches fill
            "--graceful-timeout",
            "15",
            "--access-logfile",
            "-",
            "webapp:create_app()",
        ],
        "worker": [
            os.path.join(bin_dir, "celery"),
            "-A",
            "webapp.jobs.worker",
            "worker",
            "--pool=threads",
            "--concurrency=2",
            "--loglevel=INFO",
            # Embedded beat runs the periodic job sweeper (compose runs it separately).
            "--beat",
            f"--schedule={os.path.join(instance, 'celerybeat-schedule')}",
        ],
    }


def _banner(port: int) -> str:
    lines = [f"\n  Learnstream is running at http://127.0.0.1:{port}\n", "  Demo logins:"]
    lines += [f"    {role:<10} {email:<28} {password}" for email, password, role, _ in DEMO_USERS]
    lines.append("\n  Press Ctrl-C to stop web and worker.\n")
    return "\n".join(lines)


@click.command("serve")
@click.option("--port", envvar="PORT", default=5000, show_default=True, type=int)
def serve(port: int) -> None:
    """Run the web server and the transcoder worker until interrupted."""
    commands = _commands(port, current_app.config["INSTANCE_DIR"])
    received = _catch_stop_signals()
    procs = {
        name: subprocess.Popen(argv, start_new_session=True) for name, argv in commands.items()
    }
    _wait(procs, lambda: bool(received), timeout=2)
    if not received:
        click.echo(_banner(port))
    _wait(procs, lambda: bool(received), timeout=None)
    failed = [name for name, proc in procs.items() if proc.poll() is not None]
    for name in failed:
        click.echo(f"{name} exited unexpectedly (code {procs[name].returncode})", err=True)
    failed += _stop(procs, force=lambda: len(received) > 1)
    click.echo("stopped.")
    if failed or any(proc.returncode != 0 for proc in procs.values()):
        raise SystemExit(1)


def _catch_stop_signals() -> list[int]:
    """Record Ctrl-C, SIGTERM and SIGHUP instead of dying; returns the list they go to."""
    received: list[int] = []

    def _on_signal(signum: int, _frame: object) -> None:
        received.append(signum)

    for signum in STOP_SIGNALS:
        signal.signal(signum, _on_signal)
    return received


def _stop(procs: dict[str, subprocess.Popen], force: Callable[[], bool]) -> list[str]:
    """SIGTERM each running child, wait, then kill the rest; returns those killed."""
    for name, proc in procs.items():
        if proc.poll() is None:
            click.echo(f"stopping {name}…")
            proc.send_signal(signal.SIGTERM)  # to the leader only: both shut down warm
    _wait_all(procs, STOP_GRACE_SECONDS, force)
    killed = []
    for name, proc in procs.items():
        if proc.poll() is None:
            click.echo(f"{name} did not stop in time; killing it", err=True)
            os.killpg(proc.pid, signal.SIGKILL)  # its group: ffmpeg children too
            proc.wait()
            killed.append(name)
    return killed


def _wait(
    procs: dict[str, subprocess.Popen], stop: Callable[[], bool], timeout: float | None
) -> None:
    """Until ``stop()`` is true, a child exits, or ``timeout`` seconds pass."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while not stop() and all(proc.poll() is None for proc in procs.values()):
        if deadline is not None and time.monotonic() >= deadline:
            return
        time.sleep(_POLL_SECONDS)


def _wait_all(
    procs: dict[str, subprocess.Popen], timeout: float, force: Callable[[], bool]
) -> None:
    """Until every child has exited, ``timeout`` seconds pass, or ``force()`` is true."""
    deadline = time.monotonic() + timeout
    while any(proc.poll() is None for proc in procs.values()):
        if force() or time.monotonic() >= deadline:
            return
        time.sleep(_POLL_SECONDS)
