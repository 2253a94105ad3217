"""How much CPU time ffmpeg may spend on one job, in proportion to its media's length.

A small crafted file can claim a picture and a length within every cap and still cost
many minutes of CPU per second of media (a 35 KB file once kept a worker busy for ten
minutes and wrote 97 MB). Honest recordings cost far less than the default multiple
(docs/deploy.md has the measured figure), so a job that goes past it is stopped.
"""

from __future__ import annotations

from dataclasses import dataclass

from transcoder.errors import CpuBudgetExceeded

DEFAULT_PER_MEDIA_SECOND = 20.0
# Very short clips still pay ffmpeg's start-up, the poster and the storyboard.
DEFAULT_FLOOR_SECONDS = 60.0


@dataclass(frozen=True)
class CpuBudget:
    """``per_media_second`` CPU seconds per second of media, at least ``floor_seconds``."""

    per_media_second: float = DEFAULT_PER_MEDIA_SECOND
    floor_seconds: float = DEFAULT_FLOOR_SECONDS

    def seconds_for(self, duration: float) -> float:
        """The CPU seconds a job on ``duration`` seconds of media may spend in ffmpeg."""
        return max(self.floor_seconds, self.per_media_second * max(duration, 0.0))


class CpuAccount:
    """What is left of one job's CPU budget as its ffmpeg runs spend it (None: no budget)."""

    def __init__(self, total: float | None) -> None:
        self.total = total
        self.spent = 0.0

    def left(self) -> float | None:
        """CPU seconds the next ffmpeg run may use; raises once nothing is left."""
        if self.total is None:
            return None
        left = self.total - self.spent
        if left <= 0:
            raise CpuBudgetExceeded(f"ffmpeg used the job's {self.total:g} CPU seconds")
        return left

    def spend(self, seconds: float) -> None:
        """Record what one ffmpeg run used."""
        self.spent += seconds
