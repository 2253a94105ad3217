"""Back-office pages of exams: schedule, edit and delete a cohort's exams."""

from __future__ import annotations

from datetime import datetime

from flask import flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from webapp.access import teaching_cohort_or_404, teaching_exam_or_404
from webapp.cohorts import services
from webapp.cohorts.forms import ExamForm, instant, wall_clock
from webapp.cohorts.manage_views import Page, back_to, confirm_page, form_status, save
from webapp.cohorts.views import bp
from webapp.extensions import db
from webapp.models import Cohort, Exam


def _exam_form(cohort: Cohort, exam: Exam | None) -> ExamForm:
    data = None
    keep: list[int] = services.exam_scope(exam) if exam is not None else []
    if request.method != "POST" and exam is not None:
        data = {
            "title": exam.title,
            "starts_at": wall_clock(exam.starts_at, cohort.time_zone),
            "module_ids": keep,
        }
    form = ExamForm(data=data)
    form.starts_at.label.text = _("Date and time (%(zone)s)", zone=cohort.time_zone)
    form.module_ids.choices = [
        SelectChoice(str(m.id), m.title) for m in services.exam_modules(cohort, keep)
    ]
    return form


def _exam_values(form: ExamForm, cohort: Cohort) -> tuple[str, datetime, list[int]]:
    return (
        form.title.data,
        instant(form.starts_at.data, cohort.time_zone),
        list(form.module_ids.data or []),
    )


@bp.route("/manage/cohorts/<int:cohort_id>/exams/new", methods=["GET", "POST"])
@login_required
def new_exam(cohort_id: int) -> Page:
    """Schedule an exam of a cohort (its instructors, admins)."""
    cohort = teaching_cohort_or_404(cohort_id, current_user)
    form = _exam_form(cohort, None)
    if save(form, lambda: services.add_exam(cohort, *_exam_values(form, cohort))):
        flash(_("Exam “%(title)s” scheduled.", title=form.title.data), "success")
        return back_to(cohort)
    return render_template(
        "manage/exams_form.html", form=form, cohort=cohort, exam=None
    ), form_status(form)


@bp.route("/manage/exams/<int:exam_id>/edit", methods=["GET", "POST"])
@login_required
def edit_exam(exam_id: int) -> Page:
    """Change an exam's title, moment or modules."""
    exam = teaching_exam_or_404(exam_id, current_user)
    cohort = db.session.get_one(Cohort, exam.cohort_id)
    form = _exam_form(cohort, exam)
    if save(form, lambda: services.update_exam(exam, *_exam_values(form, cohort))):
        flash(_("Exam saved."), "success")
        return back_to(cohort)
    return render_template(
        "manage/exams_form.html", form=form, cohort=cohort, exam=exam
    ), form_status(form)


@bp.route("/manage/exams/<int:exam_id>/delete", methods=["GET", "POST"])
@login_required
def delete_exam(exam_id: int) -> Page:
    """Confirm (GET), then delete (POST) an exam."""
    exam = teaching_exam_or_404(exam_id, current_user)
    cohort = db.session.get_one(Cohort, exam.cohort_id)
    if request.method == "POST":
        title = exam.title
        services.delete_exam(exam)
        db.session.commit()
        flash(_("Exam “%(title)s” deleted.", title=title), "success")
        return back_to(cohort)
    return confirm_page(
        _("the exam “%(title)s”", title=exam.title),
        [
            "its list of modules in scope (the modules themselves stay)",
            "its question bank, and every attempt and result",
        ],
        url_for("cohorts.delete_exam", exam_id=exam.id),
        url_for("cohorts.manage_cohort", cohort_id=cohort.id),
    )
