"""The only place in the package that runs ffmpeg (started by :mod:`transcoder.child`).

A process that is shutting down calls :func:`request_stop`: every ffmpeg run of the
process is then killed within ``_POLL_SECONDS`` and raises :class:`Interrupted`, and no
new one starts, so a worker's shutdown never waits for a long encode.
"""

from __future__ import annotations

import os
import queue
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import IO

from transcoder.binaries import resolve
from transcoder.child import cpu_rlimit, spawn, wait_with_usage
from transcoder.errors import (
    SERVER_PROBLEM,
    CpuBudgetExceeded,
    TranscodeError,
    TranscodeTimeout,
    failure_reason,
)

STDERR_TAIL_LINES = 20
_POLL_SECONDS = 0.5
_KILL_WAIT_SECONDS = 10.0
_EOF = None
_TAIL_BYTES = 64 * 1024
# Set from a signal handler, so a plain flag: an Event's lock could deadlock the thread
# the handler interrupted.
_stop_requested = False


class Interrupted(Exception):
    """The process is shutting down: the run was stopped, not failed (run it again)."""


def request_stop() -> None:
    """Stop every ffmpeg run of this process now and refuse new ones (safe in a signal
    handler: it only sets a flag the runs poll)."""
    global _stop_requested
    _stop_requested = True


def stop_requested() -> bool:
    """Whether :func:`request_stop` was called in this process."""
    return _stop_requested


def check_stop() -> None:
    """Raise :class:`Interrupted` if the process is shutting down."""
    if _stop_requested:
        raise Interrupted("stopped: the worker is shutting down")


def wait_or_stop(seconds: float) -> None:
    """Sleep ``seconds``, or raise :class:`Interrupted` as soon as a stop is requested."""
    deadline = time.monotonic() + seconds
    while (remaining := deadline - time.monotonic()) > 0:
        check_stop()
        time.sleep(min(remaining, _POLL_SECONDS))
    check_stop()


class ProgressParser:
    """Incremental parser for ffmpeg's ``-progress`` key=value output.

    ``out_time_us`` and ``out_time_ms`` are both microseconds in ffmpeg 5 (the latter
    is a long-standing misnomer). ``progress=end`` means 100 %.
    """

    def __init__(self, duration: float) -> None:
        self.duration = duration
        self.percent = 0.0

    def feed(self, line: str) -> float | None:
        """Consume one line; return the new percent (0-100) if it moved forward."""
        key, sep, value = line.strip().partition("=")
        if not sep:
            return None
        if key == "progress" and value.strip() == "end":
            return self._advance(100.0)
        if key in ("out_time_us", "out_time_ms"):
            try:
                micros = int(value)
            except ValueError:  # "N/A" before the first packet is written
                return None
            if self.duration <= 0:
                return None
            return self._advance(micros / 1_000_000 / self.duration * 100.0)
        return None

    def _advance(self, percent: float) -> float | None:
        percent = min(max(percent, 0.0), 100.0)
        if percent <= self.percent:
            return None
        self.percent = percent
        return percent


def run_ffmpeg(
    argv: list[str],
    *,
    duration: float,
    on_progress: Callable[[float], None] | None,
    timeout: float,
    min_interval: float = 2.0,
    cpu_seconds: float | None = None,
) -> float:
    """Run ``argv`` (which should include ``-progress pipe:1``) to completion; returns
    the CPU seconds ffmpeg used.

    ``on_progress(percent)`` is called at most every ``min_interval`` seconds while
    ffmpeg runs, plus once with 100.0 on success. Raises :class:`TranscodeError` on a
    non-zero exit (with the tail of stderr) or after ``timeout`` seconds, and
    :class:`CpuBudgetExceeded` when the kernel stopped ffmpeg after ``cpu_seconds`` of
    CPU time (None: no limit). The child is always reaped, and dies with this process;
    if ``on_progress`` raises, ffmpeg is killed and the exception propagates. After
    :func:`request_stop` ffmpeg is killed (or not started) and :class:`Interrupted` is
    raised.
    """
    check_stop()
    deadline = time.monotonic() + timeout
    with tempfile.TemporaryFile() as stderr_file:
        try:
            proc = spawn(
                resolve(argv),
                cpu_seconds=cpu_seconds,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=stderr_file,  # a file, not a pipe: a chatty ffmpeg cannot deadlock us
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise TranscodeError(f"could not start ffmpeg: {exc}", reason=SERVER_PROBLEM) from exc
        try:
            _pump_progress(proc, duration, on_progress, deadline, min_interval)
            returncode, used = wait_with_usage(proc, max(deadline - time.monotonic(), 0.01))
        except subprocess.TimeoutExpired:
            raise _timeout_error(timeout, stderr_file) from None
        finally:
            _reap(proc)
        if returncode != 0:
            raise _exit_error(returncode, used, cpu_seconds, _tail(stderr_file))
    if on_progress is not None:
        on_progress(100.0)
    return used


def _exit_error(
    returncode: int, used: float, cpu_seconds: float | None, tail: str
) -> TranscodeError:
    """Why ffmpeg failed: its CPU budget (it had used it all), or its input."""
    limit = cpu_rlimit(cpu_seconds)
    if limit is not None and used >= limit[0] - 0.01:  # the kernel signals at the soft limit
        return CpuBudgetExceeded(
            f"ffmpeg stopped after {used:.1f} CPU seconds (budget {cpu_seconds:.0f},"
            f" exit code {returncode})",
            tail,
        )
    return TranscodeError(
        f"ffmpeg failed with exit code {returncode}", tail, reason=failure_reason(tail)
    )


def _pump_progress(
    proc: subprocess.Popen[bytes],
    duration: float,
    on_progress: Callable[[float], None] | None,
    deadline: float,
    min_interval: float,
) -> None:
    """Forward progress until ffmpeg closes stdout; TimeoutExpired past the deadline."""
    assert proc.stdout is not None
    lines: queue.Queue[bytes | None] = queue.Queue()
    # A reader thread lets the deadline be enforced even when ffmpeg writes nothing.
    reader = threading.Thread(target=_read_lines, args=(proc.stdout, lines), daemon=True)
    reader.start()
    parser = ProgressParser(duration)
    last_report = float("-inf")
    while True:
        check_stop()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise subprocess.TimeoutExpired(proc.args, 0)
        try:
            raw = lines.get(timeout=min(remaining, _POLL_SECONDS))
        except queue.Empty:
            continue
        if raw is _EOF:
            return
        percent = parser.feed(raw.decode("utf-8", "replace"))
        now = time.monotonic()
        if percent is not None and on_progress is not None and now - last_report >= min_interval:
            last_report = now
            on_progress(percent)


def _read_lines(stream: IO[bytes], lines: queue.Queue[bytes | None]) -> None:
    try:
        for raw in stream:
            lines.put(raw)
    except (OSError, ValueError):  # stream closed by _reap while we were reading
        pass
    finally:
        lines.put(_EOF)


def _reap(proc: subprocess.Popen[bytes]) -> None:
    """Kill ffmpeg if it is still running and wait for it, so no child is left."""
    if proc.poll() is None:
        proc.kill()
    try:
        proc.wait(timeout=_KILL_WAIT_SECONDS)
    finally:
        if proc.stdout is not None:
            proc.stdout.close()


def _timeout_error(timeout: float, stderr_file: IO[bytes]) -> TranscodeError:
    return TranscodeTimeout(f"ffmpeg timed out after {timeout:g} seconds", _tail(stderr_file))


def _tail(stderr_file: IO[bytes], lines: int = STDERR_TAIL_LINES) -> str:
    stderr_file.flush()
    size = stderr_file.seek(0, os.SEEK_END)
    stderr_file.seek(max(0, size - _TAIL_BYTES))
    text = stderr_file.read().decode("utf-8", "replace")
    return "\n".join(deque(text.splitlines(), maxlen=lines))
