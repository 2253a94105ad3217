"""Back-office pages of a graded exam: settings and question bank, a question's form,
and the item analysis (the exam's cohort's instructors, admins)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from webapp.access import teaching_exam_or_404, teaching_exam_question_or_404
from webapp.cohorts.forms import instant, wall_clock
from webapp.cohorts.services import exam_modules
from webapp.exams import bank
from webapp.exams.attempts import ExamRefused, questions_of
from webapp.exams.forms import QuestionForm, SettingsForm
from webapp.exams.queries import item_analysis
from webapp.exams.rendering import rendered
from webapp.exams.views import bp
from webapp.extensions import db
from webapp.grading import Kind
from webapp.models import Cohort, Exam, ExamQuestion
from webapp.models.base import as_utc
from webapp.timefmt import moment

Page = str | Response | tuple[str, int]


def _refuse(form: FlaskForm, exc: ExamRefused) -> None:
    db.session.rollback()
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, str(exc)]
    else:
        form.form_errors.append(str(exc))


def _status() -> int:
    return 400 if request.method == "POST" else 200


@bp.get("/manage/exams/<int:exam_id>/bank")
@login_required
def manage_bank(exam_id: int) -> str:
    """The exam's question bank and a summary of its settings."""
    exam = teaching_exam_or_404(exam_id, current_user)
    cohort = db.session.get_one(Cohort, exam.cohort_id)
    return render_template(
        "exams/manage_bank.html",
        exam=exam,
        cohort=cohort,
        questions=questions_of(exam.id),
        html=rendered,
        when=lambda at: moment(as_utc(at), cohort.time_zone) if at else "",
    )


@bp.route("/manage/exams/<int:exam_id>/settings", methods=["GET", "POST"])
@login_required
def manage_settings(exam_id: int) -> Page:
    """The exam's settings; the window is typed and shown in the cohort's time zone."""
    exam = teaching_exam_or_404(exam_id, current_user)
    cohort = db.session.get_one(Cohort, exam.cohort_id)
    zone = cohort.time_zone
    data = None
    if request.method != "POST":
        data = {
            "question_count": exam.question_count,
            "time_limit_minutes": exam.time_limit_minutes,
            "attempts_limit": exam.attempts_limit,
            "pass_percent": exam.pass_percent,
            "opens_at": wall_clock(exam.opens_at, zone) if exam.opens_at else None,
            "closes_at": wall_clock(exam.closes_at, zone) if exam.closes_at else None,
        }
    form = SettingsForm(data=data)
    form.opens_at.label.text = f"Opens ({zone}; empty: at the exam's date)"
    form.closes_at.label.text = f"Closes ({zone}; empty: stays open)"
    if form.validate_on_submit():
        try:
            bank.save_settings(
                exam,
                bank.Settings(
                    form.question_count.data,
                    form.time_limit_minutes.data,
                    form.attempts_limit.data,
                    int(form.pass_percent.data),
                    instant(form.opens_at.data, zone) if form.opens_at.data else None,
                    instant(form.closes_at.data, zone) if form.closes_at.data else None,
                ),
            )
        except ExamRefused as exc:
            _refuse(form, exc)
        else:
            db.session.commit()
            flash(_("Exam settings saved."), "success")
            return redirect(url_for("exams.manage_bank", exam_id=exam.id))
    return render_template(
        "exams/manage_settings.html", exam=exam, cohort=cohort, form=form
    ), _status()


def _question_form(exam: Exam, question: ExamQuestion | None) -> QuestionForm:
    data = None
    if request.method != "POST" and question is not None:
        right = set(question.correct)
        data = {
            "kind": question.kind.value,
            "prompt": question.prompt,
            "choices": "\n".join(
                ("*" if c["id"] in right else "") + str(c["text"]) for c in question.choices
            ),
            "number": question.number,
            "tolerance": question.tolerance,
            "texts": "\n".join(question.texts),
            "points": question.points,
            "explanation": question.explanation,
            "module_id": question.module_id or 0,
            "at_seconds": question.at_seconds,
        }
    form = QuestionForm(data=data)
    cohort = db.session.get_one(Cohort, exam.cohort_id)
    form.module_id.choices = [SelectChoice(0, "None")] + [
        SelectChoice(m.id, m.title) for m in exam_modules(cohort)
    ]
    return form


def _values(form: QuestionForm) -> bank.QuestionValues:
    return bank.QuestionValues(
        kind=Kind(form.kind.data),
        prompt=form.prompt.data,
        choices=bank.parse_choices(form.choices.data or ""),
        number=form.number.data,
        tolerance=form.tolerance.data or 0.0,
        texts=[t.strip() for t in (form.texts.data or "").splitlines() if t.strip()],
        points=float(form.points.data),
        explanation=form.explanation.data or "",
        module_id=form.module_id.data or None,
        at_seconds=form.at_seconds.data,
    )


def _question_page(exam: Exam, question: ExamQuestion | None) -> Page:
    form = _question_form(exam, question)
    if form.validate_on_submit():
        try:
            bank.save_question(exam, _values(form), question)
        except ExamRefused as exc:
            _refuse(form, exc)
        else:
            db.session.commit()
            flash(_("Question saved."), "success")
            return redirect(url_for("exams.manage_bank", exam_id=exam.id))
    return render_template(
        "exams/manage_question.html", exam=exam, question=question, form=form
    ), _status()


@bp.route("/manage/exams/<int:exam_id>/questions/new", methods=["GET", "POST"])
@login_required
def new_question(exam_id: int) -> Page:
    """Add a question to the exam's bank."""
    return _question_page(teaching_exam_or_404(exam_id, current_user), None)


@bp.route("/manage/exam-questions/<int:question_id>/edit", methods=["GET", "POST"])
@login_required
def edit_question(question_id: int) -> Page:
    """Change a question of the bank."""
    question = teaching_exam_question_or_404(question_id, current_user)
    return _question_page(db.session.get_one(Exam, question.exam_id), question)


@bp.post("/manage/exam-questions/<int:question_id>/delete")
@login_required
def delete_question(question_id: int) -> Response:
    """Remove a question from the bank."""
    question = teaching_exam_question_or_404(question_id, current_user)
    exam_id = question.exam_id
    bank.delete_question(question)
    db.session.commit()
    flash(_("Question deleted."), "success")
    return redirect(url_for("exams.manage_bank", exam_id=exam_id))


@bp.get("/manage/exams/<int:exam_id>/analysis")
@login_required
def analysis_page(exam_id: int) -> str:
    """Item analysis: per question, the share right and the discrimination."""
    exam = teaching_exam_or_404(exam_id, current_user)
    return render_template(
        "exams/analysis.html",
        exam=exam,
        cohort=db.session.get_one(Cohort, exam.cohort_id),
        rows=item_analysis(exam),
        html=rendered,
    )
