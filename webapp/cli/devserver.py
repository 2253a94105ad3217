"""``flask serve``: web and worker together, stopped together by Ctrl-C or SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import click
from flask import current_app

from webapp.cli.seed import DEMO_USERS

STOP_GRACE_SECONDS = 20


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
            "transcoder.worker",
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
    procs = {name: subprocess.Popen(argv) for name, argv in commands.items()}
    stopping = False

    def _stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    time.sleep(2)
    click.echo(_banner(port))
    while not stopping and all(p.poll() is None for p in procs.values()):
        time.sleep(0.5)
    for name, proc in procs.items():
        if proc.poll() is None:
            click.echo(f"stopping {name}…")
            proc.send_signal(signal.SIGTERM)  # gunicorn and celery both shut down warm
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for proc in procs.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
    click.echo("stopped.")
