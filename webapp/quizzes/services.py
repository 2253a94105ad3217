"""Writes for quiz questions and answers; each function only flushes.

A question is checked whole before anything is stored (``check``): a refused one raises
``QuizError`` with every field at fault. Answers are marked by ``webapp.grading`` when
they are given; every attempt is stored, the first one per learner counts for scores.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select

from webapp import grading
from webapp.extensions import db
from webapp.grading import Kind
from webapp.markdown import PLAIN_HTML, html_problem
from webapp.models import QuizAnswer, QuizChoice, QuizQuestion, User, Video
from webapp.notes.services import clean_body

MAX_PROMPT = 5000
MAX_EXPLANATION = 5000
MAX_CHOICE = 500
MAX_CHOICES = 8
MAX_TEXTS = 20
MAX_QUESTIONS_PER_VIDEO = 200
MAX_ATTEMPTS = 50  # per learner and question: retrying is for learning, not for spamming


class QuizError(ValueError):
    """A question or answer that cannot be stored as asked: ``errors`` maps each field
    at fault to its message (``status`` is the HTTP status the API answers)."""

    def __init__(self, errors: Mapping[str, str], status: int = 400) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)
        self.status = status


@dataclass
class Draft:
    """A question as the form or the API gives it (before checking)."""

    at: float
    kind: Kind
    prompt: str
    explanation: str = ""
    required: bool = False
    choices: Sequence[tuple[str, bool]] = field(default_factory=list)  # (text, right)
    number: float | None = None
    tolerance: float = 0.0
    texts: Sequence[str] = field(default_factory=list)


def _key(draft: Draft) -> grading.Key:
    ids = frozenset(range(len(draft.choices)))
    return grading.Key(
        kind=draft.kind,
        choice_ids=ids,
        correct=frozenset(i for i, (_, right) in enumerate(draft.choices) if right),
        number=draft.number,
        tolerance=draft.tolerance,
        texts=tuple(draft.texts),
    )


# Which field each of grading.problems' messages is about.
_PROBLEM_FIELDS = {"number": "number", "tolerance": "tolerance", "accepted": "texts"}


def check(draft: Draft, video: Video) -> Draft:
    """The draft cleaned (text without control characters, unused parts dropped); every
    fault raised together as ``QuizError``."""
    errors: dict[str, str] = {}
    draft.prompt = clean_body(draft.prompt)
    draft.explanation = clean_body(draft.explanation)
    if not math.isfinite(draft.at) or draft.at < 0:
        errors["at"] = "The moment is a time of 0 or more."
    elif video.duration and draft.at > video.duration:
        errors["at"] = f"The moment is past the end of the video ({video.duration:g} s)."
    if not draft.prompt:
        errors["prompt"] = "Write the question."
    elif len(draft.prompt) > MAX_PROMPT:
        errors["prompt"] = f"At most {MAX_PROMPT:,} characters."
    if len(draft.explanation) > MAX_EXPLANATION:
        errors["explanation"] = f"At most {MAX_EXPLANATION:,} characters."
    for name in ("prompt", "explanation"):
        if problem := html_problem(getattr(draft, name)):
            errors.setdefault(name, problem)
    if draft.kind in (Kind.SINGLE, Kind.MULTIPLE):
        draft.choices = [(clean_body(t), bool(r)) for t, r in draft.choices if clean_body(t)]
        if len(draft.choices) > MAX_CHOICES:
            errors["choices"] = f"At most {MAX_CHOICES} choices."
        elif any(len(t) > MAX_CHOICE for t, _ in draft.choices):
            errors["choices"] = f"A choice has at most {MAX_CHOICE} characters."
        draft.number, draft.tolerance, draft.texts = None, 0.0, []
    elif draft.kind is Kind.NUMERIC:
        draft.choices, draft.texts = [], []
    else:
        draft.texts = [clean_body(t) for t in draft.texts if clean_body(t)]
        if len(draft.texts) > MAX_TEXTS or any(len(t) > MAX_CHOICE for t in draft.texts):
            errors["texts"] = f"At most {MAX_TEXTS} answers of {MAX_CHOICE} characters."
        draft.choices, draft.number, draft.tolerance = [], None, 0.0
    for name, texts in (("choices", [t for t, _ in draft.choices]), ("texts", draft.texts)):
        if any(html_problem(t, markdown=False) for t in texts):
            errors.setdefault(name, PLAIN_HTML)
    for problem in grading.problems(_key(draft)):
        where = next((f for word, f in _PROBLEM_FIELDS.items() if word in problem), "choices")
        errors.setdefault(where, problem)
    if errors:
        raise QuizError(errors)
    return draft


def _count(video_id: int) -> int:
    found = db.session.scalar(
        select(func.count(QuizQuestion.id)).where(QuizQuestion.video_id == video_id)
    )
    return int(found or 0)


def _apply(question: QuizQuestion, draft: Draft) -> None:
    question.at = round(draft.at, 3)
    question.kind = draft.kind
    question.prompt = draft.prompt
    question.explanation = draft.explanation
    question.required = draft.required
    question.number = draft.number
    question.tolerance = draft.tolerance
    question.texts = "\n".join(draft.texts)
    # Choices keep their rows (and ids) by position, so answers already given still
    # name the choice they meant.
    kept = list(question.choices)
    for position, (text, right) in enumerate(draft.choices):
        if position < len(kept):
            kept[position].text, kept[position].correct = text, right
        else:
            question.choices.append(QuizChoice(position=position, text=text, correct=right))
    for extra in kept[len(draft.choices) :]:
        question.choices.remove(extra)


def create_question(video: Video, author: User, draft: Draft) -> QuizQuestion:
    """A new question on ``video`` (the caller checked that ``author`` manages it)."""
    check(draft, video)
    if _count(video.id) >= MAX_QUESTIONS_PER_VIDEO:
        raise QuizError({"video": f"A video has at most {MAX_QUESTIONS_PER_VIDEO} questions."})
    question = QuizQuestion(video_id=video.id, created_by=author.id, kind=draft.kind)
    _apply(question, draft)
    db.session.add(question)
    db.session.flush()
    return question


def update_question(question: QuizQuestion, video: Video, draft: Draft) -> QuizQuestion:
    """Replace what ``question`` asks with ``draft``; answers given keep their marks."""
    check(draft, video)
    _apply(question, draft)
    db.session.flush()
    return question


def delete_question(question: QuizQuestion) -> None:
    """Remove ``question`` with its choices and answers."""
    db.session.delete(question)
    db.session.flush()


def key_of(question: QuizQuestion) -> grading.Key:
    """What is right for ``question``, as ``webapp.grading`` marks it."""
    return grading.Key(
        kind=question.kind,
        choice_ids=frozenset(c.id for c in question.choices),
        correct=frozenset(c.id for c in question.choices if c.correct),
        number=question.number,
        tolerance=question.tolerance,
        texts=tuple(question.accepted_texts),
    )


def attempts(question_id: int, user_id: int) -> int:
    """How many times ``user_id`` answered ``question_id``."""
    found = db.session.scalar(
        select(func.count(QuizAnswer.id)).where(
            QuizAnswer.question_id == question_id, QuizAnswer.user_id == user_id
        )
    )
    return int(found or 0)


def answer(question: QuizQuestion, user: User, raw: Mapping[str, object]) -> QuizAnswer:
    """Mark and store ``user``'s answer ``raw`` (``{"choice": id}``, ``{"choices": [...]}``,
    ``{"number": x}`` or ``{"text": "..."}``); QuizError for another shape, a choice the
    question does not offer, or past ``MAX_ATTEMPTS``."""
    key = key_of(question)
    try:
        given = grading.parse(question.kind, raw, key.choice_ids)
    except grading.AnswerError as exc:
        raise QuizError({"answer": str(exc)}) from None
    if attempts(question.id, user.id) >= MAX_ATTEMPTS:
        raise QuizError({"answer": f"at most {MAX_ATTEMPTS} attempts per question"}, 429)
    stored: dict[str, object] = {}
    if question.kind in (Kind.SINGLE, Kind.MULTIPLE):
        stored["choices"] = sorted(given.choices)
    if given.number is not None:
        stored["number"] = given.number
    if given.text is not None:
        stored["text"] = clean_body(given.text)
    row = QuizAnswer(
        question_id=question.id, user_id=user.id, given=stored, right=grading.is_right(key, given)
    )
    db.session.add(row)
    db.session.flush()
    return row


def answer_count(question_id: int) -> int:
    """How many attempts learners made at ``question_id`` (the delete page says so)."""
    found = db.session.scalar(
        select(func.count(QuizAnswer.id)).where(QuizAnswer.question_id == question_id)
    )
    return int(found or 0)
