"""The JSON shapes of progress on a module (a whole video or a clip), for the API routes of
videos and clips alike (``webapp.progress.services.summary``/``detail`` build them)."""

from __future__ import annotations

from webapp.api.contract import Output


class ProgressOut(Output):
    """Where the learner stands on a module (after a heartbeat: once it is stored)."""

    position: float
    watched_seconds: float
    percent: float
    completed: bool


class ProgressDetail(ProgressOut):
    """``ProgressOut`` plus the watched intervals (what the player's bar draws)."""

    intervals: list[tuple[float, float]]
