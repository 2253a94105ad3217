"""The transcode-job row: the truth about background work (the queue only carries its id)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.base import utcnow
from webapp.models.video import Video


class JobState(StrEnum):
    """QUEUED → RUNNING → READY | FAILED (RUNNING → QUEUED when handed back)."""

    QUEUED = "queued"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"


class TranscodeJob(db.Model):
    """One attempt-tracking job that turns a video's source into its HLS ladder."""

    __tablename__ = "transcode_jobs"
    # A late queue message must never name a newer job: ids are not reused (SQLite would).
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=JobState.QUEUED.value, index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Touched by the worker while it runs; a stale heartbeat means the worker died.
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    video: Mapped[Video] = relationship()

    @property
    def is_finished(self) -> bool:
        """READY and FAILED are terminal."""
        return self.state in (JobState.READY, JobState.FAILED)
