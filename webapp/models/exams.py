"""Graded exams: a question bank per exam, learners' attempts and their answers.

The settings of an exam (questions drawn, time limit, attempts, pass mark, window) are
columns of ``exams`` (``webapp/models/learning.py``). Keys (right choices, numbers,
accepted texts) and explanations live only here and are never sent to a learner before
their attempt is submitted (``webapp/exams/api.py``).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import Model
from webapp.grading import Kind
from webapp.models.base import str_enum, utcnow


class AttemptStatus(StrEnum):
    """An attempt is open until submitted, or closed by the clock (then graded as saved)."""

    OPEN = "open"
    SUBMITTED = "submitted"
    EXPIRED = "expired"


class ExamQuestion(Model):
    """A question of an exam's bank; ``choices`` is ``[{"id": int, "text": str}]``."""

    __tablename__ = "exam_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), index=True)
    kind: Mapped[Kind] = mapped_column(str_enum(Kind))
    prompt: Mapped[str] = mapped_column(Text)
    choices: Mapped[list] = mapped_column(JSON, default=list)
    correct: Mapped[list] = mapped_column(JSON, default=list)
    number: Mapped[float | None] = mapped_column(Float)
    tolerance: Mapped[float] = mapped_column(Float, default=0.0)
    texts: Mapped[list] = mapped_column(JSON, default=list)
    points: Mapped[float] = mapped_column(Float, default=1.0)
    explanation: Mapped[str] = mapped_column(Text, default="")
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id", ondelete="SET NULL"))
    at_seconds: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ExamAttempt(Model):
    """One sitting of an exam by a learner: the questions drawn (in order, with their
    choices' order), the deadline, and once closed the result."""

    __tablename__ = "exam_attempts"
    __table_args__ = (UniqueConstraint("exam_id", "user_id", "number", name="uq_exam_attempt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[AttemptStatus] = mapped_column(
        str_enum(AttemptStatus), default=AttemptStatus.OPEN
    )
    # [{"question_id": int, "choice_order": [choice ids]}] in the order shown.
    drawn: Mapped[list] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float | None] = mapped_column(Float)
    percent: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)


class ExamAnswer(Model):
    """A learner's saved answer to one drawn question (the raw JSON answer; marked when
    the attempt closes)."""

    __tablename__ = "exam_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id", name="uq_exam_answer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("exam_attempts.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("exam_questions.id", ondelete="CASCADE"), index=True
    )
    given: Mapped[dict] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    right: Mapped[bool | None] = mapped_column(Boolean)
    earned: Mapped[float | None] = mapped_column(Float)
