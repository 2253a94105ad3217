"""Validation of time ranges and titles sent by instructors (pure)."""

from __future__ import annotations

import math


class BadInput(ValueError):
    """A clip or chapter field is invalid; the message says which and why."""


MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_TOPIC = 80
MIN_CLIP_SECONDS = 0.5


def seconds(value: object, what: str) -> float:
    """A finite, non-negative number of seconds, or BadInput."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadInput(f"{what} must be a number of seconds")
    number = float(value)
    if not math.isfinite(number):
        raise BadInput(f"{what} must be a finite number of seconds")
    if number < 0:
        raise BadInput(f"{what} must not be negative")
    return number


def clip_range(start: object, end: object, duration: float | None) -> tuple[float, float]:
    """Validate [start, end) inside a recording of ``duration`` seconds."""
    a, b = seconds(start, "start"), seconds(end, "end")
    if a >= b:
        raise BadInput("start must be before end")
    if b - a < MIN_CLIP_SECONDS:
        raise BadInput(f"a clip must last at least {MIN_CLIP_SECONDS} s")
    if duration is not None and b > duration + 1e-6:
        raise BadInput(f"end ({b:g} s) is past the end of the recording ({duration:g} s)")
    return round(a, 3), round(b, 3)


def chapter_start(start: object, duration: float | None) -> float:
    """A chapter start inside the recording."""
    a = seconds(start, "start")
    if duration is not None and a >= duration:
        raise BadInput(f"start ({a:g} s) is past the end of the recording ({duration:g} s)")
    return round(a, 3)


def text(value: object, what: str, limit: int, *, required: bool) -> str:
    """A trimmed single-spaced string of at most ``limit`` characters."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise BadInput(f"{what} must be text")
    cleaned = " ".join(value.split()) if what != "description" else value.strip()
    if required and not cleaned:
        raise BadInput(f"{what} is required")
    if len(cleaned) > limit:
        raise BadInput(f"{what} is too long (at most {limit} characters)")
    return cleaned
