"""`make run` (``flask serve``) stops cleanly: Ctrl-C or SIGTERM ends web and worker and
exits 0, with nothing killed; a second Ctrl-C stops at once, still with 0; and under a
real terminal, make itself (which Ctrl-C would otherwise interrupt, "Interrupt" and a
failure status) exits 0. Real processes; every wait is for a condition.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import signal
import subprocess
import sys
import termios
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.support.devserver import DevServer, dev_server
from tests.support.paths import ROOT
from tests.support.waiting import wait_until

pytestmark = pytest.mark.worker

STOP_TIMEOUT = 90


@pytest.fixture
def devserver(app: Flask, tmp_path: Path) -> Iterator[DevServer]:
    with dev_server(app, tmp_path) as server:
        yield server


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
def test_a_stop_signal_stops_everything_with_status_0(devserver: DevServer, signum: int) -> None:
    devserver.start()
    devserver.stop(signum)
    assert devserver.wait() == 0, devserver.output()[-3000:]
    output = devserver.output()
    assert "stopped." in output and "killing" not in output, output[-3000:]
    assert devserver.leftovers() == []


def test_a_second_ctrl_c_stops_at_once_and_still_with_status_0(devserver: DevServer) -> None:
    devserver.start()
    devserver.stop(signal.SIGINT)
    wait_until(lambda: "stopping worker" in devserver.output(), 60, "the stop to begin")
    devserver.stop(signal.SIGINT)
    assert devserver.wait() == 0, devserver.output()[-3000:]
    assert "did not stop in time" not in devserver.output()
    assert devserver.leftovers() == []


def _controlling_terminal() -> None:
    """In the child, after setsid: the pty on stdin becomes its controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def test_ctrl_c_in_a_terminal_ends_make_run_with_status_0(
    devserver: DevServer, tmp_path: Path
) -> None:
    """As `make run` in a terminal: Ctrl-C goes to the terminal's foreground group."""
    makefile = tmp_path / "Makefile"
    flask = Path(sys.executable).parent / "flask"
    makefile.write_text(f"run:\n\t@{flask} --app webapp serve --port {devserver.port}\n")
    primary, secondary = pty.openpty()
    make = subprocess.Popen(
        ["make", "--no-print-directory", "-f", str(makefile), "run"],
        cwd=ROOT,
        env=devserver.env,
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        start_new_session=True,
        preexec_fn=_controlling_terminal,  # noqa: PLW1509 - no threads start before it
    )
    os.close(secondary)
    os.set_blocking(primary, False)
    output = bytearray()

    def read_some() -> None:
        # Nothing new (non-blocking), or every writer has exited.
        with contextlib.suppress(OSError):
            output.extend(os.read(primary, 65536))

    def serving() -> bool:
        read_some()
        try:
            with urllib.request.urlopen(f"{devserver.base_url}/healthz", timeout=5) as r:  # noqa: S310
                return r.status == 200 and b"ready." in output
        except OSError:
            return False

    try:
        wait_until(serving, 180, "make run to serve", interval=0.5)
        os.write(primary, b"\x03")  # Ctrl-C, as typed
        wait_until(lambda: read_some() or make.poll() is not None, STOP_TIMEOUT, "make to end")
        read_some()
        text = output.decode(errors="replace")
        assert make.returncode == 0, text[-3000:]
        assert "stopped." in text and "Interrupt" not in text and "Error" not in text
        assert "killing" not in text
        assert devserver.leftovers() == []
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait()
        os.close(primary)


def test_make_run_is_quiet_by_default(app: Flask, tmp_path: Path) -> None:
    """LOG_LEVEL=WARNING (make run's default): no access log, no Celery banner, no beat
    or task lines, no root warning; the banner with the URL and logins still shows."""
    with dev_server(app, tmp_path, LOG_LEVEL="WARNING", SWEEP_INTERVAL_SECONDS="1") as server:
        server.launch()
        wait_until(server.healthy, 180, "the web server", interval=0.5)
        wait_until(
            lambda: "Learnstream is running at" in server.output(), 60, "the banner", interval=0.2
        )
        schedule = server.instance / "celerybeat-schedule"
        wait_until(
            lambda: any(server.instance.glob("celerybeat-schedule*")), 120, f"beat ({schedule})"
        )
        server.stop(signal.SIGTERM)
        assert server.wait() == 0
        output = server.output()
    for noise in ("GET /healthz", "[tasks]", "Sending due task", "superuser privileges", "ready."):
        assert noise not in output, output[-3000:]
    assert "learner@example.com" in output and "stopped." in output


def test_make_run_installs_only_what_running_needs() -> None:
    """`make run` installs requirements.txt; the development tools come with lint/test."""

    def planned(target: str) -> str:
        dry = subprocess.run(
            ["make", "--no-print-directory", "-n", "-B", target],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return dry.stdout

    run = planned("run")
    assert "install --quiet -r requirements.txt" in run and "requirements-dev.txt" not in run
    assert "npm ci" in run  # the site serves hls.js, Uppy, SortableJS and Swagger UI
    for target in ("test", "lint"):
        assert "install --quiet -r requirements-dev.txt" in planned(target)
