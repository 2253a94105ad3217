"""Keep ``flask serve``'s children (web server, worker) running until it is told to stop.

Each child runs in a session, and so a process group, of its own: ffmpeg, the embedded
Celery beat and granian's workers belong to their parent's group. A child that dies
(``kill -9``, a crash) has its whole group killed at once, so no orphan writes on
into a scratch directory a new worker is about to clean, nor sweeps twice as a second
beat, nor holds the web server's port, and it is started again after a back-off of
1 s, doubling up to 30 s, back to 1 s once it has stayed up for a minute. The other
child keeps running meanwhile. Only a child that exits with an error of its own (not
killed by a signal) within ``STARTUP_SECONDS`` of its very first start (a taken port,
a broken install) stops everything: restarting would not help.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import click

INITIAL_BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 30.0
STABLE_SECONDS = 60.0  # up this long: its next death starts the back-off over
STARTUP_SECONDS = 10.0
GROUP_EXIT_SECONDS = 5.0  # a SIGKILLed group is gone well within this
POLL_SECONDS = 0.2


class StartupFailed(Exception):
    """A child died right after its first start: restarting it would not help."""


@dataclass
class Backoff:
    """The waits before restarts: ``initial`` doubling up to ``cap``; a child that was
    up for ``stable_after`` seconds starts again from ``initial``."""

    initial: float = INITIAL_BACKOFF_SECONDS
    cap: float = MAX_BACKOFF_SECONDS
    stable_after: float = STABLE_SECONDS
    _next: float = field(default=0.0, init=False)

    def delay(self, uptime: float) -> float:
        """Seconds to wait before restarting a child that died after ``uptime`` seconds."""
        if self._next == 0.0 or uptime >= self.stable_after:
            self._next = self.initial
        delay = self._next
        self._next = min(self.cap, self._next * 2)
        return delay


class Child:
    """One supervised command, started in a session of its own."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.started_at = 0.0
        self.restart_at: float | None = None
        self.backoff = Backoff()

    def start(self) -> None:
        """Start the command (again)."""
        self.proc = subprocess.Popen(self.argv, start_new_session=True, env=self.env)
        self.starts += 1
        self.started_at = time.monotonic()
        self.restart_at = None
        click.echo(f"{self.name} running (pid {self.proc.pid})")

    def running(self) -> bool:
        """Whether its process is alive."""
        return self.proc is not None and self.proc.poll() is None

    def kill_group(self) -> None:
        """SIGKILL whatever is left of its process group and wait until it is gone."""
        if self.proc is None:
            return
        _kill_group(self.proc.pid)
        if self.proc.poll() is None:
            self.proc.wait()


class Supervisor:
    """Starts the children, restarts those that die, stops them all at the end."""

    def __init__(
        self, commands: dict[str, list[str]], envs: dict[str, dict[str, str]] | None = None
    ) -> None:
        envs = envs or {}
        self.children = [Child(name, argv, envs.get(name)) for name, argv in commands.items()]

    def start(self) -> None:
        """Start every child."""
        for child in self.children:
            child.start()

    def run(self, stop: Callable[[], bool], timeout: float | None = None) -> None:
        """Tend the children until ``stop()`` is true or ``timeout`` seconds pass.
        Raises :class:`StartupFailed` when a child dies right after its first start."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not stop():
            self.tend()
            if deadline is not None and time.monotonic() >= deadline:
                return
            time.sleep(POLL_SECONDS)

    def tend(self) -> None:
        """One look at every child: clean up after a death, restart when it is time."""
        now = time.monotonic()
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.start()
            elif not child.running():
                self._died(child, now)

    def _died(self, child: Child, now: float) -> None:
        assert child.proc is not None
        code = child.proc.returncode
        uptime = now - child.started_at
        child.kill_group()  # ffmpeg, beat, granian's workers: nothing outlives it
        if child.starts == 1 and uptime < STARTUP_SECONDS and code is not None and code > 0:
            raise StartupFailed(f"{child.name} exited right after it started (code {code})")
        delay = child.backoff.delay(uptime)
        child.restart_at = now + delay
        click.echo(
            f"{child.name} exited unexpectedly (code {code}) after {uptime:.0f} s;"
            f" restarting it in {delay:g} s",
            err=True,
        )

    def stop(self, grace: float, force: Callable[[], bool]) -> list[str]:
        """SIGTERM each running child, wait up to ``grace`` seconds (or until
        ``force()``), then kill the rest with their groups; returns those killed."""
        for child in self.children:
            child.restart_at = None
            if child.running():
                assert child.proc is not None
                click.echo(f"stopping {child.name}…")
                child.proc.send_signal(signal.SIGTERM)  # the leader only: a warm shutdown
        deadline = time.monotonic() + grace
        while any(child.running() for child in self.children):
            if force() or time.monotonic() >= deadline:
                break
            time.sleep(POLL_SECONDS)
        forced = force()
        killed = []
        for child in self.children:
            if child.running():
                why = "stopping it at once" if forced else "did not stop in time"
                click.echo(f"{child.name}: {why}; killing it", err=True)
                killed.append(child.name)
            child.kill_group()
        return killed

    def any_failed(self) -> bool:
        """Whether a child exited with an error of its own: a stopped child exits 0, or
        by the signal that stopped it (SIGTERM, or SIGKILL when it was killed)."""
        stopped = (0, -signal.SIGTERM, -signal.SIGKILL, -signal.SIGINT)
        return any(code not in stopped for code in self.exit_codes().values())

    def exit_codes(self) -> dict[str, int | None]:
        """Each child's last exit code (None: never started)."""
        return {c.name: c.proc.returncode if c.proc else None for c in self.children}


def _kill_group(pgid: int) -> None:
    """SIGKILL the process group ``pgid`` and wait (briefly) until none of it runs."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + GROUP_EXIT_SECONDS
    while time.monotonic() < deadline and group_alive(pgid):
        time.sleep(0.05)


def group_alive(pgid: int) -> bool:
    """Whether a process of group ``pgid`` still runs (zombies do not count)."""
    if not os.path.isdir("/proc"):  # not Linux: zombies count as running there
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    with os.scandir("/proc") as entries:
        for entry in entries:
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as stat:
                    fields = stat.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != b"Z":
                return True
    return False
