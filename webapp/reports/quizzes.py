"""Quiz answers in a path's report: the share of right first answers per learner and per
question, over the quiz questions of the path's modules (a whole video's questions; a
clip module's questions inside its range) and the report's learners only, so the
report's scope rules (``scope.py``) bound what is counted.

A learner's first attempt at a question is the one that counts (``webapp.quizzes``);
"answered" counts questions with at least one attempt.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select

from webapp.extensions import db
from webapp.models import Clip, CourseModule, Module, ProgramCourse, QuizQuestion, Video
from webapp.quizzes.queries import first_answers
from webapp.reports.queries import LearnerRow


@dataclass(frozen=True)
class Tally:
    """Right first answers of how many answered."""

    right: int = 0
    answered: int = 0

    @property
    def percent(self) -> int | None:
        """The share right, floored to a whole percent; None when nothing was answered."""
        return None if not self.answered else 100 * self.right // self.answered


@dataclass(frozen=True)
class QuestionShare:
    """One question of the path and how the report's learners first answered it."""

    question_id: int
    video_title: str
    at: float
    prompt: str
    tally: Tally


@dataclass(frozen=True)
class QuizSection:
    """Per learner (user id → tally) and per question, in path order of moments."""

    learners: dict[int, Tally] = field(default_factory=dict)
    questions: list[QuestionShare] = field(default_factory=list)

    def of(self, user_id: int) -> Tally:
        """The learner's tally (zero when they answered nothing)."""
        return self.learners.get(user_id, Tally())


def _path_questions(program_id: int) -> list[tuple[QuizQuestion, str]]:
    """The questions of the path's modules (one query), by video title and moment."""
    in_module = or_(
        Module.clip_id.is_(None),
        and_(QuizQuestion.at >= Clip.start, QuizQuestion.at < Clip.end),
    )
    ids = (
        select(QuizQuestion.id)
        .join(Module, Module.video_id == QuizQuestion.video_id)
        .join(CourseModule, CourseModule.module_id == Module.id)
        .join(ProgramCourse, ProgramCourse.course_id == CourseModule.course_id)
        .outerjoin(Clip, Clip.id == Module.clip_id)
        .where(ProgramCourse.program_id == program_id, in_module)
    )
    rows = db.session.execute(
        select(QuizQuestion, Video.title)
        .join(Video, Video.id == QuizQuestion.video_id)
        .where(QuizQuestion.id.in_(ids))
        .order_by(Video.title, QuizQuestion.at, QuizQuestion.id)
    )
    return [(question, title) for question, title in rows]


def quiz_section(program_id: int, user_ids: Sequence[int]) -> QuizSection:
    """The quiz answers of ``user_ids`` on the questions of the path ``program_id``."""
    questions = _path_questions(program_id)
    if not questions or not user_ids:
        return QuizSection(questions=[_share(q, t, Tally()) for q, t in questions])
    firsts = first_answers().subquery()
    rows = db.session.execute(
        select(firsts.c.question_id, firsts.c.user_id, firsts.c.right).where(
            firsts.c.question_id.in_([q.id for q, _ in questions]),
            firsts.c.user_id.in_(list(user_ids)),
        )
    ).all()
    per_learner: dict[int, list[bool]] = {}
    per_question: dict[int, list[bool]] = {}
    for question_id, user_id, right in rows:
        per_learner.setdefault(user_id, []).append(bool(right))
        per_question.setdefault(question_id, []).append(bool(right))
    return QuizSection(
        learners={u: _tally(marks) for u, marks in per_learner.items()},
        questions=[_share(q, t, _tally(per_question.get(q.id, []))) for q, t in questions],
    )


def _tally(marks: list[bool]) -> Tally:
    return Tally(right=sum(marks), answered=len(marks))


def _share(question: QuizQuestion, title: str, tally: Tally) -> QuestionShare:
    prompt = " ".join(question.prompt.split())
    return QuestionShare(
        question.id, title, question.at, prompt[:120] + ("…" if len(prompt) > 120 else ""), tally
    )


def csv_columns(section: QuizSection) -> list[tuple[str, Callable[[LearnerRow], object]]]:
    """The report CSV's quiz columns: header and cell of a learner's row."""
    return [
        ("Quiz answers right", lambda row: section.of(row.user_id).right),
        ("Quiz questions answered", lambda row: section.of(row.user_id).answered),
    ]
