"""A learner's private notes and bookmarks at moments of a video."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, DateTime, Float, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import Model
from webapp.models.base import str_enum, utcnow


class NoteKind(StrEnum):
    """A note has text; a bookmark marks a moment and may have none."""

    NOTE = "note"
    BOOKMARK = "bookmark"


class Note(Model):
    """A note or bookmark at ``position`` seconds of a video, seen only by its author.

    Bodies are checked by ``webapp.notes.services`` (a note needs text, at most 5,000
    characters); the table only guards what must never be stored: an unknown kind or a
    negative position.
    """

    __tablename__ = "notes"
    __table_args__ = (
        Index("ix_notes_user_video_position", "user_id", "video_id", "position"),
        CheckConstraint("kind IN ('note', 'bookmark')", name="ck_notes_kind"),
        CheckConstraint("position >= 0", name="ck_notes_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Indexed on its own too, so deleting a video finds its notes without a scan.
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    position: Mapped[float] = mapped_column(Float)
    kind: Mapped[NoteKind] = mapped_column(str_enum(NoteKind, 10), default=NoteKind.NOTE)
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    @property
    def is_bookmark(self) -> bool:
        """A bookmark rather than a note."""
        return self.kind == NoteKind.BOOKMARK
