"""Route-matrix entries: graded exams (issue 21) — the learner's exam page, attempts over
the API and as pages, and the instructor's bank, settings and item analysis.

Sitting uses throw-away exams of cohort A that opened an hour ago with one question
(``fresh=``); attempts belong to learner A (everyone else 404, admins too)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from webapp.cohorts import services
from webapp.exams import attempts, bank
from webapp.extensions import db
from webapp.grading import Kind
from webapp.models import Cohort, Exam, User

if TYPE_CHECKING:
    from tests.support.matrix_world import World
    from tests.support.route_matrix import Entry


def _open_exam(world: World) -> Exam:
    cohort = db.session.get_one(Cohort, world.cohort_a)
    exam = services.add_exam(cohort, "Open exam", datetime.now(UTC) - timedelta(hours=1), [])
    bank.save_question(
        exam,
        bank.QuestionValues(
            Kind.TEXT, "Say yes", [], None, 0.0, ["yes"], 1.0, "Because.", None, None
        ),
        None,
    )
    return exam


def fresh_exam(world: World) -> dict[str, Any]:
    """An open exam of cohort A with one question."""
    exam = _open_exam(world)
    db.session.commit()
    return {"exam_id": exam.id}


def _attempt(world: World, submitted: bool) -> dict[str, Any]:
    exam = _open_exam(world)
    learner = db.session.get_one(User, world.users["learner_a"])
    attempt, _ = attempts.start_or_resume(exam, learner, datetime.now(UTC))
    if submitted:
        attempts.submit(attempt, datetime.now(UTC))
    db.session.commit()
    return {"attempt_id": attempt.id, "question_id": attempts.drawn_ids(attempt)[0]}


def fresh_attempt(world: World) -> dict[str, Any]:
    """Learner A's open attempt at a new exam."""
    return _attempt(world, submitted=False)


def fresh_result(world: World) -> dict[str, Any]:
    """Learner A's submitted attempt at a new exam."""
    return _attempt(world, submitted=True)


def fresh_question(world: World) -> dict[str, Any]:
    """A question of the bank of cohort A's exam."""
    exam = db.session.get_one(Exam, world.exam_a)
    values = bank.QuestionValues(Kind.NUMERIC, "How many?", [], 3.0, 0.0, [], 1.0, "", None, None)
    question = bank.save_question(exam, values, None)
    db.session.commit()
    return {"question_id": question.id}


def entries() -> Iterator[Entry]:
    """This feature's entries."""
    from tests.support.route_matrix import AUTHOR, COHORT_LEARNER, TEACHER, _at, _e

    exam = _at(exam_id="exam_a")
    empty = {"ok": 400, "form": lambda w: {}}
    # The learner's pages and API.
    yield _e("exams.exam_page", "GET", COHORT_LEARNER, exam)
    yield _e(
        "exams.start", "POST", COHORT_LEARNER, _at(), fresh=fresh_exam, ok=302, form=lambda w: {}
    )
    yield _e("exams.attempt_page", "GET", AUTHOR, _at(), fresh=fresh_attempt)
    yield _e("exams.submit", "POST", AUTHOR, _at(), fresh=fresh_attempt, ok=302, form=lambda w: {})
    yield _e("exams.result_page", "GET", AUTHOR, _at(), fresh=fresh_result)
    yield _e("api.start_attempt", "POST", COHORT_LEARNER, _at(), fresh=fresh_exam, ok=201)
    yield _e("api.get_attempt", "GET", AUTHOR, _at(), fresh=fresh_attempt)
    yield _e(
        "api.save_answer",
        "PUT",
        AUTHOR,
        _at(),
        fresh=fresh_attempt,
        json=lambda w: {"text": "yes"},
    )
    yield _e("api.submit_attempt", "POST", AUTHOR, _at(), fresh=fresh_attempt)
    yield _e("api.attempt_result", "GET", AUTHOR, _at(), fresh=fresh_result)
    # The instructor's pages.
    yield _e("exams.manage_bank", "GET", TEACHER, exam)
    yield _e("exams.manage_settings", "GET", TEACHER, exam)
    yield _e("exams.manage_settings", "POST", TEACHER, exam, **empty)
    yield _e("exams.new_question", "GET", TEACHER, exam)
    yield _e("exams.new_question", "POST", TEACHER, exam, **empty)
    yield _e("exams.edit_question", "GET", TEACHER, _at(), fresh=fresh_question)
    yield _e("exams.edit_question", "POST", TEACHER, _at(), fresh=fresh_question, **empty)
    yield _e(
        "exams.delete_question",
        "POST",
        TEACHER,
        _at(),
        fresh=fresh_question,
        ok=302,
        form=lambda w: {},
    )
    yield _e("exams.analysis_page", "GET", TEACHER, exam)
