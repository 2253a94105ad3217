"""A learner's watch progress on one video."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.base import utcnow


class WatchProgress(db.Model):
    """Resume point and the union of intervals actually watched, per learner and module.

    A module is a whole video (``clip_id`` NULL) or a clip of it; clip positions and
    intervals are in seconds from the clip's start.
    """

    __tablename__ = "watch_progress"
    __table_args__ = (
        Index(
            "uq_progress_user_video",
            "user_id",
            "video_id",
            unique=True,
            postgresql_where=text("clip_id IS NULL"),
            sqlite_where=text("clip_id IS NULL"),
        ),
        Index(
            "uq_progress_user_clip",
            "user_id",
            "clip_id",
            unique=True,
            postgresql_where=text("clip_id IS NOT NULL"),
            sqlite_where=text("clip_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    clip_id: Mapped[int | None] = mapped_column(
        ForeignKey("clips.id", ondelete="CASCADE", name="fk_watch_progress_clip_id"), index=True
    )
    position: Mapped[float] = mapped_column(Float, default=0.0)
    intervals: Mapped[list] = mapped_column(JSON, default=list)
    watched_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    @property
    def completed(self) -> bool:
        """Completion is sticky once reached."""
        return self.completed_at is not None
