"""Read helpers for clips, chapters and suggestions."""

from __future__ import annotations

from flask import abort

from webapp.access import can_view
from webapp.extensions import db
from webapp.models import Chapter, Clip, Suggestion, SuggestionStatus, User, VideoState


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
    """The clip if its recording is READY and visible to ``user``, else None."""
    clip = db.session.get(Clip, clip_id)
    if clip is None or clip.video.state != VideoState.READY or not can_view(user, clip.video):
        return None
    return clip


def clip_or_404(clip_id: int, user: User) -> Clip:
    """A clip whose recording is READY and visible to ``user``; 404 otherwise."""
    clip = watchable_clip(clip_id, user)
    if clip is None:
        abort(404, "No such clip.")
    return clip
