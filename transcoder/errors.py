"""Exceptions raised by the transcoder package."""

from __future__ import annotations


class InvalidMedia(Exception):
    """The upload is bad input and must never be retried.

    The message is shown to instructors, so it is plain language, e.g.
    "This file is not a video we can read (no video stream)".
    """


class TranscodeError(Exception):
    """ffmpeg failed (on input it accepted: not retried, the same input fails again).

    ``stderr_tail`` holds the last lines ffmpeg wrote to stderr (may be empty).
    """

    def __init__(self, message: str, stderr_tail: str = "") -> None:
        full = f"{message}\n{stderr_tail}" if stderr_tail else message
        super().__init__(full)
        self.message = message
        self.stderr_tail = stderr_tail


class TranscodeTimeout(TranscodeError):
    """ffmpeg ran past its wall-clock budget (a loaded machine: worth a retry)."""
