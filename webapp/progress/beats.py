"""Parse a heartbeat body into a ``Beat`` (pure)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from webapp.progress.intervals import Interval

MAX_INTERVALS_PER_BEAT = 50
MIN_RATE, MAX_RATE = 0.0625, 16.0  # what browsers accept for playbackRate
# The player's fastest speed (the last of SPEEDS in player_static/controls.js): watched
# time is credited at most this fast, and a beat claiming more counts as this.
PLAYER_MAX_RATE = 2.0
MAX_SEQ = 2**53  # the largest integer a JavaScript number holds exactly
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
NOT_JSON = "the body must be JSON (Content-Type: application/json) or a form with a beat field"


class BadHeartbeat(ValueError):
    """The heartbeat is malformed or impossible; the message says what is wrong."""


@dataclass(frozen=True)
class Beat:
    """A well-formed heartbeat: resume position and intervals played since the last one.

    ``session``/``seq`` are absent for the foundation's beats (then the position always
    applies); ``rate`` is the fastest playback rate used since the last beat, capped at
    ``PLAYER_MAX_RATE`` (the credit does not depend on it: see ``rules.py``).
    """

    position: float
    played: tuple[Interval, ...] = ()
    session: str | None = None
    seq: int | None = None
    rate: float = 1.0


def _number(value: object, what: str) -> float:
    # bool is an int in Python; a JSON true is not a time.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadHeartbeat(f"{what} must be a number of seconds")
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise BadHeartbeat(f"{what} must be a finite, non-negative number of seconds")
    return number


def _played(raw: object) -> tuple[Interval, ...]:
    if not isinstance(raw, list) or len(raw) > MAX_INTERVALS_PER_BEAT:
        raise BadHeartbeat(f"played must be a list of at most {MAX_INTERVALS_PER_BEAT} pairs")
    played = []
    for pair in raw:
        if not isinstance(pair, list) or len(pair) != 2:
            raise BadHeartbeat("each played interval must be [start, end]")
        start, end = _number(pair[0], "played start"), _number(pair[1], "played end")
        if end < start:
            raise BadHeartbeat("a played interval must not end before it starts")
        played.append((start, end))
    return tuple(played)


def _session(payload: dict) -> tuple[str | None, int | None]:
    session, seq = payload.get("session"), payload.get("seq")
    if session is None and seq is None:
        return None, None
    if not isinstance(session, str) or not SESSION_ID.fullmatch(session):
        raise BadHeartbeat("session must be 1 to 64 letters, digits, '-' or '_' (with seq)")
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq <= MAX_SEQ:
        raise BadHeartbeat("seq must be a non-negative integer (with session)")
    return session, seq


def _rate(raw: object) -> float:
    if raw is None:
        return 1.0
    if isinstance(raw, bool) or not isinstance(raw, int | float) or math.isnan(raw):
        raise BadHeartbeat("rate must be a number")
    if not MIN_RATE <= raw <= MAX_RATE:
        raise BadHeartbeat(f"rate must be between {MIN_RATE} and {MAX_RATE:g}")
    # A browser can play faster than the player offers (an extension, the console);
    # such a beat still counts, as if played at the player's fastest.
    return min(float(raw), PLAYER_MAX_RATE)


def parse_beat(payload: object) -> Beat:
    """Validate ``{"position", "played"?, "session"?, "seq"?, "rate"?}`` (docs/api.md)."""
    if not isinstance(payload, dict):
        raise BadHeartbeat('send a JSON object such as {"position": 12.5}')
    if "position" not in payload:
        raise BadHeartbeat("position is required")
    position = _number(payload["position"], "position")
    played = _played(payload.get("played", []))
    session, seq = _session(payload)
    return Beat(position, played, session, seq, _rate(payload.get("rate")))
