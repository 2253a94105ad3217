"""Writes of an exam's settings and question bank (services: they flush, never commit).

Every key is checked with ``webapp.grading.problems`` so the bank holds only questions
that can be marked. Choices get random ids (kept when an edit keeps the choice's text),
so an id says nothing about where the author put the right one.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from webapp.cohorts.services import exam_modules
from webapp.exams.attempts import ExamRefused
from webapp.exams.marking import key_of
from webapp.extensions import db
from webapp.grading import Kind, problems
from webapp.markdown import html_problem
from webapp.models import Cohort, Exam, ExamQuestion

MAX_CHOICES = 20


@dataclass(frozen=True)
class Settings:
    """How an exam is sat."""

    question_count: int | None
    time_limit_minutes: int | None
    attempts_limit: int | None
    pass_percent: int
    opens_at: datetime | None
    closes_at: datetime | None


@dataclass(frozen=True)
class QuestionValues:
    """A question as the author wrote it; ``choices`` as ``(text, right)``."""

    kind: Kind
    prompt: str
    choices: list[tuple[str, bool]]
    number: float | None
    tolerance: float
    texts: list[str]
    points: float
    explanation: str
    module_id: int | None
    at_seconds: float | None


def save_settings(exam: Exam, settings: Settings) -> None:
    """Store the exam's settings (the window must close after it opens)."""
    if settings.opens_at and settings.closes_at and settings.closes_at <= settings.opens_at:
        raise ExamRefused(400, _("The exam must close after it opens."), "closes_at")
    exam.question_count = settings.question_count
    exam.time_limit_minutes = settings.time_limit_minutes
    exam.attempts_limit = settings.attempts_limit
    exam.pass_percent = settings.pass_percent
    exam.opens_at = settings.opens_at
    exam.closes_at = settings.closes_at
    db.session.flush()


def parse_choices(text: str) -> list[tuple[str, bool]]:
    """Choices typed one per line, the right ones starting with ``*``."""
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            right = line.startswith("*")
            found.append((line.lstrip("*").strip(), right))
    return found


def _choice_rows(
    values: QuestionValues, old: list[dict[str, object]]
) -> tuple[list[dict[str, object]], list[int]]:
    if values.kind not in (Kind.SINGLE, Kind.MULTIPLE):
        return [], []
    if len(values.choices) > MAX_CHOICES:
        raise ExamRefused(400, _("Give at most %(num)s choices.", num=MAX_CHOICES), "choices")
    kept = {str(c["text"]): int(c["id"]) for c in old}  # type: ignore[call-overload]
    rows, correct, used = [], [], set()
    for text, right in values.choices:
        choice_id = kept.get(text)
        while choice_id is None or choice_id in used:
            choice_id = 100_000 + secrets.randbelow(900_000)
        used.add(choice_id)
        rows.append({"id": choice_id, "text": text})
        if right:
            correct.append(choice_id)
    return rows, correct


def _check(exam: Exam, values: QuestionValues, choices: list, correct: list[int]) -> None:
    for name in ("prompt", "explanation"):
        if problem := html_problem(getattr(values, name)):
            raise ExamRefused(400, problem, name)
    plain = [("choices", text) for text, _right in values.choices] + [
        ("texts", t) for t in values.texts
    ]
    for name, text in plain:
        if problem := html_problem(text, markdown=False):
            raise ExamRefused(400, problem, name)
    if values.kind is Kind.NUMERIC and values.number is None:
        raise ExamRefused(400, _("Give the right number."), "number")
    if values.kind is Kind.NUMERIC and not math.isfinite(values.tolerance):
        raise ExamRefused(400, _("The tolerance is a number of 0 or more."), "tolerance")
    key = key_of(values.kind, choices, correct, values.number, values.tolerance, values.texts)
    found = problems(key)
    if found:
        field = {Kind.NUMERIC: "number", Kind.TEXT: "texts"}.get(values.kind, "choices")
        raise ExamRefused(400, " ".join(found), field)
    if values.module_id is not None:
        cohort = db.session.get_one(Cohort, exam.cohort_id)
        allowed = {m.id for m in exam_modules(cohort)}
        if values.module_id not in allowed:
            raise ExamRefused(400, _("Pick a module the exam may cover."), "module_id")


def save_question(
    exam: Exam, values: QuestionValues, question: ExamQuestion | None
) -> ExamQuestion:
    """Add a question to the bank (``question`` None) or change one."""
    choices, correct = _choice_rows(values, question.choices if question else [])
    _check(exam, values, choices, correct)
    if question is None:
        question = ExamQuestion(exam_id=exam.id)
        db.session.add(question)
    question.kind = values.kind
    question.prompt = values.prompt
    question.choices = choices
    question.correct = correct
    question.number = values.number if values.kind is Kind.NUMERIC else None
    question.tolerance = values.tolerance if values.kind is Kind.NUMERIC else 0.0
    question.texts = [t for t in values.texts if t.strip()] if values.kind is Kind.TEXT else []
    question.points = values.points
    question.explanation = values.explanation
    question.module_id = values.module_id
    question.at_seconds = values.at_seconds if values.module_id is not None else None
    db.session.flush()
    return question


def delete_question(question: ExamQuestion) -> None:
    """Remove a question from the bank (closed attempts keep their scores)."""
    db.session.delete(question)
    db.session.flush()
