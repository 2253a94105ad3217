"""Program catalogue, program and course pages, the learner's home, and self-enrolment."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.access import can_see_program
from webapp.certificates.queries import certificates_of
from webapp.enrolment.membership import is_active
from webapp.extensions import db
from webapp.learning import formatting, queries
from webapp.learning.rollups import ModuleState
from webapp.learning.services import EnrolmentNotAllowed, enrol, find_enrollment
from webapp.models.base import utcnow
from webapp.organisations.queries import assignments_of
from webapp.playback.path import watch_url
from webapp.quizzes.queries import scores_for as quiz_scores_for

bp = Blueprint("learning", __name__)


def module_url(state_or_module: Any, course: Any = None, program: Any = None) -> str:
    """The watch page of a module: ``/clips/ID`` for a clip, else ``/videos/ID``; with the
    course (and program) it is reached through, the page shows the learner's path."""
    module = state_or_module.module if isinstance(state_or_module, ModuleState) else state_or_module
    return watch_url(
        module, course.id if course is not None else None, program.id if program else None
    )


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
    entries = [
        e for e in queries.catalogue(_viewer_id()) if can_see_program(current_user, e.program)
    ]
    return render_template("learning/programs.html", entries=entries)


@bp.get("/programs/<slug>")
def program(slug: str):
    """One program: facts, upcoming cohorts, certificate, courses and modules (public;
    a signed-in learner also sees their progress and the lock state)."""
    found = queries.load_program(slug)
    if found is None or not can_see_program(current_user, found):
        abort(404, "No such program.")
    viewer = _viewer_id()
    mine = find_enrollment(viewer, found.id) if viewer is not None else None
    return render_template(
        "learning/program.html",
        state=queries.program_state(viewer, found),
        cohort_dates=queries.upcoming_cohorts([found.id]).get(found.id, []),
        enrolled=is_active(mine),
        certificate_left=_certificate_left(viewer, found.id) if is_active(mine) else None,
        # Waiting for a payment or a seat: the enrolment page says which.
        pending=mine is not None and mine.status.value in ("awaiting_payment", "waitlisted"),
    )


def _certificate_left(viewer: int | None, program_id: int) -> tuple[str, ...] | None:
    """What the enrolled viewer still has to do for the certificate (None: they hold it
    or there is nothing left)."""
    from webapp.certificates.queries import certified_program_ids, verdict_of  # noqa: PLC0415

    if viewer is None or program_id in certified_program_ids(viewer):
        return None
    verdict = verdict_of(viewer, program_id)
    return None if verdict.met else tuple(_(text, **values) for text, values in verdict.todo)


@bp.post("/programs/<slug>/enrol")
@login_required
def enrol_self(slug: str):
    """Self-enrol in an open free program without cohorts (idempotent); a paid program
    or one with upcoming cohorts goes to the enrolment page; company programs answer 403."""
    found = queries.load_program(slug)
    if found is None or not can_see_program(current_user, found):
        abort(404, "No such program.")
    from webapp.enrolment.views import needs_choice

    if found.self_enrol and needs_choice(found):
        # A fee or upcoming cohorts: the enrolment page asks for the choice.
        return redirect(url_for("enrolment.enrol_page", slug=found.slug))
    try:
        _enrolment, created = enrol(current_user, found)
    except EnrolmentNotAllowed as exc:
        abort(403, str(exc))
    db.session.commit()
    if created:
        flash(_("You are enrolled in ‘%(title)s’.", title=found.title), "success")
    else:
        flash(_("You were already enrolled in ‘%(title)s’.", title=found.title), "success")
    return redirect(url_for("learning.home"))


@bp.get("/home")
@login_required
def home():
    """The learner's home: continue watching, each path's progress with its next module
    and course locks, completed modules, this week's watch time (ISO week, UTC days), and
    certificates (issued at the event that met a program's rule, never by this page)."""
    page = queries.learner_home(current_user.id, utcnow(), viewer=current_user)
    certificates = {c.program_id: c for c in certificates_of(current_user.id)}
    return render_template(
        "learning/home.html",
        home=page,
        certificates=certificates,
        assignments=assignments_of(current_user.id),
        quiz_scores=quiz_scores_for(current_user.id),
    )


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
