"""Instructors' pages of projects: create, edit and delete a cohort's project, the
learners' hand-ins, and grading a version against the rubric (return or accept)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from webapp.access import (
    grading_submission_or_404,
    teaching_cohort_or_404,
    teaching_project_or_404,
)
from webapp.cohorts.forms import instant, wall_clock
from webapp.cohorts.manage_views import confirm_page
from webapp.extensions import db
from webapp.models import Cohort, LatePolicy, Project, User
from webapp.projects import queries, services
from webapp.projects.forms import ProjectForm, grade_form
from webapp.projects.views import bp
from webapp.storage import get_storage


def _project_form(cohort: Cohort, project: Project | None) -> ProjectForm:
    data = None
    if request.method != "POST" and project is not None:
        data = {
            "title": project.title,
            "brief": project.brief,
            "due_at": wall_clock(project.due_at, cohort.time_zone),
            "rubric": services.rubric_of(project),
            "pass_mark": project.pass_mark,
            "late_policy": project.late_policy.value,
            "penalty_percent": project.penalty_percent,
        }
    form = ProjectForm(data=data)
    form.due_at.label.text = f"Due ({cohort.time_zone})"
    return form


def _save(form: ProjectForm, cohort: Cohort, project: Project | None) -> Project | None:
    if not form.validate_on_submit():
        return None
    values = services.ProjectValues(
        title=form.title.data,
        brief=form.brief.data or "",
        due_at=instant(form.due_at.data, cohort.time_zone),
        pass_mark=form.pass_mark.data,
        late_policy=LatePolicy(form.late_policy.data),
        penalty_percent=form.penalty_percent.data or 0,
        rubric=form.rubric.data,
    )
    try:
        saved = services.save_project(cohort, project, values)
    except services.ProjectError as exc:
        db.session.rollback()
        field = getattr(form, exc.field or "", None)
        if field is not None:
            field.errors = [*field.errors, str(exc)]
        else:
            form.form_errors.append(str(exc))
        return None
    db.session.commit()
    return saved


def _form_page(form: ProjectForm, cohort: Cohort, project: Project | None):
    status = 400 if request.method == "POST" else 200
    return render_template(
        "projects/project_form.html", form=form, cohort=cohort, project=project
    ), status


@bp.route("/manage/cohorts/<int:cohort_id>/projects/new", methods=["GET", "POST"])
@login_required
def new_project(cohort_id: int):
    """Set a project for a cohort (its instructors, admins)."""
    cohort = teaching_cohort_or_404(cohort_id, current_user)
    form = _project_form(cohort, None)
    saved = _save(form, cohort, None)
    if saved is not None:
        flash(_("Project “%(title)s” set.", title=saved.title), "success")
        return redirect(url_for("projects.manage_project", project_id=saved.id))
    return _form_page(form, cohort, None)


@bp.route("/manage/projects/<int:project_id>/edit", methods=["GET", "POST"])
@login_required
def edit_project(project_id: int):
    """Change a project (the rubric only until a version has been graded)."""
    project = teaching_project_or_404(project_id, current_user)
    cohort = db.session.get_one(Cohort, project.cohort_id)
    form = _project_form(cohort, project)
    if _save(form, cohort, project) is not None:
        flash(_("Project saved."), "success")
        return redirect(url_for("projects.manage_project", project_id=project.id))
    return _form_page(form, cohort, project)


@bp.route("/manage/projects/<int:project_id>/delete", methods=["GET", "POST"])
@login_required
def delete_project(project_id: int):
    """Confirm (GET), then delete (POST) a project with every version handed in."""
    project = teaching_project_or_404(project_id, current_user)
    cohort_id = project.cohort_id
    if request.method == "POST":
        if not FlaskForm().validate_on_submit():
            abort(400, _("The form expired; try again."))
        title = project.title
        prefix = services.delete_project(project)
        db.session.commit()
        get_storage().delete_prefix(prefix)
        flash(_("Project “%(title)s” deleted.", title=title), "success")
        return redirect(url_for("cohorts.manage_cohort", cohort_id=cohort_id))
    return confirm_page(
        f"the project “{project.title}”",
        ["every version the learners handed in, with its files and grades"],
        url_for("projects.delete_project", project_id=project.id),
        url_for("projects.manage_project", project_id=project.id),
    )


@bp.get("/manage/projects/<int:project_id>")
@login_required
def manage_project(project_id: int):
    """The project's learners and where each hand-in stands."""
    project = teaching_project_or_404(project_id, current_user)
    return render_template(
        "projects/manage_project.html",
        project=project,
        cohort=db.session.get_one(Cohort, project.cohort_id),
        rows=queries.overview(project),
        max_points=queries.max_points_of(project),
    )


def _decision(form: FlaskForm, project: Project) -> services.Grade:
    return services.Grade(
        levels={c.id: getattr(form, f"level_{c.id}").data for c in project.criteria},
        comments={c.id: getattr(form, f"comment_{c.id}").data or "" for c in project.criteria},
        comment=form.comment.data or "",
        accept=bool(form.accept.data),
    )


@bp.route("/manage/submissions/<int:submission_id>", methods=["GET", "POST"])
@login_required
def grade(submission_id: int):
    """A learner's versions of a project; grade the latest, then return or accept it."""
    submission = grading_submission_or_404(submission_id, current_user)
    project = db.session.get_one(Project, submission.project_id)
    form = grade_form(project)
    status = 200
    if request.method == "POST":
        status = 400
        forged = set(request.form) - set(form._fields) - {"return_", "accept"}
        if forged:
            form.form_errors.append(f"Unknown fields: {', '.join(sorted(forged))[:200]}.")
        elif form.validate_on_submit():
            try:
                services.grade(submission, current_user, _decision(form, project))
            except services.ProjectError as exc:
                db.session.rollback()
                field = getattr(form, exc.field or "", None)
                (field.errors if field is not None else form.form_errors).append(str(exc))
            else:
                db.session.commit()
                flash(_("Grade saved; the learner has been told."), "success")
                return redirect(url_for("projects.manage_project", project_id=project.id))
    learner = db.session.get_one(User, submission.user_id)
    versions = services.history(project.id, learner.id)
    return render_template(
        "projects/grade.html",
        form=form,
        project=project,
        cohort=db.session.get_one(Cohort, project.cohort_id),
        submission=submission,
        learner=learner,
        versions=versions,
        gradable=versions[0].id == submission.id and submission.status == "submitted",
        max_points=queries.max_points_of(project),
    ), status
