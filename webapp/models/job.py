"""Background-job rows: one lifecycle (state, attempts, heartbeat) shared by every kind.

Each kind keeps its own table (``transcode_jobs``, ``clip_exports``) with the columns of
:class:`JobMixin`; ``webapp.jobs.lifecycle`` is the one writer of those columns.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from webapp.extensions import Model
from webapp.models.base import str_enum, utcnow
from webapp.models.video import InvalidTransition, Video


class JobState(StrEnum):
    """QUEUED → RUNNING → READY | FAILED (RUNNING → QUEUED when handed back)."""

    QUEUED = "queued"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"


# RUNNING → RUNNING is a new attempt taking over from a worker that went silent; a
# QUEUED job fails without running when its last retry is used up (or it is cancelled);
# FAILED → QUEUED is an admin's retry (``lifecycle.retry``), the only way out of FAILED.
ALLOWED_TRANSITIONS: dict[JobState, frozenset[JobState]] = {
    JobState.QUEUED: frozenset({JobState.RUNNING, JobState.FAILED}),
    JobState.RUNNING: frozenset(
        {JobState.READY, JobState.FAILED, JobState.QUEUED, JobState.RUNNING}
    ),
    JobState.READY: frozenset(),
    JobState.FAILED: frozenset({JobState.QUEUED}),
}


def check_transition(current: JobState, new: JobState) -> None:
    """Raise InvalidTransition unless the lifecycle allows ``current`` → ``new``."""
    if new not in ALLOWED_TRANSITIONS[current]:
        raise InvalidTransition(f"job: {current} → {new} is not allowed")


class JobMixin:
    """The lifecycle columns every job table has (see ``webapp.jobs.lifecycle``)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[JobState] = mapped_column(str_enum(JobState), default=JobState.QUEUED, index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    # The fencing token: only the attempt whose number this is may write the job.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Touched by the worker while it runs; a stale heartbeat means the worker died.
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # For a QUEUED job: when its message was last sent (the sweeper re-sends lost ones).
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    @declared_attr.directive
    def __table_args__(cls) -> dict[str, bool]:
        # A late queue message must never name a newer job: ids are not reused (SQLite would).
        return {"sqlite_autoincrement": True}

    @property
    def is_finished(self) -> bool:
        """READY and FAILED are final for workers (only an admin's retry leaves FAILED)."""
        return self.state in (JobState.READY, JobState.FAILED)


class TranscodeJob(JobMixin, Model):
    """One attempt-tracking job that turns a video's source into its HLS ladder."""

    __tablename__ = "transcode_jobs"

    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    # A replacement source (set only when it differs from the video's): the video keeps
    # its ladder and source until this job publishes, then takes this one.
    source_key: Mapped[str | None] = mapped_column(String(500))
    source_size: Mapped[int | None] = mapped_column(BigInteger)
    source_filename: Mapped[str | None] = mapped_column(String(255))

    video: Mapped[Video] = relationship()
