"""A learner's watch progress on one module, and the watched time it gained per day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import Model
from webapp.models.base import utcnow


class WatchProgress(Model):
    """Resume point and the union of intervals actually watched, per learner and module.

    A module is a whole video (``clip_id`` NULL) or a clip of it; clip positions and
    intervals are in seconds from the clip's start. The ``beat_*`` columns are the
    heartbeat bookkeeping of ``webapp.progress.rules``: the player session whose sequence
    numbers order positions, and the wall-time credit that bounds new watched time.
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
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    beat_session: Mapped[str | None] = mapped_column(String(64))
    beat_seq: Mapped[int | None] = mapped_column(BigInteger)
    beat_credit: Mapped[float | None] = mapped_column(Float)
    beat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Player sessions that reported on the module: each page load of the player is a view.
    view_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    @property
    def completed(self) -> bool:
        """Completion is sticky once reached."""
        return self.completed_at is not None


class WatchDay(Model):
    """New watched seconds a learner added to a module on one UTC day.

    Written in the same transaction as the progress row: ``seconds`` grows by how much
    each heartbeat grew the watched union, so re-watching adds nothing and the days of a
    module sum to its ``watched_seconds``.
    """

    __tablename__ = "watch_days"
    __table_args__ = (
        UniqueConstraint("progress_id", "day", name="uq_watch_days_progress_day"),
        Index("ix_watch_days_user_day", "user_id", "day"),
        Index("ix_watch_days_video_day", "video_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    progress_id: Mapped[int] = mapped_column(
        ForeignKey("watch_progress.id", ondelete="CASCADE", name="fk_watch_days_progress_id")
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE", name="fk_watch_days_user_id")
    )
    video_id: Mapped[int] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE", name="fk_watch_days_video_id")
    )
    clip_id: Mapped[int | None] = mapped_column(
        ForeignKey("clips.id", ondelete="CASCADE", name="fk_watch_days_clip_id")
    )
    day: Mapped[date] = mapped_column(Date)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
