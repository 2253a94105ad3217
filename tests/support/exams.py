"""A graded exam to sit: a program with two modules, a cohort (Europe/Berlin) with two
learners and an instructor, a learner of another cohort, and an exam with four questions
of every kind (fixed texts, random choice ids), open since an hour ago."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.support import factories
from tests.support.auth import Auth
from webapp.certificates.events import PENDING
from webapp.cohorts import services as cohorts
from webapp.exams import bank
from webapp.extensions import db
from webapp.grading import Kind
from webapp.learning import services as learning
from webapp.models import Exam, ExamQuestion, Module, User, Video, VideoState
from webapp.models.base import utcnow

ZONE = "Europe/Berlin"
DURATION = 300.0
_slugs = itertools.count(1)

# Every secret a learner must not see before submitting (keys, accepted texts,
# explanations); the right choice ids are read from the database per test.
RIGHT_NUMBER = 314.159
RIGHT_TEXT = "photosynthesis-zeta"
EXPLANATIONS = (
    "EXPLAIN-capital-ONE",
    "EXPLAIN-primes-TWO",
    "EXPLAIN-pi-THREE",
    "EXPLAIN-word-FOUR",
)


def questions() -> list[bank.QuestionValues]:
    """The four questions (module ids filled in by ``build``)."""

    def q(kind: Kind, prompt: str, **kw: object) -> bank.QuestionValues:
        values: dict[str, object] = {
            "choices": [],
            "number": None,
            "tolerance": 0.0,
            "texts": [],
            "points": 1.0,
            "module_id": None,
            "at_seconds": None,
        }
        values.update(kw)
        return bank.QuestionValues(kind=kind, prompt=prompt, **values)  # type: ignore[arg-type]

    return [
        q(
            Kind.SINGLE,
            "Capital of **France**?",
            choices=[("Paris", True), ("Lyon", False), ("Nice", False)],
            points=2.0,
            explanation=EXPLANATIONS[0],
            at_seconds=42.0,
        ),
        q(
            Kind.MULTIPLE,
            "Which are prime?",
            choices=[("Two", True), ("Three", True), ("Four", False)],
            explanation=EXPLANATIONS[1],
            at_seconds=90.5,
        ),
        q(
            Kind.NUMERIC,
            "Pi times one hundred?",
            number=RIGHT_NUMBER,
            tolerance=0.01,
            explanation=EXPLANATIONS[2],
            at_seconds=10.0,
        ),
        q(Kind.TEXT, "The magic word?", texts=[RIGHT_TEXT], explanation=EXPLANATIONS[3]),
    ]


@dataclass(frozen=True)
class ExamWorld:
    """Who and what the exam tests use."""

    learner: factories.UserInfo
    learner2: factories.UserInfo
    outsider: factories.UserInfo
    teacher: factories.UserInfo
    admin: factories.UserInfo
    program_id: int
    cohort_id: int
    modules: tuple[int, int]
    exam_id: int
    question_ids: tuple[int, int, int, int]


def _module(owner_id: int, title: str) -> Module:
    video = Video(title=title, owner_id=owner_id, state=VideoState.READY.value, duration=DURATION)
    db.session.add(video)
    db.session.flush()
    module = Module(video_id=video.id, title=title, duration=DURATION)
    db.session.add(module)
    db.session.flush()
    return module


def build(app: Flask, time_limit: int | None = None, attempts: int | None = None) -> ExamWorld:
    """The world, committed."""
    n = next(_slugs)
    learner, learner2 = factories.create_user(app), factories.create_user(app)
    outsider = factories.create_user(app)
    teacher = factories.create_user(app, "instructor")
    admin = factories.create_user(app, "admin")
    with app.app_context():
        m1, m2 = _module(teacher.id, "Geography"), _module(teacher.id, "Numbers")
        slug = f"exam-program-{n}"
        learning.create_course(f"exam-course-{n}", "Exam course", [m1.id, m2.id])
        program = learning.create_program(slug, "Exam program", [f"exam-course-{n}"])
        cohort = cohorts.create_cohort(slug, "Spring", date(2026, 1, 5), ZONE)
        other = cohorts.create_cohort(slug, "Autumn", date(2026, 9, 5), ZONE)
        for info, where in ((learner, cohort), (learner2, cohort), (outsider, other)):
            row = db.session.get_one(User, info.id)
            learning.enrol(row, program, admin=True)
            cohorts.add_member(where, row, "learner")
        cohorts.add_member(cohort, db.session.get_one(User, teacher.id), "instructor")
        exam = cohorts.add_exam(cohort, "Final", utcnow() - timedelta(hours=1), [m1.id, m2.id])
        exam.time_limit_minutes = time_limit
        exam.attempts_limit = attempts
        exam.pass_percent = 60
        links = [m1.id, m1.id, m2.id, None]
        ids = []
        for values, module_id in zip(questions(), links, strict=True):
            values = bank.QuestionValues(**{**values.__dict__, "module_id": module_id})
            ids.append(bank.save_question(exam, values, None).id)
        db.session.info.pop(PENDING, None)
        db.session.commit()
        return ExamWorld(
            learner,
            learner2,
            outsider,
            teacher,
            admin,
            program.id,
            cohort.id,
            (m1.id, m2.id),
            exam.id,
            (ids[0], ids[1], ids[2], ids[3]),
        )


def right_answers(app: Flask, world: ExamWorld) -> dict[int, dict[str, object]]:
    """The right answer to each question, as the API takes it."""
    with app.app_context():
        q1, q2, _q3, _q4 = (db.session.get_one(ExamQuestion, i) for i in world.question_ids)
        return {
            q1.id: {"choice": q1.correct[0]},
            q2.id: {"choices": sorted(q2.correct)},
            world.question_ids[2]: {"number": RIGHT_NUMBER},
            world.question_ids[3]: {"text": RIGHT_TEXT.upper()},
        }


def wrong_choice(app: Flask, question_id: int) -> int:
    """A choice id of the question that is not right."""
    with app.app_context():
        q = db.session.get_one(ExamQuestion, question_id)
        return next(int(c["id"]) for c in q.choices if c["id"] not in q.correct)


def set_exam(app: Flask, exam_id: int, **values: object) -> None:
    """Change exam settings directly."""
    with app.app_context():
        exam = db.session.get_one(Exam, exam_id)
        for name, value in values.items():
            setattr(exam, name, value)
        db.session.commit()


API = "/api/v1"


class Sitter:
    """A signed-in learner's calls, as the exam page makes them."""

    def __init__(self, client: FlaskClient, email: str) -> None:
        self.client = client
        self.auth = Auth(client)
        self.auth.login(email)
        self.headers = self.auth.json_headers()

    def start(self, exam_id: int) -> Any:
        return self.client.post(f"{API}/exams/{exam_id}/attempts", headers=self.headers)

    def save(self, attempt_id: int, question_id: int, body: object, raw: str | None = None):
        data = raw if raw is not None else json.dumps(body)
        url = f"{API}/exam-attempts/{attempt_id}/answers/{question_id}"
        return self.client.put(url, data=data, headers=self.headers)

    def submit(self, attempt_id: int):
        url = f"{API}/exam-attempts/{attempt_id}/submit"
        return self.client.post(url, headers=self.headers)


def sitter(app: Flask, email: str) -> Sitter:
    """A new client signed in as ``email``."""
    return Sitter(app.test_client(), email)


def count(app: Flask, model: type) -> int:
    """Rows of ``model``."""
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)
