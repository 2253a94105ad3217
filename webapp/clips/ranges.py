"""Validation of time ranges and titles sent by instructors (pure).

The API's schemas (``webapp/clips/schemas.py``) have checked types, signs and lengths; what
is left here needs the recording or the clip: order, minimum length, the end of the
recording, blank titles.
"""

from __future__ import annotations


class BadInput(ValueError):
    """A clip or chapter field is invalid; the message says which and why."""


MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_TOPIC = 80
MIN_CLIP_SECONDS = 0.5


def clip_range(start: float, end: float, duration: float | None) -> tuple[float, float]:
    """Validate [start, end) inside a recording of ``duration`` seconds."""
    a, b = float(start), float(end)
    if a >= b:
        raise BadInput("start must be before end")
    if b - a < MIN_CLIP_SECONDS:
        raise BadInput(f"a clip must last at least {MIN_CLIP_SECONDS} s")
    if duration is not None and b > duration + 1e-6:
        raise BadInput(f"end ({b:g} s) is past the end of the recording ({duration:g} s)")
    return round(a, 3), round(b, 3)


def chapter_start(start: float, duration: float | None) -> float:
    """A chapter start inside the recording."""
    a = float(start)
    if duration is not None and a >= duration:
        raise BadInput(f"start ({a:g} s) is past the end of the recording ({duration:g} s)")
    return round(a, 3)


def text(value: str | None, what: str, limit: int, *, required: bool) -> str:
    """A trimmed (titles: single-spaced) string of at most ``limit`` characters."""
    value = value or ""
    cleaned = " ".join(value.split()) if what != "description" else value.strip()
    if required and not cleaned:
        raise BadInput(f"{what} is required")
    if len(cleaned) > limit:
        raise BadInput(f"{what} is too long (at most {limit} characters)")
    return cleaned
