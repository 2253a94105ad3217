"""Quiz questions for tests, made through the same service the pages and the API use."""

from __future__ import annotations

from flask import Flask

from webapp.extensions import db
from webapp.grading import Kind
from webapp.models import QuizQuestion, User, Video
from webapp.quizzes import services


def add_question(app: Flask, video_id: int, at: float, kind: str, **fields) -> dict:
    """A committed question on ``video_id`` by its owner: {"id", "choices": [ids]}."""
    with app.app_context():
        video = db.session.get(Video, video_id)
        author = db.session.get(User, video.owner_id)
        draft = services.Draft(at=at, kind=Kind(kind), prompt=fields.pop("prompt", "Q?"), **fields)
        question = services.create_question(video, author, draft)
        db.session.commit()
        return {"id": question.id, "choices": [c.id for c in question.choices]}


def stored_answers(app: Flask) -> int:
    """How many answers are stored, over every question."""
    from sqlalchemy import func, select

    from webapp.models import QuizAnswer

    with app.app_context():
        return int(db.session.scalar(select(func.count(QuizAnswer.id))) or 0)


def question_count(app: Flask) -> int:
    """How many questions are stored."""
    from sqlalchemy import func, select

    with app.app_context():
        return int(db.session.scalar(select(func.count(QuizQuestion.id))) or 0)
