"""Program catalogue, program and course pages, the learner's home, and self-enrolment."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from webapp.certificates.queries import certificates_of
from webapp.certificates.services import issue_certificates
from webapp.extensions import db
from webapp.learning import formatting, queries
from webapp.learning.rollups import ModuleState
from webapp.learning.services import EnrolmentNotAllowed, enrol, find_enrollment
from webapp.models.base import utcnow

bp = Blueprint("learning", __name__)


def module_url(state_or_module: Any) -> str:
    """The watch page of a module: ``/clips/ID`` for a clip, else ``/videos/ID``."""
    module = state_or_module.module if isinstance(state_or_module, ModuleState) else state_or_module
    if module.clip_id is not None:
        return url_for("clips.watch", clip_id=module.clip_id)
    return url_for("playback.watch", video_id=module.video_id)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "module_url": module_url,
        "fee": formatting.format_fee,
        "length": formatting.format_length,
    }


def _viewer_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


@bp.get("/programs")
def programs():
    """The program catalogue: what a buyer compares (public)."""
    return render_template("learning/programs.html", entries=queries.catalogue(_viewer_id()))


@bp.get("/programs/<slug>")
def program(slug: str):
    """One program: facts, upcoming cohorts, certificate, courses and modules (public;
    a signed-in learner also sees their progress and the lock state)."""
    found = queries.load_program(slug)
    if found is None:
        abort(404, "No such program.")
    viewer = _viewer_id()
    return render_template(
        "learning/program.html",
        state=queries.program_state(viewer, found),
        cohort_dates=queries.upcoming_cohorts([found.id]).get(found.id, []),
        enrolled=viewer is not None and find_enrollment(viewer, found.id) is not None,
    )


@bp.post("/programs/<slug>/enrol")
@login_required
def enrol_self(slug: str):
    """Self-enrol in an open program (idempotent); company programs answer 403."""
    found = queries.load_program(slug)
    if found is None:
        abort(404, "No such program.")
    try:
        _, created = enrol(current_user, found)
    except EnrolmentNotAllowed as exc:
        abort(403, str(exc))
    db.session.commit()
    if created:
        flash(f"You are enrolled in ‘{found.title}’.", "success")
    else:
        flash(f"You were already enrolled in ‘{found.title}’.", "success")
    return redirect(url_for("learning.home"))


@bp.get("/home")
@login_required
def home():
    """The learner's home: continue watching, each path's progress with its next module
    and course locks, completed modules, this week's watch time (ISO week, UTC days), and
    certificates, issued here for paths found completed."""
    page = queries.learner_home(current_user.id, utcnow())
    certificates = {c.program_id: c for c in certificates_of(current_user.id)}
    due = [s.program for s in page.paths if s.completed and s.program.id not in certificates]
    if due:
        for certificate in issue_certificates(current_user, due):
            certificates[certificate.program_id] = certificate
        db.session.commit()
    return render_template("learning/home.html", home=page, certificates=certificates)


@bp.get("/courses/<slug>")
@login_required
def course(slug: str):
    """A course: ordered modules with per-module progress and the lock state."""
    found = queries.load_course(slug)
    if found is None:
        abort(404, "No such course.")
    return render_template(
        "learning/course.html",
        state=queries.course_state(current_user.id, found),
        programs=queries.programs_of_course(found.id),
    )
