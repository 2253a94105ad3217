"""Reads: a video's caption tracks and their cues."""

from __future__ import annotations

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Caption, CaptionCue


def captions_of(video_id: int) -> list[Caption]:
    """A video's tracks: the default first, then by label."""
    return list(
        db.session.scalars(
            select(Caption)
            .where(Caption.video_id == video_id)
            .order_by(Caption.is_default.desc(), Caption.label, Caption.language)
        )
    )


def caption_of(video_id: int, language: str) -> Caption | None:
    """The track of ``video_id`` in ``language`` (a canonical tag), if any."""
    return db.session.scalar(
        select(Caption).where(Caption.video_id == video_id, Caption.language == language)
    )


def cues_of(caption_id: int) -> list[CaptionCue]:
    """A track's cues in time order."""
    return list(
        db.session.scalars(
            select(CaptionCue)
            .where(CaptionCue.caption_id == caption_id)
            .order_by(CaptionCue.start, CaptionCue.id)
        )
    )
