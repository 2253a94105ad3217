"""Clips (bite-size lessons cut from a recording), their exports, chapters, suggestions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model
from webapp.models.base import utcnow
from webapp.models.job import JobMixin
from webapp.models.video import Video


class Clip(Model):
    """A range [start, end) of a recording, watchable at once as its own micro-lesson."""

    __tablename__ = "clips"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    topic: Mapped[str] = mapped_column(String(80), default="")
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    video: Mapped[Video] = relationship()

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.end - self.start


class ClipExport(JobMixin, Model):
    """A job rendering a clip into its own MP4 (frame-accurate smart cut)."""

    __tablename__ = "clip_exports"

    clip_id: Mapped[int] = mapped_column(ForeignKey("clips.id", ondelete="CASCADE"), index=True)
    output_key: Mapped[str | None] = mapped_column(String(500))
    size_bytes: Mapped[int | None] = mapped_column(Integer)

    clip: Mapped[Clip] = relationship()


class Chapter(Model):
    """A named point in a video (title + start time)."""

    __tablename__ = "chapters"

    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    start: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SuggestionStatus(StrEnum):
    """What the instructor did with a suggestion."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DISCARDED = "discarded"


class Suggestion(Model):
    """A chapter boundary or clip candidate found by the transcode pass."""

    __tablename__ = "suggestions"

    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # slide | pause | clip
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float | None] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    label: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default=SuggestionStatus.PENDING.value)
