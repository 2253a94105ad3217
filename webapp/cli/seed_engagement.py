"""Demo engagement (issue 21): a quiz in the first lesson, a learner's question with the
instructor's answer, a graded bank for the demo exam and a project with a rubric, so
`make run` shows every part of it."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from webapp.auth.services import find_user
from webapp.exams import bank
from webapp.extensions import db
from webapp.grading import Kind
from webapp.models import Cohort, Exam, LatePolicy, Module, QuizQuestion, Video
from webapp.models.base import utcnow
from webapp.projects import services as projects
from webapp.questions import services as questions
from webapp.quizzes import services as quizzes


def _video(title: str) -> Video:
    video = db.session.scalar(select(Video).where(Video.title == title))
    assert video is not None, f"the demo lesson {title!r} is missing"
    return video


def ensure_demo_engagement(lesson_title: str, learner_email: str, teacher_email: str) -> None:
    """Create the demo quiz, question, exam bank and project once (idempotent)."""
    # The services name pages in their notifications (url_for): give them a request.
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"]):
        _ensure(lesson_title, learner_email, teacher_email)


def _ensure(lesson_title: str, learner_email: str, teacher_email: str) -> None:
    lesson = _video(lesson_title)
    if db.session.scalar(select(QuizQuestion.id).where(QuizQuestion.video_id == lesson.id)):
        return
    learner, teacher = find_user(learner_email), find_user(teacher_email)
    assert learner is not None and teacher is not None  # the demo users exist
    moment = min(10.0, (lesson.duration or 20.0) / 2)
    quizzes.create_question(
        lesson,
        teacher,
        quizzes.Draft(
            at=moment,
            kind=Kind.SINGLE,
            prompt="What does a search engine rank first?",
            explanation="Relevance to the query comes first; everything else refines it.",
            choices=[("The most relevant page", True), ("The newest page", False)],
        ),
    )
    asked = questions.ask(learner, lesson, None, moment / 2, "Does the page title count?")
    questions.answer(teacher, asked, lesson, "Yes: it is one of the **strongest** signals.")
    exam = db.session.scalar(select(Exam).order_by(Exam.id))
    if exam is not None:
        _exam_bank(exam, lesson)
        cohort = db.session.get_one(Cohort, exam.cohort_id)
        projects.save_project(
            cohort,
            None,
            projects.ProjectValues(
                title="Landing page audit",
                brief="Audit a landing page of your choice: titles, headings, speed.",
                due_at=utcnow().replace(microsecond=0) + timedelta(days=14),
                pass_mark=5,
                late_policy=LatePolicy.PENALTY,
                penalty_percent=10,
                rubric="Findings | Missing = 0 | Some = 3 | Thorough = 5\n"
                "Advice | Vague = 0 | Concrete = 5",
            ),
        )
    db.session.commit()


def _exam_bank(exam: Exam, lesson: Video) -> None:
    now = utcnow().replace(second=0, microsecond=0)
    bank.save_settings(
        exam,
        bank.Settings(
            question_count=2,
            time_limit_minutes=20,
            attempts_limit=2,
            pass_percent=60,
            opens_at=now,
            closes_at=now + timedelta(days=30),
        ),
    )
    module_id = db.session.scalar(
        select(Module.id).where(Module.video_id == lesson.id, Module.clip_id.is_(None))
    )
    for prompt, kind, choices, texts in (
        ("Which tag names a page in search results?", Kind.SINGLE,
         [("The title", True), ("The footer", False)], []),
        ("Name the report that shows where visitors leave.", Kind.TEXT, [], ["funnel"]),
        ("Which of these are ranking signals?", Kind.MULTIPLE,
         [("Relevance", True), ("Page speed", True), ("Font colour", False)], []),
    ):  # fmt: skip
        bank.save_question(
            exam,
            bank.QuestionValues(
                kind=kind,
                prompt=prompt,
                choices=choices,
                number=None,
                tolerance=0.0,
                texts=texts,
                points=1.0,
                explanation="",
                module_id=module_id if kind is Kind.SINGLE else None,
                at_seconds=0.0 if kind is Kind.SINGLE else None,
            ),
            None,
        )
