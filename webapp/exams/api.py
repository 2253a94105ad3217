"""Exam attempts over the API: start or resume, read, save an answer, submit, result.

Until an attempt is closed, nothing a route answers names what is right: the sheet has
prompts, choices (in the attempt's order) and the learner's own saved answers, never
keys, right choices, accepted texts or explanations. After it closes, the result adds
them (the review).
"""

from __future__ import annotations

from typing import Annotated, Any

from flask import g, url_for
from pydantic import Field

from webapp.access import exam_to_sit_or_404, own_attempt_or_404
from webapp.api.blueprint import bp
from webapp.api.contract import Input, Output, Timestamp, operation
from webapp.exams import attempts as engine
from webapp.exams.attempts import ExamRefused
from webapp.exams.queries import ReviewLine, SheetLine, review, sheet
from webapp.extensions import db
from webapp.markdown import to_html
from webapp.models import AttemptStatus, Exam, ExamAttempt, Module
from webapp.models.base import as_utc, utcnow
from webapp.problems import ApiError, FieldError

ChoiceId = Annotated[int, Field(ge=1, le=2_147_483_647)]


class AnswerIn(Input):
    """An answer, by the question's kind: ``choice`` (single), ``choices`` (multiple),
    ``number`` (numeric) or ``text`` (text)."""

    choice: ChoiceId | None = None
    choices: list[ChoiceId] | None = Field(default=None, max_length=50)
    number: float | None = Field(default=None, allow_inf_nan=False)
    text: str | None = Field(default=None, max_length=500)


class GivenOut(Output):
    """An answer as stored."""

    choice: int | None = None
    choices: list[int] | None = None
    number: float | None = None
    text: str | None = None


class ChoiceOut(Output):
    """A choice offered."""

    id: int
    text_html: str


class QuestionOut(Output):
    """A drawn question while sitting: no key, no explanation."""

    id: int
    kind: str
    prompt_html: str
    points: float
    choices: list[ChoiceOut]
    answer: GivenOut | None

    @classmethod
    def of(cls, line: SheetLine) -> QuestionOut:
        """The sheet line's shape."""
        q = line.question
        return cls(
            id=q.id,
            kind=q.kind.value,
            prompt_html=to_html(q.prompt),
            points=q.points,
            choices=[ChoiceOut(id=c["id"], text_html=to_html(c["text"])) for c in line.choices],
            answer=GivenOut(**line.given) if line.given is not None else None,
        )


class ReviewOut(Output):
    """A question after the attempt: what was given, what was right, and why."""

    id: int
    kind: str
    prompt_html: str
    points: float
    earned: float
    right: bool
    answer: GivenOut | None
    key: GivenOut
    explanation_html: str
    moment_url: str | None

    @classmethod
    def of(cls, line: ReviewLine) -> ReviewOut:
        """The review line's shape."""
        q = line.question
        return cls(
            id=q.id,
            kind=q.kind.value,
            prompt_html=to_html(q.prompt),
            points=q.points,
            earned=line.earned,
            right=line.right,
            answer=GivenOut(**line.given) if line.given is not None else None,
            key=key_out(q.kind.value, q.correct, q.number, q.texts),
            explanation_html=to_html(q.explanation),
            moment_url=moment_url(q.module_id, q.at_seconds),
        )


def key_out(kind: str, correct: list[int], number: float | None, texts: list[str]) -> GivenOut:
    """What was right, in the shape of an answer."""
    if kind == "single":
        return GivenOut(choice=correct[0] if correct else None)
    if kind == "multiple":
        return GivenOut(choices=sorted(correct))
    if kind == "numeric":
        return GivenOut(number=number)
    return GivenOut(text=texts[0] if texts else None)


def moment_url(module_id: int | None, at: float | None) -> str | None:
    """The watch page of a question's linked moment (``?t=`` seconds)."""
    module = db.session.get(Module, module_id) if module_id is not None else None
    if module is None:
        return None
    if module.clip_id is not None:
        return url_for("clips.watch", clip_id=module.clip_id, t=int(at or 0))
    return url_for("playback.watch", video_id=module.video_id, t=int(at or 0))


class ResultOut(Output):
    """A closed attempt's result and review."""

    attempt_id: int
    status: str
    score: float
    max_score: float
    percent: float
    passed: bool
    questions: list[ReviewOut]

    @classmethod
    def of(cls, attempt: ExamAttempt) -> ResultOut:
        """The result of the closed ``attempt``."""
        return cls(
            attempt_id=attempt.id,
            status=attempt.status.value,
            score=attempt.score or 0.0,
            max_score=attempt.max_score or 0.0,
            percent=attempt.percent or 0.0,
            passed=bool(attempt.passed),
            questions=[ReviewOut.of(line) for line in review(attempt)],
        )


class AttemptOut(Output):
    """An attempt: while open, the sheet and the clock (the server's)."""

    id: int
    exam_id: int
    number: int
    status: str
    started_at: Timestamp
    deadline: Timestamp | None
    now: Timestamp
    seconds_left: float | None
    questions: list[QuestionOut]

    @classmethod
    def of(cls, attempt: ExamAttempt) -> AttemptOut:
        """The attempt's shape now."""
        now = utcnow()
        left = None
        if attempt.deadline is not None:
            left = max(0.0, round((as_utc(attempt.deadline) - now).total_seconds(), 1))
        open_ = attempt.status is AttemptStatus.OPEN
        return cls(
            id=attempt.id,
            exam_id=attempt.exam_id,
            number=attempt.number,
            status=attempt.status.value,
            started_at=as_utc(attempt.started_at),
            deadline=as_utc(attempt.deadline) if attempt.deadline else None,
            now=now,
            seconds_left=left,
            questions=[QuestionOut.of(line) for line in sheet(attempt)] if open_ else [],
        )


class Saved(Output):
    """An answer stored."""

    question_id: int
    saved_at: Timestamp


def refused(exc: ExamRefused) -> ApiError:
    """The problem for a refusal of the exam's rules."""
    fields = [FieldError(exc.field, exc.message)] if exc.field else []
    return ApiError(exc.status, exc.message, fields)


@operation(
    bp,
    "POST",
    "/exams/<int:exam_id>/attempts",
    responses={201: AttemptOut, 200: AttemptOut},
    errors=(403, 404, 409),
)
def start_attempt(exam_id: int) -> tuple[AttemptOut, int]:
    """Start an attempt (201), or resume the open one (200)."""
    exam: Exam = exam_to_sit_or_404(exam_id, g.user)
    try:
        attempt, created = engine.begin(exam, g.user, utcnow())
    except ExamRefused as exc:
        db.session.commit()  # an attempt found past its time stays closed
        raise refused(exc) from None
    return AttemptOut.of(attempt), 201 if created else 200


@operation(bp, "GET", "/exam-attempts/<int:attempt_id>", responses={200: AttemptOut}, errors=(404,))
def get_attempt(attempt_id: int) -> AttemptOut:
    """The caller's attempt: its questions and the time left while open."""
    attempt = own_attempt_or_404(attempt_id, g.user)
    if attempt.status is AttemptStatus.OPEN and engine.is_late(attempt, utcnow()):
        engine.close(attempt, utcnow(), AttemptStatus.EXPIRED)
        db.session.commit()
    return AttemptOut.of(attempt)


@operation(
    bp,
    "PUT",
    "/exam-attempts/<int:attempt_id>/answers/<int:question_id>",
    body=AnswerIn,
    responses={200: Saved},
    errors=(404, 409),
)
def save_answer(attempt_id: int, question_id: int, body: AnswerIn) -> Saved:
    """Save (autosave) the answer to one question of the caller's open attempt."""
    attempt = own_attempt_or_404(attempt_id, g.user)
    raw: dict[str, Any] = body.model_dump(exclude_none=True)
    try:
        answer = engine.save_answer(attempt, question_id, raw, utcnow())
    except ExamRefused as exc:
        if exc.status == 409:
            db.session.commit()  # closed by the clock: that stands
        else:
            db.session.rollback()
        raise refused(exc) from None
    db.session.commit()
    return Saved(question_id=question_id, saved_at=as_utc(answer.saved_at))


@operation(
    bp,
    "POST",
    "/exam-attempts/<int:attempt_id>/submit",
    responses={200: ResultOut},
    errors=(404, 409),
)
def submit_attempt(attempt_id: int) -> ResultOut:
    """Submit the attempt (again: the same result); 409 after the time limit and grace
    (the attempt is then closed with the answers saved in time)."""
    attempt = own_attempt_or_404(attempt_id, g.user)
    in_time = engine.submit(attempt, utcnow())
    db.session.commit()
    if not in_time:
        raise ApiError(
            409, "Too late: the time limit has passed. Your answers saved in time were graded."
        )
    return ResultOut.of(attempt)


@operation(
    bp,
    "GET",
    "/exam-attempts/<int:attempt_id>/result",
    responses={200: ResultOut},
    errors=(404, 409),
)
def attempt_result(attempt_id: int) -> ResultOut:
    """The closed attempt's result, with the right answers and explanations."""
    attempt = own_attempt_or_404(attempt_id, g.user)
    if attempt.status is AttemptStatus.OPEN and engine.is_late(attempt, utcnow()):
        engine.close(attempt, utcnow(), AttemptStatus.EXPIRED)
        db.session.commit()
    if attempt.status is AttemptStatus.OPEN:
        raise ApiError(409, "The attempt is still open: submit it first.")
    return ResultOut.of(attempt)
