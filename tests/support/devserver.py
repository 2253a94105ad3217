"""``flask serve`` (``make run``) as a real process tree, for the tests that stop, kill
and restart its parts."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from celery import Celery
from flask import Flask

from tests.support.paths import ROOT
from tests.support.ports import free_port
from tests.support.waiting import wait_until
from transcoder.synth import generate
from webapp import jobs

START_TIMEOUT = 120.0
STOP_TIMEOUT = 60.0  # STOP_GRACE_SECONDS (20) plus a generous margin for a loaded machine


def _wait(predicate: Callable[[], bool], what: str, timeout: float = 120) -> None:
    wait_until(predicate, timeout, f"timed out waiting for {what}", interval=0.2)


class DevServer:
    """``flask --app webapp serve`` on the suite's database and media, with a private
    instance directory (scratch, beat schedule) and a private queue (a SQLite broker), so
    no other worker of the suite can take its jobs. ``settings`` are more environment
    variables (``JOB_STALE_SECONDS="10"``)."""

    def __init__(self, app: Flask, instance: Path, **settings: str) -> None:
        self.instance = instance
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = instance / "serve.log"
        self.env = {
            **os.environ,
            "LEARNSTREAM_INSTANCE": str(instance),
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "MEDIA_ROOT": app.config["MEDIA_ROOT"],
            "CELERY_BROKER_URL": f"sqla+sqlite:///{instance / 'celery.sqlite'}",
            "SWEEP_INTERVAL_SECONDS": "3600",
            **settings,
        }
        self.proc: subprocess.Popen | None = None

    def dispatch(self, job_id: int, monkeypatch: pytest.MonkeyPatch) -> None:
        """Put the job on this server's queue (Celery reads the broker from the
        environment first, so it is set there for the call)."""
        broker = self.env["CELERY_BROKER_URL"]
        with monkeypatch.context() as patch:
            patch.setenv("CELERY_BROKER_URL", broker)
            sender = Celery("faults-shutdown", broker=broker, set_as_current=False)
            try:
                sender.send_task(jobs.TRANSCODE_TASK, args=[job_id])
            finally:
                sender.close()

    def start(self) -> None:
        """Start it in a session of its own (as a shell starts a foreground job) and wait
        until the web answers and the worker is ready."""
        offset = self.launch()
        _wait(lambda: "ready." in self.output(offset), "the worker", START_TIMEOUT)
        _wait(self._healthy, "the web server", START_TIMEOUT)

    def launch(self) -> int:
        """Start it without waiting; returns the log offset its output starts at."""
        offset = self.log.stat().st_size if self.log.exists() else 0
        argv = [str(Path(sys.executable).parent / "flask"), "--app", "webapp", "serve"]
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [*argv, "--port", str(self.port)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return offset

    def _healthy(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"flask serve exited:\n{self.output()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=10) as response:  # noqa: S310
                return response.status == 200
        except OSError:
            return False

    def output(self, offset: int = 0) -> str:
        """What web and worker printed since ``offset``."""
        with self.log.open("rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")

    def stop(self, signum: int) -> None:
        """Ctrl-C goes to the terminal's whole foreground process group; SIGTERM (a
        service manager, ``kill``) to the process."""
        if signum == signal.SIGINT:
            os.killpg(self.proc.pid, signal.SIGINT)
        else:
            self.proc.send_signal(signum)

    def wait(self) -> int:
        """Its exit status (fails the test if it does not exit in time)."""
        try:
            return self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"flask serve did not stop:\n{self.output()[-3000:]}") from None

    def leftovers(self) -> list[str]:
        """Processes still running that belong to this server: every descendant of
        ``flask serve`` inherits its environment, with this instance directory in it
        (web server workers, Celery, ffmpeg); its worker and ffmpeg also name the
        directory in their command lines."""
        needle = str(self.instance).encode()
        mark = b"LEARNSTREAM_INSTANCE=" + needle + b"\0"
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            try:
                environ = b"\0" + (entry / "environ").read_bytes()
            except OSError:  # another user's process
                environ = b""
            if needle in cmdline or b"\0" + mark in environ:
                words = cmdline.replace(b"\0", b" ").decode(errors="replace")
                found.append(f"{entry.name}: {words[:200]}")
        return found

    def kill(self) -> None:
        """Clean-up after a failed test: the whole group and the children's sessions."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        for line in self.leftovers():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(line.split(":", 1)[0]), signal.SIGKILL)

    def pids(self, name: str) -> list[int]:
        """The pids ``flask serve`` started ``name`` ("web", "worker") with, in order."""
        return [
            int(pid) for pid in re.findall(rf"^{name} running \(pid (\d+)\)", self.output(), re.M)
        ]

    def healthy(self) -> bool:
        """Whether the web server answers ``/healthz`` with 200."""
        return self._healthy()


@contextlib.contextmanager
def dev_server(app: Flask, tmp_path: Path, **settings: str) -> Iterator[DevServer]:
    """A ``DevServer`` in ``tmp_path/instance``, killed whatever the test left running."""
    instance = tmp_path / "instance"
    instance.mkdir()
    server = DevServer(app, instance, **settings)
    try:
        yield server
    finally:
        server.kill()


def long_class(directory: Path) -> Path:
    """A 150 s class (about 11 s to encode on a quiet machine): long enough to stop or
    kill a worker mid-encode, short enough to encode again within a test."""
    return generate(directory / "class.mp4", seconds=150.0, width=640, height=360, fps=25)


def running(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for its reaper does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def children(pid: int, program: str) -> list[int]:
    """Running children of ``pid`` whose executable's name starts with ``program``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            argv0 = (entry / "cmdline").read_bytes().split(b"\0", 1)[0].decode()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid and Path(argv0).name.startswith(program) and running(int(entry.name)):
            found.append(int(entry.name))
    return found
