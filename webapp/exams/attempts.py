"""The attempt engine: start or resume, save an answer, submit, close by the clock.

The server is the authority on time. An attempt's ``deadline`` is its start plus the
exam's time limit (never past the window's close). Answers are accepted until
``deadline + grace`` (``EXAM_GRACE_SECONDS``, 30 s by default: a save sent just before
the end may arrive late). A submit after that is refused, and the attempt is then closed
as *expired* and graded with what was saved in time — the same happens to an attempt
found past its time when the learner comes back. Closing is a conditional UPDATE
(``status = 'open'``), so a double or concurrent submit closes it once and gives one
result. Services only flush; the caller commits.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.exc import IntegrityError

from webapp import grading
from webapp.certificates.events import exam_result_recorded
from webapp.exams.marking import grade, key_of
from webapp.extensions import db
from webapp.i18n import N_
from webapp.models import AttemptStatus, Exam, ExamAnswer, ExamAttempt, ExamQuestion, User
from webapp.models.base import as_utc

DEFAULT_GRACE_SECONDS = 30


ANSWER_FIELDS = ("choice", "choices", "number", "text")


@dataclass
class ExamRefused(Exception):
    """A request the exam's rules refuse (the view answers ``status``)."""

    status: int
    message: str
    field: str | None = None

    def __str__(self) -> str:
        return self.message


def grace() -> timedelta:
    """How long after the deadline answers and a submit are still taken."""
    return timedelta(
        seconds=int(current_app.config.get("EXAM_GRACE_SECONDS", DEFAULT_GRACE_SECONDS))
    )


def is_late(attempt: ExamAttempt, now: datetime) -> bool:
    """Is ``now`` past the attempt's deadline and the grace?"""
    return attempt.deadline is not None and now > as_utc(attempt.deadline) + grace()


def window(exam: Exam) -> tuple[datetime, datetime | None]:
    """When the exam opens (its own opening, else its date) and closes (None: never)."""
    opens = as_utc(exam.opens_at or exam.starts_at)
    return opens, as_utc(exam.closes_at) if exam.closes_at else None


def questions_of(exam_id: int) -> list[ExamQuestion]:
    """The exam's question bank, in the order it was written."""
    return list(
        db.session.scalars(
            select(ExamQuestion).where(ExamQuestion.exam_id == exam_id).order_by(ExamQuestion.id)
        )
    )


def attempts_of(exam_id: int, user_id: int) -> list[ExamAttempt]:
    """The learner's attempts at the exam, oldest first."""
    return list(
        db.session.scalars(
            select(ExamAttempt)
            .where(ExamAttempt.exam_id == exam_id, ExamAttempt.user_id == user_id)
            .order_by(ExamAttempt.number)
        )
    )


def start_or_resume(exam: Exam, user: User, now: datetime) -> tuple[ExamAttempt, bool]:
    """The learner's open attempt, or a new one (True) drawn from the bank; refused
    outside the window, with an empty bank or with every attempt used."""
    attempts = attempts_of(exam.id, user.id)
    for attempt in attempts:
        if attempt.status is AttemptStatus.OPEN:
            if not is_late(attempt, now):
                return attempt, False
            close(attempt, now, AttemptStatus.EXPIRED)
    opens, closes = window(exam)
    if now < opens:
        raise ExamRefused(409, N_("The exam is not open yet."))
    if closes is not None and now >= closes:
        raise ExamRefused(409, N_("The exam is closed."))
    if exam.attempts_limit is not None and len(attempts) >= exam.attempts_limit:
        raise ExamRefused(409, f"You have used all {exam.attempts_limit} attempts.")
    bank = questions_of(exam.id)
    if not bank:
        raise ExamRefused(409, N_("This exam has no questions yet."))
    rng = random.SystemRandom()
    count = min(exam.question_count or len(bank), len(bank))
    drawn = [
        {"question_id": q.id, "choice_order": rng.sample(ids, len(ids))}
        for q in rng.sample(bank, count)
        for ids in [[int(c["id"]) for c in q.choices]]
    ]
    deadline = None
    if exam.time_limit_minutes:
        deadline = now + timedelta(minutes=exam.time_limit_minutes)
        if closes is not None:
            deadline = min(deadline, closes)
    attempt = ExamAttempt(
        exam_id=exam.id,
        user_id=user.id,
        number=len(attempts) + 1,
        status=AttemptStatus.OPEN,
        drawn=drawn,
        started_at=now,
        deadline=deadline,
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt, True


def begin(exam: Exam, user: User, now: datetime) -> tuple[ExamAttempt, bool]:
    """``start_or_resume``, safe against a second start racing this one: the loser of
    the unique attempt number resumes the winner's attempt. Commits."""
    try:
        found = start_or_resume(exam, user, now)
        db.session.commit()
        return found
    except IntegrityError:
        db.session.rollback()
    found = start_or_resume(exam, user, now)
    db.session.commit()
    return found


def drawn_ids(attempt: ExamAttempt) -> list[int]:
    """The attempt's question ids in the order shown."""
    return [int(d["question_id"]) for d in attempt.drawn]


def save_answer(
    attempt: ExamAttempt, question_id: int, raw: Mapping[str, Any], now: datetime
) -> ExamAnswer:
    """Store (or replace) the answer to one drawn question; refused when the attempt is
    closed or past its time (then it is closed), 404 for a question it did not draw,
    400 for an answer of the wrong shape."""
    if attempt.status is not AttemptStatus.OPEN:
        raise ExamRefused(409, N_("This attempt is closed: answers can no longer change."))
    if is_late(attempt, now):
        close(attempt, now, AttemptStatus.EXPIRED)
        raise ExamRefused(409, N_("Time is up: the attempt was closed with the answers saved."))
    if question_id not in drawn_ids(attempt):
        raise ExamRefused(404, N_("This attempt has no such question."))
    question = db.session.get_one(ExamQuestion, question_id)
    given = {k: v for k, v in raw.items() if k in ANSWER_FIELDS and v is not None}
    try:
        grading.parse(question.kind, given, [int(c["id"]) for c in question.choices])
    except grading.AnswerError as exc:
        raise ExamRefused(400, str(exc), "answer") from None
    answer = db.session.scalar(
        select(ExamAnswer).where(
            ExamAnswer.attempt_id == attempt.id, ExamAnswer.question_id == question_id
        )
    )
    if answer is None:
        answer = ExamAnswer(attempt_id=attempt.id, question_id=question_id, given=given)
        db.session.add(answer)
    answer.given = given
    answer.saved_at = now
    db.session.flush()
    return answer


def submit(attempt: ExamAttempt, now: datetime) -> bool:
    """Close the attempt as submitted and grade it; a second submit changes nothing.
    False when it came too late: the attempt is then closed as expired instead."""
    if attempt.status is not AttemptStatus.OPEN:
        return attempt.status is AttemptStatus.SUBMITTED
    if is_late(attempt, now):
        close(attempt, now, AttemptStatus.EXPIRED)
        return False
    close(attempt, now, AttemptStatus.SUBMITTED)
    return True


def close(attempt: ExamAttempt, now: datetime, status: AttemptStatus) -> bool:
    """Close ``attempt`` once (a conditional UPDATE: whoever closes it first grades it)
    and record the result for certificates; False when it was already closed."""
    claimed = db.session.execute(
        update(ExamAttempt)
        .where(ExamAttempt.id == attempt.id, ExamAttempt.status == AttemptStatus.OPEN)
        .values(status=status, closed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(attempt)
    if cast(CursorResult[Any], claimed).rowcount != 1:
        return False
    exam = db.session.get_one(Exam, attempt.exam_id)
    questions = {q.id: q for q in questions_of(exam.id)}
    answers = {
        a.question_id: a
        for a in db.session.scalars(select(ExamAnswer).where(ExamAnswer.attempt_id == attempt.id))
    }
    items = []
    for qid in drawn_ids(attempt):
        question = questions.get(qid)
        if question is None:  # deleted from the bank since: it no longer counts
            continue
        choice_ids = [int(c["id"]) for c in question.choices]
        answer = answers.get(qid)
        given = _given(question.kind, answer.given, choice_ids) if answer else None
        key = key_of(
            question.kind,
            question.choices,
            question.correct,
            question.number,
            question.tolerance,
            question.texts,
        )
        items.append((qid, key, given, question.points))
    result = grade(items, exam.pass_percent)
    for marked in result.marked:
        if marked.question_id in answers:
            answers[marked.question_id].right = marked.right
            answers[marked.question_id].earned = marked.earned
    attempt.score, attempt.max_score = result.score, result.max_score
    attempt.percent, attempt.passed = result.percent, result.passed
    db.session.flush()
    exam_result_recorded(attempt.user_id, exam.id)
    return True


def _given(
    kind: grading.Kind, raw: Mapping[str, Any], choice_ids: list[int]
) -> grading.Given | None:
    """A saved answer as marked; one the question no longer accepts (edited since) is none."""
    try:
        return grading.parse(kind, raw, choice_ids)
    except grading.AnswerError:
        return None


def attempts_used(exam_id: int, user_id: int) -> int:
    """How many attempts the learner has started."""
    return int(
        db.session.scalar(
            select(func.count(ExamAttempt.id)).where(
                ExamAttempt.exam_id == exam_id, ExamAttempt.user_id == user_id
            )
        )
        or 0
    )
