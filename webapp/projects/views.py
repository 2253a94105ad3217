"""Learners' pages of projects: the project (brief, rubric, due date, my versions and
their grades) with the hand-in form, and the download of a handed-in file."""

from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from webapp import timefmt
from webapp.access import cohort_project_or_404, may_hand_in, submission_item_or_404
from webapp.cohorts.timezones import pick_zone
from webapp.extensions import db
from webapp.markdown import to_html
from webapp.models import Cohort, ItemKind, Project
from webapp.projects import queries, services
from webapp.projects.files import ACCEPT_ATTRIBUTE, MAX_FILES
from webapp.projects.forms import SubmitForm
from webapp.storage import ObjectNotFound, get_storage
from webapp.storage.content_types import content_disposition

bp = Blueprint("projects", __name__)
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def max_file_bytes() -> int:
    """The largest file a learner may hand in (``PROJECT_FILE_MAX_BYTES``)."""
    return int(current_app.config.get("PROJECT_FILE_MAX_BYTES", DEFAULT_MAX_BYTES))


def request_bytes() -> int:
    """The most a hand-in request may carry: every file at its cap, and the form."""
    return MAX_FILES * max_file_bytes() + 64 * 1024


@bp.app_context_processor
def _cohort_projects() -> dict[str, object]:
    # The cohort pages list a cohort's projects through this, without their views knowing.
    return {
        "cohort_projects": queries.projects_of,
        "in_cohort_zone": in_cohort_zone,
        "markdown_html": markdown_html,
    }


def markdown_html(source: str) -> Markup:
    """Markdown as the sanitised HTML of ``webapp.markdown.to_html``, safe to show."""
    return Markup(to_html(source))  # sanitised by nh3: the one place text becomes HTML


def in_cohort_zone(moment: datetime, cohort: Cohort) -> str:
    """An instant as the cohort reads it: ``Mon 01 Mar 2027, 17:00 CET``."""
    return timefmt.moment(moment, pick_zone(cohort.time_zone))


def _project_page(project: Project, role: str | None, form: SubmitForm, status: int = 200):
    cohort = db.session.get_one(Cohort, project.cohort_id)
    versions = services.history(project.id, current_user.id)
    return render_template(
        "projects/project.html",
        project=project,
        cohort=cohort,
        role=role,
        form=form,
        versions=versions,
        may_hand_in=may_hand_in(project, current_user)
        and not (versions and versions[0].status == "accepted"),
        max_points=queries.max_points_of(project),
        accept=ACCEPT_ATTRIBUTE,
        max_mb=max_file_bytes() // (1024 * 1024),
    ), status


@bp.get("/projects/<int:project_id>")
@login_required
def project(project_id: int):
    """The project as its cohort sees it; learners hand in here."""
    found, role = cohort_project_or_404(project_id, current_user)
    return _project_page(found, role, SubmitForm(formdata=None))


@bp.post("/projects/<int:project_id>/submit")
@login_required
def submit(project_id: int):
    """Hand in a new version (the cohort's learners)."""
    found, role = cohort_project_or_404(project_id, current_user)
    if not may_hand_in(found, current_user):
        abort(403, "Only the cohort's learners hand in work.")
    form = SubmitForm()
    if form.validate_on_submit():
        uploads = [
            services.Upload(f.filename or "file", f.read())
            for f in request.files.getlist(form.files.name)
            if f and f.filename
        ]
        links = [line.strip() for line in (form.links.data or "").splitlines() if line.strip()]
        try:
            made = services.submit(found, current_user, uploads, links, max_file_bytes())
        except services.ProjectError as exc:
            db.session.rollback()
            field = getattr(form, exc.field or "", None) or form.files
            field.errors = [*field.errors, _(str(exc))]
        else:
            db.session.commit()
            flash(_("Version %(number)s handed in.", number=made.version), "success")
            return redirect(url_for("projects.project", project_id=found.id))
    return _project_page(found, role, form, 400)


@bp.get("/projects/files/<int:item_id>")
@login_required
def download(item_id: int) -> Response:
    """A handed-in file, always as an attachment with its sniffed type (its author, the
    cohort's instructors and admins)."""
    item = submission_item_or_404(item_id, current_user)
    if item.kind != ItemKind.FILE:
        abort(404, "No such file.")
    try:
        data = get_storage().get_bytes(item.storage_key)
    except ObjectNotFound:
        abort(404, "The file is gone.")
    response = Response(data, mimetype=item.content_type.split(";")[0])
    if item.content_type.startswith("text/"):
        response.headers["Content-Type"] = item.content_type
    response.headers["Content-Disposition"] = content_disposition(item.name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# The instructors' pages, on this blueprint.
from webapp.projects import manage_views  # noqa: E402, F401
