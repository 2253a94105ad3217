"""API routes of in-video quizzes.

Instructors who manage a video list, add, replace and delete its questions (with the
keys). Learners read a video's or a clip's questions without the keys (and with their
previous answers), and answer one: the answer is marked, stored (every attempt; the
first counts for scores) and answered with the explanation and the right answer. The
audience is the video's, or a clip's that holds the question's moment
(``webapp.access.quiz_question_or_404``). Whether a required question blocks seeking is
the player's business: the server only records answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import g

from webapp.access import (
    managed_quiz_question_or_404,
    managed_video_or_404,
    quiz_question_or_404,
    video_or_404,
)
from webapp.api.blueprint import bp
from webapp.api.contract import operation
from webapp.clips.queries import clip_or_404
from webapp.extensions import db
from webapp.problems import ApiError, FieldError
from webapp.quizzes import services
from webapp.quizzes.queries import previous_answers, questions_of
from webapp.quizzes.schemas import (
    AnswerIn,
    AnswerResult,
    QuestionFull,
    QuestionFullList,
    QuestionIn,
    QuestionOut,
    QuizOut,
)
from webapp.quizzes.services import QuizError


@contextmanager
def _refused() -> Iterator[None]:
    """A refused question or answer: nothing stored, a problem naming each field."""
    try:
        yield
    except QuizError as exc:
        db.session.rollback()
        errors = [FieldError(name, message) for name, message in exc.errors.items()]
        raise ApiError(exc.status, str(exc), errors) from None


def _quiz(video_id: int, start: float | None = None, end: float | None = None) -> QuizOut:
    questions = questions_of(video_id, start, end)
    previous = previous_answers(g.user.id, [q.id for q in questions])
    return QuizOut(items=[QuestionOut.of(q, previous.get(q.id), start or 0.0) for q in questions])


# ----------------------------------------------------------------------------- learners


@operation(bp, "GET", "/videos/<int:video_id>/quiz", responses={200: QuizOut}, errors=(403, 404))
def video_quiz(video_id: int) -> QuizOut:
    """The video's quiz questions by moment, without right answers or explanations, with
    the caller's previous answers."""
    video = video_or_404(video_id, g.user)
    return _quiz(video.id)


@operation(bp, "GET", "/clips/<int:clip_id>/quiz", responses={200: QuizOut}, errors=(403, 404))
def clip_quiz(clip_id: int) -> QuizOut:
    """The questions whose moment lies in the clip, at times from the clip's start."""
    clip = clip_or_404(clip_id, g.user)
    return _quiz(clip.video_id, clip.start, clip.end)


@operation(
    bp,
    "POST",
    "/quiz-questions/<int:question_id>/answers",
    body=AnswerIn,
    responses={201: AnswerResult},
    errors=(403, 404, 429),
)
def answer_quiz_question(question_id: int, body: AnswerIn) -> AnswerResult:
    """Answer a question: marked, stored, and answered with whether it was right, the
    explanation and the right answer. Every attempt is stored; the first counts."""
    question = quiz_question_or_404(question_id, g.user)
    with _refused():
        row = services.answer(question, g.user, body.answer.model_dump(exclude_unset=True))
    previous = previous_answers(g.user.id, [question.id])[question.id]
    db.session.commit()
    return AnswerResult.of(question, row.right, previous)


# ----------------------------------------------------------------------------- instructors


@operation(
    bp,
    "GET",
    "/videos/<int:video_id>/quiz-questions",
    responses={200: QuestionFullList},
    errors=(403, 404),
)
def list_quiz_questions(video_id: int) -> QuestionFullList:
    """The video's questions with their keys (its instructor and admins)."""
    video = managed_video_or_404(video_id, g.user)
    return QuestionFullList(items=[QuestionFull.of(q) for q in questions_of(video.id)])


@operation(
    bp,
    "POST",
    "/videos/<int:video_id>/quiz-questions",
    body=QuestionIn,
    responses={201: QuestionFull},
    errors=(403, 404),
)
def create_quiz_question(video_id: int, body: QuestionIn) -> QuestionFull:
    """Add a question at a moment of the video."""
    video = managed_video_or_404(video_id, g.user)
    with _refused():
        question = services.create_question(video, g.user, body.draft())
    db.session.commit()
    return QuestionFull.of(question)


@operation(
    bp,
    "PUT",
    "/quiz-questions/<int:question_id>",
    body=QuestionIn,
    responses={200: QuestionFull},
    errors=(403, 404),
)
def replace_quiz_question(question_id: int, body: QuestionIn) -> QuestionFull:
    """Replace a question (answers already given keep their marks)."""
    question = managed_quiz_question_or_404(question_id, g.user)
    video = managed_video_or_404(question.video_id, g.user)
    with _refused():
        services.update_question(question, video, body.draft())
    db.session.commit()
    return QuestionFull.of(question)


@operation(
    bp, "DELETE", "/quiz-questions/<int:question_id>", responses={204: None}, errors=(403, 404)
)
def delete_quiz_question(question_id: int) -> None:
    """Delete a question with its answers."""
    services.delete_question(managed_quiz_question_or_404(question_id, g.user))
    db.session.commit()
