"""Reads of exams: an attempt's sheet (what a learner may see while sitting), its review
(after closing), an exam's closed attempts for analysis, and the moments to rewatch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from webapp.exams.analysis import Item, Sitting, analyse
from webapp.exams.attempts import drawn_ids, questions_of
from webapp.exams.moments import Missed, Moment, moments_to_review
from webapp.extensions import db
from webapp.models import AttemptStatus, Exam, ExamAnswer, ExamAttempt, ExamQuestion, ExamScope


@dataclass(frozen=True)
class SheetLine:
    """A drawn question as the learner sees it while sitting: no key, no explanation."""

    question: ExamQuestion
    choices: list[dict[str, Any]]  # [{"id", "text"}] in the attempt's order
    given: dict[str, Any] | None


@dataclass(frozen=True)
class ReviewLine:
    """A drawn question after the attempt closed: the answer, the key, the explanation."""

    question: ExamQuestion
    choices: list[dict[str, Any]]
    given: dict[str, Any] | None
    right: bool
    earned: float


def _answers(attempt: ExamAttempt) -> dict[int, ExamAnswer]:
    rows = db.session.scalars(select(ExamAnswer).where(ExamAnswer.attempt_id == attempt.id))
    return {a.question_id: a for a in rows}


def _lines(attempt: ExamAttempt) -> list[tuple[ExamQuestion, list[dict[str, Any]]]]:
    bank = {q.id: q for q in questions_of(attempt.exam_id)}
    lines = []
    for drawn in attempt.drawn:
        question = bank.get(int(drawn["question_id"]))
        if question is None:
            continue
        texts = {int(c["id"]): c["text"] for c in question.choices}
        order = [int(i) for i in drawn["choice_order"] if int(i) in texts]
        lines.append((question, [{"id": i, "text": texts[i]} for i in order]))
    return lines


def sheet(attempt: ExamAttempt) -> list[SheetLine]:
    """The attempt's questions in its order, with its choice order and saved answers."""
    answers = _answers(attempt)
    return [
        SheetLine(q, choices, answers[q.id].given if q.id in answers else None)
        for q, choices in _lines(attempt)
    ]


def review(attempt: ExamAttempt) -> list[ReviewLine]:
    """The closed attempt's questions with what was answered and what was right."""
    answers = _answers(attempt)
    lines = []
    for q, choices in _lines(attempt):
        answer = answers.get(q.id)
        lines.append(
            ReviewLine(
                q,
                choices,
                answer.given if answer else None,
                bool(answer and answer.right),
                float(answer.earned or 0.0) if answer else 0.0,
            )
        )
    return lines


def closed_attempts(exam_id: int) -> list[ExamAttempt]:
    """The exam's closed attempts, oldest first."""
    return list(
        db.session.scalars(
            select(ExamAttempt)
            .where(ExamAttempt.exam_id == exam_id, ExamAttempt.status != AttemptStatus.OPEN)
            .order_by(ExamAttempt.id)
        )
    )


def item_analysis(exam: Exam) -> list[tuple[ExamQuestion, Item]]:
    """Every question of the bank with its analysis over the closed attempts."""
    attempts = closed_attempts(exam.id)
    right: dict[int, dict[int, bool]] = {a.id: {} for a in attempts}
    if attempts:
        rows = db.session.execute(
            select(ExamAnswer.attempt_id, ExamAnswer.question_id, ExamAnswer.right).where(
                ExamAnswer.attempt_id.in_([a.id for a in attempts])
            )
        )
        for attempt_id, question_id, was_right in rows:
            right[attempt_id][question_id] = bool(was_right)
    sittings = [
        Sitting(a.score or 0.0, {qid: right[a.id].get(qid, False) for qid in drawn_ids(a)})
        for a in attempts
    ]
    bank = questions_of(exam.id)
    items = analyse([q.id for q in bank], sittings)
    return list(zip(bank, items, strict=True))


def review_moments(exam: Exam, user_id: int) -> list[Moment]:
    """The moments explaining the questions ``user_id`` got wrong in closed attempts."""
    attempts = [a for a in closed_attempts(exam.id) if a.user_id == user_id]
    missed = []
    for attempt in attempts:
        for line in review(attempt):
            if not line.right:
                q = line.question
                missed.append(Missed(q.id, q.prompt, q.module_id, q.at_seconds))
    scope = db.session.scalars(
        select(ExamScope.module_id).where(ExamScope.exam_id == exam.id).order_by(ExamScope.id)
    )
    return moments_to_review(missed, list(scope))
