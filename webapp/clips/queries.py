"""Read helpers for clips, chapters and suggestions."""

from __future__ import annotations

from webapp.access import clip_decision_or_abort
from webapp.audiences.decision import decide_clip
from webapp.extensions import db
from webapp.models import Chapter, Clip, Suggestion, SuggestionStatus, User


def clips_of(video_id: int) -> list[Clip]:
    """A video's clips in time order."""
    return list(
        db.session.scalars(
            db.select(Clip).where(Clip.video_id == video_id).order_by(Clip.start, Clip.id)
        )
    )


def chapters_of(video_id: int) -> list[Chapter]:
    """A video's chapters in time order."""
    return list(
        db.session.scalars(
            db.select(Chapter).where(Chapter.video_id == video_id).order_by(Chapter.start)
        )
    )


def suggestions_of(video_id: int) -> list[Suggestion]:
    """Pending suggestions in time order."""
    return list(
        db.session.scalars(
            db.select(Suggestion)
            .where(
                Suggestion.video_id == video_id,
                Suggestion.status == SuggestionStatus.PENDING.value,
            )
            .order_by(Suggestion.start)
        )
    )


def watchable_clip(clip_id: int, user: User) -> Clip | None:
    """The clip if its recording is READY and ``user`` may watch it (visible and not
    locked: ``decide_clip``), else None."""
    clip = db.session.get(Clip, clip_id)
    if clip is None or not decide_clip(user, clip).allowed:
        return None
    return clip


def clip_or_404(clip_id: int, user: User) -> Clip:
    """A clip whose recording is READY and that ``user`` may watch; 404 when they may not
    see it, 403 with the reason when it is locked."""
    return clip_decision_or_abort(db.session.get(Clip, clip_id), user)
