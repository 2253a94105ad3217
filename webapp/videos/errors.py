"""The video manager's domain errors: a message for people, and the field it is about."""

from __future__ import annotations


class VideoError(ValueError):
    """Bad input for a video write; ``field`` names the input it is about."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class VideoInUse(Exception):
    """The video is still a class recording or a course module (delete without force)."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons
