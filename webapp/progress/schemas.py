"""The JSON shapes of progress on a module (a whole video or a clip), for the API routes of
videos and clips alike (``webapp.progress.services.summary``/``detail`` build them)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator, model_validator

from webapp.api.contract import Input, Output
from webapp.progress.beats import (
    MAX_INTERVALS_PER_BEAT,
    MAX_RATE,
    MAX_SEQ,
    MIN_RATE,
    PLAYER_MAX_RATE,
    SESSION_ID,
)


class ProgressOut(Output):
    """Where the learner stands on a module (after a heartbeat: once it is stored)."""

    position: float
    watched_seconds: float
    percent: float
    completed: bool


class ProgressDetail(ProgressOut):
    """``ProgressOut`` plus the watched intervals (what the player's bar draws)."""

    intervals: list[tuple[float, float]]


# What a heartbeat route answers besides 200, whether for a video or a clip: both go
# through ``webapp.progress.heartbeat.answer_beat`` (409: the video is not ready yet).
HEARTBEAT_ERRORS = (400, 401, 403, 404, 409, 503)


class HeartbeatBody(Input):
    """One heartbeat (docs/api.md). Documents the body; ``webapp.progress.beats.parse_beat``
    validates it, on the fast path and in the views alike (a test keeps the two equal)."""

    position: float = Field(ge=0, allow_inf_nan=False, description="Resume point, seconds.")
    played: list[
        Annotated[list[Annotated[float, Field(ge=0)]], Field(min_length=2, max_length=2)]
    ] = Field(
        default_factory=list,
        max_length=MAX_INTERVALS_PER_BEAT,
        description="[start, end] ranges played since the last beat (end >= start).",
    )
    session: str | None = Field(
        default=None, pattern=f"^{SESSION_ID.pattern}$", description="Playback session (with seq)."
    )
    seq: int | None = Field(
        default=None, ge=0, le=MAX_SEQ, description="Beat number (with session)."
    )
    rate: float | None = Field(
        default=None,
        ge=MIN_RATE,
        le=MAX_RATE,
        description=(
            f"Fastest rate used; above the player's {PLAYER_MAX_RATE:g}x it counts as "
            f"{PLAYER_MAX_RATE:g}x (watched time is credited at most that fast)."
        ),
    )

    @field_validator("played")
    @classmethod
    def _ends_after_start(cls, played: list[list[float]]) -> list[list[float]]:
        if any(end < start for start, end in played):
            raise ValueError("a played interval must not end before it starts")
        return played

    @model_validator(mode="after")
    def _session_with_seq(self) -> HeartbeatBody:
        if (self.session is None) != (self.seq is None):
            raise ValueError("session and seq come together")
        return self
