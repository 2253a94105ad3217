"""Unwatched parts of a module: the complement of the watched intervals (pure)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from webapp.progress import intervals as iv
from webapp.timefmt import clock

# Gaps shorter than this between watched intervals are heartbeat noise, not "unwatched".
MIN_GAP_SECONDS = 1.0


@dataclass(frozen=True)
class Range:
    """An unwatched part of a module, in seconds from the module's start."""

    start: float
    end: float

    @property
    def label(self) -> str:
        """``m:ss–m:ss`` (``h:mm:ss`` from an hour; start rounded down, end rounded up)."""
        return f"{clock(math.floor(self.start))}–{clock(math.ceil(self.end))}"

    @property
    def seconds(self) -> float:
        """Length of the range."""
        return self.end - self.start


def unwatched(
    watched: Iterable[iv.Interval], duration: float, min_gap: float = MIN_GAP_SECONDS
) -> list[Range]:
    """The parts of ``[0, duration]`` not covered by ``watched``, ignoring gaps < ``min_gap``."""
    if duration <= 0:
        return []
    ranges, cursor = [], 0.0
    for start, end in iv.clamp(iv.merge(watched), duration):
        if start - cursor >= min_gap:
            ranges.append(Range(cursor, start))
        cursor = max(cursor, end)
    if duration - cursor >= min_gap:
        ranges.append(Range(cursor, duration))
    return ranges
