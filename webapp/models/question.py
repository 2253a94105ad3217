"""Questions at a moment of a video (or clip), their answers, and per-video settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, Float, ForeignKey, Index, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model
from webapp.models.base import utcnow


class Question(Model):
    """A question asked at ``at`` seconds of the recording (the absolute moment, also
    when it was asked on a clip: ``clip_id`` then names the clip). The body is Markdown
    source; pages and the API render it with ``webapp.markdown.to_html``."""

    __tablename__ = "questions"
    __table_args__ = (
        Index("ix_questions_video_at", "video_id", "at"),
        CheckConstraint("at >= 0", name="ck_questions_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"))
    clip_id: Mapped[int | None] = mapped_column(ForeignKey("clips.id", ondelete="SET NULL"))
    at: Mapped[float] = mapped_column(Float)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    locked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # No foreign key: answers point at their question, and a cycle of keys would need
    # ALTER on SQLite. The services clear it when the accepted answer goes.
    accepted_answer_id: Mapped[int | None] = mapped_column()

    answers: Mapped[list[Answer]] = relationship(
        order_by="Answer.id", cascade="all, delete-orphan", passive_deletes=True
    )


class Answer(Model):
    """An answer to a question, by an instructor of the content (or a peer, when the
    video allows it)."""

    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class QuestionSettings(Model):
    """A video's question settings; no row means the defaults (peers may not answer)."""

    __tablename__ = "question_settings"

    video_id: Mapped[int] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True
    )
    peers_may_answer: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
