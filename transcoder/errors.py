"""Exceptions raised by the transcoder package.

Each :class:`TranscodeError` carries two texts: ``message`` (and ``stderr_tail``) for
the log, and ``reason``, a sentence an instructor understands, for the job's error.
"""

from __future__ import annotations

DAMAGED = (
    "The recording could not be converted for streaming: part of its picture or sound "
    "could not be decoded. The file may be damaged; export it again from your editing "
    "or recording software and upload the new file."
)
SERVER_PROBLEM = (
    "The server could not convert the recording because of a problem on our side, not "
    "with your file; an administrator can retry it."
)
DISK_FULL = (
    "The server ran out of disk space while converting the recording; this is not a "
    "problem with your file, and an administrator can retry it."
)
TOO_SLOW = (
    "Converting the recording took longer than it should, probably because the server was busy."
)
CPU_BUDGET = (
    "Transcoding took more processing time than a video of this length should; the file "
    "may be crafted or damaged."
)
# What ffmpeg writes when the machine, not the input, is at fault.
_DISK_FULL_MARKERS = ("No space left on device", "Disk quota exceeded")


class InvalidMedia(Exception):
    """The upload is bad input and must never be retried.

    The message is shown to instructors, so it is plain language, e.g.
    "This file is not a video we can read (no video stream)".
    """


class TranscodeError(Exception):
    """ffmpeg failed (on input it accepted: not retried, the same input fails again).

    ``stderr_tail`` holds the last lines ffmpeg wrote to stderr (may be empty);
    ``reason`` is the sentence shown to people (default: the file looks damaged).
    """

    reason: str = DAMAGED

    def __init__(self, message: str, stderr_tail: str = "", *, reason: str | None = None) -> None:
        full = f"{message}\n{stderr_tail}" if stderr_tail else message
        super().__init__(full)
        self.message = message
        self.stderr_tail = stderr_tail
        if reason is not None:
            self.reason = reason


class TranscodeTimeout(TranscodeError):
    """ffmpeg ran past its wall-clock budget (a loaded machine: worth a retry)."""

    reason = TOO_SLOW


class CpuBudgetExceeded(TranscodeError):
    """ffmpeg used more CPU time than the media's length allows (not retried)."""

    reason = CPU_BUDGET


def failure_reason(stderr_tail: str) -> str:
    """The sentence for an ffmpeg that exited with an error, from what it wrote."""
    if any(marker in stderr_tail for marker in _DISK_FULL_MARKERS):
        return DISK_FULL
    return DAMAGED
