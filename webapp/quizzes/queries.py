"""Reads for quizzes: a video's questions, a learner's answers, their scores.

Scores count the first attempt of each learner at each question (``first_answers``):
a learner may retry to see the explanation again, but the first answer is the one that
says what they knew.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.models import QuizAnswer, QuizQuestion, Video


def questions_of(video_id: int, start: float | None = None, end: float | None = None):
    """A video's questions by moment (with their choices); only those in
    [``start``, ``end``) when given (a clip's range)."""
    query = (
        select(QuizQuestion)
        .where(QuizQuestion.video_id == video_id)
        .options(selectinload(QuizQuestion.choices))
        .order_by(QuizQuestion.at, QuizQuestion.id)
    )
    if start is not None:
        query = query.where(QuizQuestion.at >= start)
    if end is not None:
        query = query.where(QuizQuestion.at < end)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class Previous:
    """What a learner answered to one question so far."""

    attempts: int
    first_right: bool
    last_right: bool
    last_given: dict


def previous_answers(user_id: int, question_ids: Sequence[int]) -> dict[int, Previous]:
    """Question id → the learner's attempts (absent: never answered)."""
    if not question_ids:
        return {}
    rows = db.session.scalars(
        select(QuizAnswer)
        .where(QuizAnswer.user_id == user_id, QuizAnswer.question_id.in_(question_ids))
        .order_by(QuizAnswer.question_id, QuizAnswer.id)
    )
    by_question: dict[int, list[QuizAnswer]] = {}
    for row in rows:
        by_question.setdefault(row.question_id, []).append(row)
    return {
        qid: Previous(len(found), found[0].right, found[-1].right, dict(found[-1].given))
        for qid, found in by_question.items()
    }


def first_answers() -> Select:
    """The first attempt of every learner at every question: (question_id, user_id,
    right), as a subquery to join."""
    first = (
        select(func.min(QuizAnswer.id).label("id"))
        .group_by(QuizAnswer.question_id, QuizAnswer.user_id)
        .subquery()
    )
    return select(QuizAnswer.question_id, QuizAnswer.user_id, QuizAnswer.right).join(
        first, first.c.id == QuizAnswer.id
    )


@dataclass(frozen=True)
class Score:
    """A learner's first answers on one video: right of the questions it has."""

    video_id: int
    title: str
    right: int
    answered: int
    questions: int


def scores_for(user_id: int, video_ids: Iterable[int] | None = None) -> list[Score]:
    """The learner's quiz scores per video they answered anything on (or per video of
    ``video_ids``), by title."""
    firsts = first_answers().where(QuizAnswer.user_id == user_id).subquery()
    answered = (
        select(
            QuizQuestion.video_id,
            func.count(firsts.c.question_id).label("answered"),
            func.coalesce(func.sum(case((firsts.c.right, 1), else_=0)), 0).label("right"),
        )
        .join(firsts, firsts.c.question_id == QuizQuestion.id)
        .group_by(QuizQuestion.video_id)
        .subquery()
    )
    totals = (
        select(QuizQuestion.video_id, func.count(QuizQuestion.id).label("questions"))
        .group_by(QuizQuestion.video_id)
        .subquery()
    )
    query = (
        select(Video.id, Video.title, answered.c.right, answered.c.answered, totals.c.questions)
        .join(answered, answered.c.video_id == Video.id)
        .join(totals, totals.c.video_id == Video.id)
        .order_by(Video.title, Video.id)
    )
    if video_ids is not None:
        query = query.where(Video.id.in_(list(video_ids)))
    return [
        Score(row.id, row.title, int(row.right), int(row.answered), int(row.questions))
        for row in db.session.execute(query)
    ]
