"""Pure interval arithmetic for 'seconds actually watched'."""

from __future__ import annotations

from collections.abc import Iterable

Interval = tuple[float, float]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted union of closed intervals; touching or overlapping ones are joined."""
    result: list[list[float]] = []
    for start, end in sorted((float(a), float(b)) for a, b in intervals if b > a):
        if result and start <= result[-1][1]:
            result[-1][1] = max(result[-1][1], end)
        else:
            result.append([start, end])
    return [(a, b) for a, b in result]


def clamp(intervals: Iterable[Interval], upper: float) -> list[Interval]:
    """Cut every interval to [0, upper] and drop the empty ones."""
    return [(max(0.0, a), min(upper, b)) for a, b in intervals if min(upper, b) > max(0.0, a)]


def total(intervals: Iterable[Interval]) -> float:
    """Total length of already-merged intervals."""
    return sum(b - a for a, b in intervals)


def subtract(intervals: Iterable[Interval], covered: Iterable[Interval]) -> list[Interval]:
    """The parts of merged ``intervals`` outside merged ``covered``, in order."""
    holes = list(covered)
    result: list[Interval] = []
    i = 0
    for start, end in intervals:
        while i < len(holes) and holes[i][1] <= start:
            i += 1
        cursor, j = start, i
        while j < len(holes) and holes[j][0] < end:
            if holes[j][0] > cursor:
                result.append((cursor, holes[j][0]))
            cursor = max(cursor, holes[j][1])
            j += 1
        if cursor < end:
            result.append((cursor, end))
    return result


def take(intervals: Iterable[Interval], seconds: float) -> list[Interval]:
    """The first ``seconds`` of merged ``intervals``, in time order (none if not positive)."""
    result: list[Interval] = []
    left = seconds
    for start, end in intervals:
        if left <= 0:
            break
        result.append((start, min(end, start + left)))
        left -= end - start
    return result
