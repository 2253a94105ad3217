"""In-video quizzes: questions at moments of a video, their choices, learners' answers.

Marking is ``webapp/grading.py``'s; these tables only keep what it needs (the key) and
what learners answered. Every attempt is stored; the first one per learner and question
is the one that counts in progress and reports (a learner may retry to learn).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model
from webapp.grading import Kind
from webapp.models.base import str_enum, utcnow


class QuizQuestion(Model):
    """A question at ``at`` seconds of a video: prompt and explanation are Markdown
    source; the key is the choices marked right, or ``number`` ± ``tolerance``, or the
    accepted ``texts`` (one per line)."""

    __tablename__ = "quiz_questions"
    __table_args__ = (
        Index("ix_quiz_questions_video_at", "video_id", "at"),
        CheckConstraint("at >= 0", name="ck_quiz_questions_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"))
    at: Mapped[float] = mapped_column(Float)
    kind: Mapped[Kind] = mapped_column(str_enum(Kind, 10))
    prompt: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    number: Mapped[float | None] = mapped_column(Float)
    tolerance: Mapped[float] = mapped_column(Float, default=0.0)
    texts: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    choices: Mapped[list[QuizChoice]] = relationship(
        order_by="QuizChoice.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def accepted_texts(self) -> list[str]:
        """The accepted answers of a text question, one per stored line."""
        return [line.strip() for line in self.texts.splitlines() if line.strip()]


class QuizChoice(Model):
    """One choice of a single- or multiple-choice question; its id is what is answered."""

    __tablename__ = "quiz_choices"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_questions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(500))
    correct: Mapped[bool] = mapped_column(Boolean, default=False)


class QuizAnswer(Model):
    """One attempt of a learner at a question, marked when it was given."""

    __tablename__ = "quiz_answers"
    __table_args__ = (Index("ix_quiz_answers_question_user", "question_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("quiz_questions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    given: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    right: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
