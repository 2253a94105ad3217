"""A ``watch_progress`` row as the batch writer sees it: its key and its standing."""

from __future__ import annotations

from typing import Any, NamedTuple

from webapp.models.base import as_utc
from webapp.progress.rules import Standing


class ModuleKey(NamedTuple):
    """Whose progress on what: a whole video (``clip_id`` None) or a clip of it."""

    user_id: int
    video_id: int
    clip_id: int | None

    def sort_key(self) -> tuple[int, int, int]:
        """A total order (None first), so every batch takes its locks in the same order."""
        return (self.user_id, self.video_id, -1 if self.clip_id is None else self.clip_id)


def standing_of(row: Any) -> Standing:
    """The standing stored in a selected ``watch_progress`` row."""
    return Standing(
        position=row.position,
        intervals=tuple((float(a), float(b)) for a, b in row.intervals or ()),
        watched_seconds=row.watched_seconds,
        completed_at=as_utc(row.completed_at) if row.completed_at else None,
        session=row.beat_session,
        seq=row.beat_seq,
        credit=row.beat_credit,
        credit_at=as_utc(row.beat_at) if row.beat_at else None,
        views=row.view_count or 0,
    )


def columns_of(standing: Standing) -> dict[str, Any]:
    """The ``watch_progress`` columns that store ``standing``."""
    return {
        "position": standing.position,
        "intervals": [list(p) for p in standing.intervals],
        "watched_seconds": standing.watched_seconds,
        "completed_at": standing.completed_at,
        "beat_session": standing.session,
        "beat_seq": standing.seq,
        "beat_credit": standing.credit,
        "beat_at": standing.credit_at,
        "updated_at": standing.credit_at,
        "view_count": standing.views,
    }
