"""``flask serve``: web and worker together, kept running, stopped together by Ctrl-C or
SIGTERM.

Each child runs in a session of its own, so a Ctrl-C in the terminal reaches only this
process (not the web server's processes directly, nor ffmpeg, which would fail the
transcode). A child that dies on its own is restarted with back-off while the other
keeps serving, its whole process group killed first (``webapp/cli/supervisor.py``);
the job a killed worker held is handed back by the sweeper, which the worker's
embedded Celery beat runs. On a stop signal this process stops both the graceful way,
with SIGTERM to each child's leader: granian stops accepting connections and its
workers answer the requests in flight before they exit (a heartbeat is answered only
once its batch is committed, so nothing acknowledged is lost; workers still busy after
``WEB_GRACE_SECONDS`` are killed), the Celery worker stops running transcodes and
hands their jobs back to the queue (``webapp/celery_app.py``). What still runs after
``STOP_GRACE_SECONDS`` is killed with its whole process group, ffmpeg included; a
second Ctrl-C does that at once. A stop that was asked for ends with status 0.

Started from a terminal (``make run``), it takes the terminal's foreground for its own
process group, so that Ctrl-C reaches it alone and not ``make`` above it, which would
report "Interrupt" and fail; the terminal is handed back before it exits.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
from pathlib import Path

import click
from flask import current_app

from webapp.cli.seed import DEMO_MANAGER, DEMO_USERS
from webapp.cli.supervisor import StartupFailed, Supervisor

STOP_GRACE_SECONDS = 20
WEB_GRACE_SECONDS = 15  # granian's --workers-kill-timeout: inside STOP_GRACE_SECONDS
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


# Celery warns at every start of a worker run as root (it is, on a developer's
# machine or CI): a development server hides only that warning.
ROOT_WARNING = "ignore:You're running the worker with superuser privileges"


def _commands(port: int, instance: str, level: str) -> dict[str, list[str]]:
    """The children's command lines; ``level`` (``LOG_LEVEL``) below WARNING also shows
    the access log, Celery's banner and each task and beat line."""
    bin_dir = os.path.dirname(sys.executable)
    verbose = logging.getLevelName(level) in range(logging.NOTSET, logging.WARNING)
    return {
        "web": [
            os.path.join(bin_dir, "granian"),
            "--interface=wsgi",
            "--host=127.0.0.1",
            f"--port={port}",
            "--workers=2",
            # Heartbeats wait for their batch's commit: threads let batches fill.
            "--blocking-threads=32",
            "--http=1",
            "--no-ws",
            "--respawn-failed-workers",  # a killed web worker is replaced; the rest serve on
            f"--workers-kill-timeout={WEB_GRACE_SECONDS}",
            f"--log-level={level.lower()}",
            "--access-log" if verbose else "--no-access-log",
            "--factory",
            "webapp:create_app",
        ],
        "worker": [
            os.path.join(bin_dir, "celery"),
            *([] if verbose else ["--quiet"]),  # the banner and its task list
            "-A",
            "webapp.jobs.worker",
            "worker",
            "--pool=threads",
            "--concurrency=2",
            f"--loglevel={level}",
            # Embedded beat runs the periodic job sweeper (compose runs it separately).
            "--beat",
            f"--schedule={os.path.join(instance, 'celerybeat-schedule')}",
        ],
    }


def _banner(port: int) -> str:
    lines = [f"\n  Learnstream is running at http://127.0.0.1:{port}\n", "  Demo logins:"]
    lines += [
        f"    {'manager' if email == DEMO_MANAGER else role:<10} {email:<28} {password}"
        for email, password, role, _ in DEMO_USERS
    ]
    lines.append("\n  Web and worker are restarted if they die. Press Ctrl-C to stop both.\n")
    return "\n".join(lines)


@click.command("serve")
@click.option("--port", envvar="PORT", default=5000, show_default=True, type=int)
def serve(port: int) -> None:
    """Run the web server and the transcoder worker until interrupted."""
    instance = current_app.config["INSTANCE_DIR"]
    envs = {"web": _metrics_env(instance), "worker": _worker_env()}
    level = current_app.config["LOG_LEVEL"]
    supervisor = Supervisor(_commands(port, instance, level), envs)
    received = _catch_stop_signals()
    terminal = _take_terminal()
    try:
        failed = _run(supervisor, port, received)
    finally:
        _give_back_terminal(terminal)
    if failed:
        raise SystemExit(1)


def _run(supervisor: Supervisor, port: int, received: list[int]) -> bool:
    """Run until a stop signal, stop; whether something failed (a child that could not
    start or stop, or that exited with an error before it was asked to stop)."""
    supervisor.start()
    failed = False
    try:
        supervisor.run(lambda: bool(received), timeout=2)
        if not received:
            click.echo(_banner(port))
        supervisor.run(lambda: bool(received))
    except StartupFailed as exc:
        click.echo(str(exc), err=True)
        failed = True
    forced = lambda: len(received) > 1  # noqa: E731 - a second Ctrl-C: stop at once
    killed = supervisor.stop(STOP_GRACE_SECONDS, force=forced)
    click.echo("stopped.")
    # Killed on a second Ctrl-C is what was asked; killed after the grace is not.
    return failed or (bool(killed) and not forced()) or supervisor.any_failed()


def _metrics_env(instance: str) -> dict[str, str]:
    """The web workers' environment: one ``PROMETHEUS_MULTIPROC_DIR`` where they add up
    their metrics (``instance/prometheus`` unless set), emptied of an earlier run's."""
    directory = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or Path(instance, "prometheus"))
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    return {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}


def _worker_env() -> dict[str, str]:
    warnings = [w for w in (os.environ.get("PYTHONWARNINGS"), ROOT_WARNING) if w]
    return {**os.environ, "PYTHONWARNINGS": ",".join(warnings)}


def _take_terminal() -> tuple[int, int] | None:
    """Make this process's group the terminal's foreground group when it runs in the
    foreground of one (``make run``); returns (terminal, previous group) to hand back."""
    try:
        fd = sys.stdin.fileno()
        if not os.isatty(fd) or os.tcgetpgrp(fd) != os.getpgrp():
            return None
        previous = os.getpgrp()
        if os.getpid() == previous:
            return None  # started by a shell with job control: it is its own group already
        os.setpgid(0, 0)
        _set_foreground(fd, os.getpgrp())
        return fd, previous
    except (OSError, ValueError):
        return None


def _give_back_terminal(terminal: tuple[int, int] | None) -> None:
    if terminal is None:
        return
    fd, previous = terminal
    with contextlib.suppress(OSError):  # that group has gone: the shell takes it back
        _set_foreground(fd, previous)


def _set_foreground(fd: int, pgrp: int) -> None:
    # A background group changing the foreground gets SIGTTOU unless it ignores it.
    old = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        os.tcsetpgrp(fd, pgrp)
    finally:
        signal.signal(signal.SIGTTOU, old)


def _catch_stop_signals() -> list[int]:
    """Record Ctrl-C, SIGTERM and SIGHUP instead of dying; returns the list they go to."""
    received: list[int] = []

    def _on_signal(signum: int, _frame: object) -> None:
        received.append(signum)

    for signum in STOP_SIGNALS:
        signal.signal(signum, _on_signal)
    return received
