"""Why an upload is refused; each carries the message the instructor sees."""

from __future__ import annotations


class UploadRejected(ValueError):
    """The upload is bad input; the message tells the instructor why."""


class UploadTooLarge(UploadRejected):
    """The declared or actual size is over the per-file cap."""


class QuotaExceeded(UploadTooLarge):
    """The upload would take the owner over their storage quota."""


class UploadConflict(UploadRejected):
    """The upload is no longer open (aborted, rejected) or is being completed right now."""


class MediaToolsUnavailable(RuntimeError):
    """ffprobe could not run: a server problem, not the instructor's file."""
