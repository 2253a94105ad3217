"""Learner pages of an exam: the exam (window, attempts, start), the attempt (a form that
autosaves through the API and counts down to the server's deadline) and the result."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from webapp.access import exam_to_sit_or_404, own_attempt_or_404
from webapp.exams import attempts as engine
from webapp.exams.api import moment_url
from webapp.exams.attempts import ExamRefused
from webapp.exams.queries import review, sheet
from webapp.exams.rendering import rendered
from webapp.extensions import db
from webapp.grading import Kind
from webapp.models import AttemptStatus, Cohort, ExamAttempt
from webapp.models.base import as_utc, utcnow
from webapp.timefmt import moment

bp = Blueprint("exams", __name__)


def _when(cohort: Cohort):
    return lambda at: moment(as_utc(at), cohort.time_zone) if at else ""


@bp.get("/exams/<int:exam_id>")
@login_required
def exam_page(exam_id: int) -> str:
    """The exam: its window (cohort time zone), rules, the learner's attempts, start."""
    exam = exam_to_sit_or_404(exam_id, current_user)
    cohort = db.session.get_one(Cohort, exam.cohort_id)
    opens, closes = engine.window(exam)
    return render_template(
        "exams/exam.html",
        exam=exam,
        cohort=cohort,
        opens=opens,
        closes=closes,
        attempts=engine.attempts_of(exam.id, current_user.id),
        bank_size=len(engine.questions_of(exam.id)),
        when=_when(cohort),
    )


@bp.post("/exams/<int:exam_id>/start")
@login_required
def start(exam_id: int) -> Response:
    """Start (or resume) an attempt and open it."""
    exam = exam_to_sit_or_404(exam_id, current_user)
    try:
        attempt, _created = engine.begin(exam, current_user, utcnow())
    except ExamRefused as exc:
        db.session.commit()  # an attempt found past its time stays closed
        flash(_(exc.message), "error")
        return redirect(url_for("exams.exam_page", exam_id=exam.id))
    return redirect(url_for("exams.attempt_page", attempt_id=attempt.id))


@bp.get("/exam-attempts/<int:attempt_id>")
@login_required
def attempt_page(attempt_id: int) -> str | Response:
    """The open attempt's questions with the saved answers and the server's deadline."""
    attempt = own_attempt_or_404(attempt_id, current_user)
    if attempt.status is AttemptStatus.OPEN and engine.is_late(attempt, utcnow()):
        engine.close(attempt, utcnow(), AttemptStatus.EXPIRED)
        db.session.commit()
    if attempt.status is not AttemptStatus.OPEN:
        return redirect(url_for("exams.result_page", attempt_id=attempt.id))
    exam = attempt_exam(attempt)
    cohort = db.session.get_one(Cohort, exam.cohort_id)
    return render_template(
        "exams/attempt.html",
        attempt=attempt,
        exam=exam,
        lines=sheet(attempt),
        deadline=as_utc(attempt.deadline) if attempt.deadline else None,
        now=utcnow(),
        when=_when(cohort),
        html=rendered,
    )


def attempt_exam(attempt: ExamAttempt):
    """The attempt's exam."""
    from webapp.models import Exam

    return db.session.get_one(Exam, attempt.exam_id)


def _posted_answer(kind: Kind, name: str) -> dict[str, Any] | None:
    """The answer a form posted for one question (None: left empty)."""
    if kind is Kind.MULTIPLE:
        values = request.form.getlist(name)
        return {"choices": [int(v) for v in values if v.isdigit()]} if values else None
    value = request.form.get(name, "").strip()
    if not value:
        return None
    if kind is Kind.SINGLE:
        return {"choice": int(value)} if value.isdigit() else {"choice": value}
    if kind is Kind.NUMERIC:
        try:
            return {"number": float(value)}
        except ValueError:
            return {"number": value}
    return {"text": value}


@bp.post("/exam-attempts/<int:attempt_id>/submit")
@login_required
def submit(attempt_id: int) -> Response | tuple[str, int]:
    """Save what the form holds, then submit (works without JavaScript)."""
    attempt = own_attempt_or_404(attempt_id, current_user)
    now = utcnow()
    if attempt.status is AttemptStatus.OPEN and not engine.is_late(attempt, now):
        try:
            for line in sheet(attempt):
                given = _posted_answer(line.question.kind, f"q-{line.question.id}")
                if given is not None:
                    engine.save_answer(attempt, line.question.id, given, now)
        except ExamRefused as exc:
            db.session.rollback()
            flash(_("Not submitted: %(reason)s", reason=_(exc.message)), "error")
            return redirect(url_for("exams.attempt_page", attempt_id=attempt.id))
    in_time = engine.submit(attempt, now)
    db.session.commit()
    if not in_time:
        flash(
            _(
                "Too late: the time limit has passed, so the submit was refused. "
                "Your answers saved in time were graded."
            ),
            "error",
        )
    return redirect(url_for("exams.result_page", attempt_id=attempt.id))


@bp.get("/exam-attempts/<int:attempt_id>/result")
@login_required
def result_page(attempt_id: int) -> str | Response:
    """The closed attempt's score, and each question with the right answer and why."""
    attempt = own_attempt_or_404(attempt_id, current_user)
    if attempt.status is AttemptStatus.OPEN and engine.is_late(attempt, utcnow()):
        engine.close(attempt, utcnow(), AttemptStatus.EXPIRED)
        db.session.commit()
    if attempt.status is AttemptStatus.OPEN:
        return redirect(url_for("exams.attempt_page", attempt_id=attempt.id))
    exam = attempt_exam(attempt)
    return render_template(
        "exams/result.html",
        attempt=attempt,
        exam=exam,
        lines=review(attempt),
        html=rendered,
        moment_url=moment_url,
    )


from webapp.exams import manage_views as _manage_views  # noqa: E402, F401  (registers the pages)
