"""Videos, their explicit lifecycle, and the renditions of the published HLS ladder."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model
from webapp.models.base import str_enum, utcnow
from webapp.models.user import User


class VideoState(StrEnum):
    """UPLOADING → UPLOADED → PROCESSING → READY | FAILED."""

    UPLOADING = "uploading"
    UPLOADED = "uploaded"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


# Re-processing is allowed from READY and FAILED (a new job on the same source), and a
# PROCESSING video goes back to UPLOADED when its job is handed back to the queue.
ALLOWED_TRANSITIONS: dict[VideoState, frozenset[VideoState]] = {
    VideoState.UPLOADING: frozenset({VideoState.UPLOADED, VideoState.FAILED}),
    VideoState.UPLOADED: frozenset({VideoState.PROCESSING, VideoState.FAILED}),
    VideoState.PROCESSING: frozenset(
        {VideoState.READY, VideoState.FAILED, VideoState.UPLOADED, VideoState.PROCESSING}
    ),
    VideoState.READY: frozenset({VideoState.PROCESSING}),
    VideoState.FAILED: frozenset({VideoState.PROCESSING, VideoState.UPLOADED}),
}


class Audience(StrEnum):
    """Who may watch a video or a module (``webapp/audiences/rules.py`` is the rule).

    A module's audience may also be unset (None): program members while it is in a
    program's course, everyone signed in otherwise. A clip's module never reaches further
    than its recording: both rules must hold.
    """

    OPEN = "open"  # every signed-in user (the open library)
    PROGRAM = "program"  # members of the programs containing it (enrolled or in a cohort)
    COHORT = "cohort"  # members of the cohort whose live class it recorded
    # The members and managers of its owning organisation (``organisation_id``); with no
    # owner, nobody but its instructors and admins.
    ORGANISATION = "organisation"
    INSTRUCTORS = "instructors"  # drafts: its instructors and admins only


class InvalidTransition(ValueError):
    """A state change the lifecycle does not allow."""


class Video(Model):
    """An uploaded recording and, once READY, its published HLS ladder."""

    __tablename__ = "videos"
    # Ids name storage prefixes and queue messages: never reuse one (SQLite would).
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    state: Mapped[VideoState] = mapped_column(
        str_enum(VideoState), default=VideoState.UPLOADING, index=True
    )
    duration: Mapped[float | None] = mapped_column(Float)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    source_key: Mapped[str | None] = mapped_column(String(500))
    source_filename: Mapped[str] = mapped_column(String(255), default="")
    # Recordings of several GB: 64-bit (PostgreSQL's integer is 32-bit).
    source_size: Mapped[int | None] = mapped_column(BigInteger)
    # SHA-256 of the source file (hex): `flask videos import` skips files it already has.
    source_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    # Topic, level, tags and listed given with the upload, for the module the video gets
    # once READY (webapp.uploads.details); cleared when applied.
    pending_details: Mapped[dict | None] = mapped_column(JSON)
    hls_prefix: Mapped[str | None] = mapped_column(String(500))
    # While the ladder is still being encoded: the early, growing single-variant stream.
    preview_prefix: Mapped[str | None] = mapped_column(String(500))
    poster_key: Mapped[str | None] = mapped_column(String(500))
    # Seek-preview thumbnails track, relative to hls_prefix ("storyboard/storyboard.vtt").
    storyboard_path: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Who may watch the recording (and every clip of it); cohort recordings are never
    # wider than their cohort whatever this says.
    audience: Mapped[Audience] = mapped_column(
        str_enum(Audience), default=Audience.OPEN, server_default=Audience.OPEN.value
    )
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The owning organisation: with audience ORGANISATION, its people only.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )

    owner: Mapped[User] = relationship()
    renditions: Mapped[list[Rendition]] = relationship(
        back_populates="video",
        cascade="all, delete-orphan",
        order_by="Rendition.height.desc()",
    )

    def transition(self, new: VideoState) -> None:
        """Move to ``new`` or raise InvalidTransition; the lifecycle lives here only."""
        current = VideoState(self.state)
        if new not in ALLOWED_TRANSITIONS[current]:
            raise InvalidTransition(f"video {self.id}: {current} → {new} is not allowed")
        self.state = new

    @property
    def is_ready(self) -> bool:
        """True once a complete ladder is published."""
        return self.state == VideoState.READY

    @property
    def playable_prefix(self) -> str | None:
        """Where the player reads from: the full ladder, else an early preview, else None."""
        if self.state == VideoState.READY:
            return self.hls_prefix
        if self.state == VideoState.PROCESSING:
            return self.preview_prefix
        return None

    @property
    def is_playable(self) -> bool:
        """Ready, or far enough along to be watched early."""
        return self.playable_prefix is not None


class Rendition(Model):
    """One variant stream of the published ladder."""

    __tablename__ = "renditions"

    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(20))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    bandwidth: Mapped[int] = mapped_column(Integer)
    playlist: Mapped[str] = mapped_column(String(200))

    video: Mapped[Video] = relationship(back_populates="renditions")
