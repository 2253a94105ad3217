"""Read a learner's progress across many modules at once (one query, no N+1), and
watch time from the daily totals (SQL aggregates)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, or_, select

from webapp.extensions import db
from webapp.models import Module, WatchProgress


@dataclass(frozen=True)
class ModuleProgress:
    """A learner's standing on one module (times in seconds from the module's start)."""

    module_id: int
    position: float
    watched_seconds: float
    percent: float
    completed: bool
    intervals: tuple[tuple[float, float], ...]


NOT_STARTED = (0.0, 0.0, 0.0, False, ())


def module_progress(user_id: int, modules: Sequence[Module]) -> dict[int, ModuleProgress]:
    """Progress of ``user_id`` on every module, keyed by module id (zeros if unstarted)."""
    whole = {m.video_id: m for m in modules if m.clip_id is None}
    clips = {m.clip_id: m for m in modules if m.clip_id is not None}
    conditions = []
    if whole:
        conditions.append(
            and_(WatchProgress.clip_id.is_(None), WatchProgress.video_id.in_(list(whole)))
        )
    if clips:
        conditions.append(WatchProgress.clip_id.in_(list(clips)))
    rows = (
        db.session.scalars(
            select(WatchProgress).where(WatchProgress.user_id == user_id, or_(*conditions))
        ).all()
        if conditions
        else []
    )
    found: dict[int, ModuleProgress] = {}
    for row in rows:
        module = clips.get(row.clip_id) if row.clip_id is not None else whole.get(row.video_id)
        if module is None:
            continue
        duration = module.duration or 0.0
        percent = min(100.0, 100.0 * row.watched_seconds / duration) if duration else 0.0
        found[module.id] = ModuleProgress(
            module.id,
            row.position,
            row.watched_seconds,
            round(percent, 1),
            row.completed_at is not None,
            tuple((float(a), float(b)) for a, b in (row.intervals or [])),
        )
    return {m.id: found.get(m.id) or ModuleProgress(m.id, *NOT_STARTED) for m in modules}
