"""How the transcoder starts ffmpeg: tied to the life of its worker, within a CPU budget.

A worker killed with SIGKILL cannot stop its children, and an orphaned ffmpeg goes on
encoding into a scratch directory that a restarted worker has just removed. On Linux
each child therefore asks the kernel (``prctl(PR_SET_PDEATHSIG)``) to SIGKILL it when
the thread that started it dies; elsewhere only the supervisor's process-group kill
(``webapp/cli/supervisor.py``) covers it.

``RLIMIT_CPU`` lets the kernel stop a child that used up its CPU time, however many
threads it runs: SIGXCPU at the limit (ffmpeg stops on it), SIGKILL
``CPU_KILL_GRACE_SECONDS`` of CPU later. :func:`wait_with_usage` reaps the child with
its own resource usage, so a caller can tell a budget stop from any other failure.
"""

from __future__ import annotations

import ctypes
import math
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
CPU_KILL_GRACE_SECONDS = 5
_WAIT_POLL_MAX_SECONDS = 0.05


def _linux_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    return prctl


# Looked up once here: the child, between fork and exec, only calls it.
_prctl = _linux_prctl()


def cpu_rlimit(cpu_seconds: float | None) -> tuple[int, int] | None:
    """The (soft, hard) ``RLIMIT_CPU`` for a budget of ``cpu_seconds`` (None: no limit),
    within the hard limit this process already has."""
    if cpu_seconds is None:
        return None
    soft = max(1, math.ceil(cpu_seconds))
    hard = soft + CPU_KILL_GRACE_SECONDS
    ceiling = resource.getrlimit(resource.RLIMIT_CPU)[1]
    if ceiling != resource.RLIM_INFINITY:
        hard = min(hard, ceiling)
        soft = min(soft, hard)
    return soft, hard


def child_setup(cpu_seconds: float | None = None) -> Callable[[], None]:
    """The ``preexec_fn`` that ties a child to this process and limits its CPU time.

    It runs between fork and exec in a threaded worker, so it only makes two system
    calls whose arguments are ready beforehand: no imports, locks or allocations of note.
    """
    parent = os.getpid()
    limit = cpu_rlimit(cpu_seconds)

    def setup() -> None:
        if _prctl is not None:
            _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            if os.getppid() != parent:  # the parent died before the request took effect
                os.kill(os.getpid(), signal.SIGKILL)
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_CPU, limit)

    return setup


def spawn(
    argv: list[str], *, cpu_seconds: float | None = None, **popen: Any
) -> subprocess.Popen[bytes]:
    """``subprocess.Popen(argv, **popen)`` for a child that dies with this process (on
    Linux) and gets at most ``cpu_seconds`` of CPU time (None: unlimited)."""
    return subprocess.Popen(argv, preexec_fn=child_setup(cpu_seconds), **popen)


def wait_with_usage(proc: subprocess.Popen[bytes], timeout: float) -> tuple[int, float]:
    """Reap ``proc``: its exit code (negative: killed by that signal) and the CPU seconds
    it used. Raises ``subprocess.TimeoutExpired`` if it still runs after ``timeout``."""
    deadline = time.monotonic() + timeout
    delay = 0.001
    while True:
        try:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        except ChildProcessError:  # reaped elsewhere (a SIGCHLD handler): usage unknown
            return proc.wait(max(deadline - time.monotonic(), 0.01)), 0.0
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, usage.ru_utime + usage.ru_stime
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise subprocess.TimeoutExpired(proc.args, timeout)
        time.sleep(min(delay, remaining))
        delay = min(delay * 2, _WAIT_POLL_MAX_SECONDS)
