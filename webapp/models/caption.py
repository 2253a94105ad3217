"""Caption tracks of videos, their cues (searchable text), and per-user player preferences."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model
from webapp.models.base import str_enum, utcnow
from webapp.models.video import Video


class CaptionFormat(StrEnum):
    """The format a caption track was uploaded in (it is stored as WebVTT either way)."""

    VTT = "vtt"
    SRT = "srt"


class Caption(Model):
    """One language's caption track of a video; the WebVTT file lives in storage.

    Re-uploading a language bumps ``version``, and the file moves to a new key
    (``captions/<video_id>/<language>-<version>.vtt``), so a reader never sees half a file.
    """

    __tablename__ = "captions"
    __table_args__ = (UniqueConstraint("video_id", "language", name="uq_captions_video_language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(35))  # BCP 47, canonical case
    label: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer, default=1)
    storage_key: Mapped[str] = mapped_column(String(500))
    source_format: Mapped[CaptionFormat] = mapped_column(str_enum(CaptionFormat, 10))
    cue_count: Mapped[int] = mapped_column(Integer, default=0)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    video: Mapped[Video] = relationship()


# The cues' full-text document, as PostgreSQL renders it back (keep in step with 0012).
CUE_DOCUMENT = "to_tsvector('english'::regconfig, text)"
CUE_INDEX = "ix_caption_cues_search"


class CaptionCue(Model):
    """The plain text of one cue, for catalogue search (``video_id`` spares a join)."""

    __tablename__ = "caption_cues"
    # PostgreSQL only (SQLite searches with LIKE); created by migration 0012.
    __table_args__ = (
        Index(CUE_INDEX, sql_text(CUE_DOCUMENT), postgresql_using="gin").ddl_if(
            dialect="postgresql"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    caption_id: Mapped[int] = mapped_column(
        ForeignKey("captions.id", ondelete="CASCADE"), index=True
    )
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)


class UserPreferences(Model):
    """A user's player settings, remembered across devices; NULL means "not chosen".

    ``caption_language`` NULL means captions off (or never chosen).
    """

    __tablename__ = "user_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    caption_language: Mapped[str | None] = mapped_column(String(35))
    playback_rate: Mapped[float | None] = mapped_column(Float)
    volume: Mapped[float | None] = mapped_column(Float)
    muted: Mapped[bool | None] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
