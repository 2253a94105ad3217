"""Resumable direct uploads: one row per multipart upload the store holds for a user."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model
from webapp.models.base import str_enum, utcnow
from webapp.models.user import User
from webapp.models.video import InvalidTransition, Video


class UploadState(StrEnum):
    """OPEN → COMPLETED | ABORTED | REJECTED (the last three are final)."""

    OPEN = "open"
    COMPLETED = "completed"
    ABORTED = "aborted"
    REJECTED = "rejected"


ALLOWED_TRANSITIONS: dict[UploadState, frozenset[UploadState]] = {
    UploadState.OPEN: frozenset({UploadState.COMPLETED, UploadState.ABORTED, UploadState.REJECTED}),
    UploadState.COMPLETED: frozenset(),
    UploadState.ABORTED: frozenset(),
    UploadState.REJECTED: frozenset(),
}


class UploadSession(Model):
    """A multipart upload in progress: who, where in the store, and what was declared.

    ``video_id`` is set once, when the upload is completed; it is unique, so completing
    the same upload twice can only ever name the one video.
    """

    __tablename__ = "upload_sessions"
    # Ids name storage keys: never reuse one (SQLite would).
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(500), unique=True)
    # The store's own multipart upload id (S3's can be long); set once the store has one.
    upload_id: Mapped[str] = mapped_column(String(1024), default="")
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[UploadState] = mapped_column(
        str_enum(UploadState), default=UploadState.OPEN, index=True
    )
    error: Mapped[str | None] = mapped_column(Text)
    video_id: Mapped[int | None] = mapped_column(
        ForeignKey("videos.id", ondelete="SET NULL"), unique=True
    )
    # The details given with the file (description, topic, level, tags, listed), checked
    # when the upload was opened; they go to the video when it is completed.
    details: Mapped[dict | None] = mapped_column(JSON)
    # A new source for this READY video instead of a new video (its owner or an admin).
    replaces_video_id: Mapped[int | None] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Touched whenever the client asks for a part URL or sends a part: the idle clock.
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, index=True
    )

    owner: Mapped[User] = relationship()
    video: Mapped[Video | None] = relationship(foreign_keys=[video_id])
    replaces: Mapped[Video | None] = relationship(foreign_keys=[replaces_video_id])

    @property
    def result(self) -> Video | None:
        """The video a completed upload became, or whose source it replaced."""
        return self.video if self.replaces_video_id is None else self.replaces

    def transition(self, new: UploadState) -> None:
        """Move to ``new`` or raise InvalidTransition; the lifecycle lives here only."""
        if new not in ALLOWED_TRANSITIONS[self.state]:
            raise InvalidTransition(f"upload {self.id}: {self.state} → {new} is not allowed")
        self.state = new

    @property
    def is_open(self) -> bool:
        """Parts may still be sent, and the upload completed or aborted."""
        return self.state == UploadState.OPEN


class QuotaLock(Model):
    """One row per uploader, written first by every quota check and held until commit.

    Writing it takes PostgreSQL's lock on this row and SQLite's write lock, so the
    check of what the owner uses and the row that then uses more space (an open upload,
    a stored source) are one atomic step: checks for one owner take turns.
    """

    __tablename__ = "upload_quota_locks"

    owner_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
