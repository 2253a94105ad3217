"""Cohort pages: my classes, a cohort's schedule, attendance, recordings, exam review,
and the public masterclasses list. Times render in the viewer's own zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from webapp.access import video_or_404
from webapp.cohorts import queries, services
from webapp.cohorts.services import CohortError
from webapp.cohorts.timezones import LocalTime, localize, zone_and_source
from webapp.cohorts.windows import check_in_open, has_ended, join_open
from webapp.errors import error_response
from webapp.exams.moments import Moment
from webapp.exams.queries import review_moments
from webapp.extensions import db
from webapp.models import Cohort, Exam, LiveClass, Module
from webapp.models.base import utcnow

bp = Blueprint("cohorts", __name__)


@bp.errorhandler(CohortError)
def _refused(exc: CohortError):
    db.session.rollback()
    return error_response(400, str(exc))


def _clock(fallback: str | None) -> dict:
    """Template helpers for rendering times in the viewer's zone (``fallback``: the
    cohort's zone, shown beside the viewer's when it reads differently)."""
    zone, source = zone_and_source(request, fallback)

    def when(moment: datetime, other_zone: str | None = fallback) -> LocalTime:
        return localize(moment, zone, other_zone)

    return {
        "zone": zone,
        "zone_source": source,
        "cohort_zone": fallback,
        "when": when,
        "now": utcnow(),
        "join_open": join_open,
        "check_in_open": check_in_open,
        "has_ended": has_ended,
    }


def _back_to(live_class: LiveClass) -> Response:
    if live_class.cohort_id is None:
        return redirect(url_for("cohorts.masterclasses_page"))
    return redirect(url_for("cohorts.cohort_page", cohort_id=live_class.cohort_id))


@bp.get("/classes")
@login_required
def my_classes():
    """My cohorts, my upcoming classes, and the classes I missed with catch-up progress."""
    return render_template(
        "cohorts/my_classes.html",
        cohorts=queries.my_cohorts(current_user),
        upcoming=queries.upcoming_classes(current_user),
        missed=queries.missed_classes(current_user),
        **_clock(None),
    )


@bp.get("/cohorts/<int:cohort_id>")
@login_required
def cohort_page(cohort_id: int):
    """Schedule, join links, attendance, exams and recordings of one cohort."""
    cohort, role = queries.cohort_or_404(cohort_id, current_user)
    classes = queries.classes_of(cohort.id)
    teaches = current_user.is_admin or role == "instructor"
    members = queries.members_of(cohort.id)
    return render_template(
        "cohorts/cohort.html",
        cohort=cohort,
        role=role,
        teaches=teaches,
        classes=classes,
        exams=queries.exams_of(cohort.id),
        members=members,
        learners=[m.user for m in members if m.role == "learner"],
        attendance=queries.attendance_map([c.id for c in classes]),
        **_clock(cohort.time_zone),
    )


def _form_marks() -> dict[int, bool]:
    """``present-<user id>`` = ``1`` | ``0`` fields of the attendance form."""
    marks: dict[int, bool] = {}
    for key, value in request.form.items():
        if not key.startswith("present-"):
            continue
        user_id = key.removeprefix("present-")
        if not user_id.isdigit() or value not in ("0", "1"):
            raise CohortError(f"bad attendance field {key}={value!r}")
        marks[int(user_id)] = value == "1"
    return marks


@bp.post("/classes/<int:class_id>/attendance")
@login_required
def mark_attendance(class_id: int):
    """Instructor's bulk attendance form: present / absent per learner."""
    live_class, role = queries.class_or_404(class_id, current_user)
    queries.require_teacher(live_class, current_user, role)
    rows = services.mark_attendance(live_class, _form_marks())
    db.session.commit()
    flash(
        ngettext(
            "Attendance saved for %(num)d learner.",
            "Attendance saved for %(num)d learners.",
            len(rows),
        ),
        "success",
    )
    return _back_to(live_class)


@bp.post("/classes/<int:class_id>/check-in")
@login_required
def check_in(class_id: int):
    """A learner checks in during the class window."""
    live_class, role = queries.class_or_404(class_id, current_user)
    queries.require_learner(live_class, role)
    services.check_in(live_class, current_user)
    db.session.commit()
    flash(_("You are checked in to %(title)s.", title=live_class.title), "success")
    return _back_to(live_class)


@bp.route("/classes/<int:class_id>/recording", methods=["GET", "POST"])
@login_required
def attach_recording(class_id: int):
    """Pick one of my READY videos as the class's recording (upload first if needed)."""
    live_class, role = queries.class_or_404(class_id, current_user)
    queries.require_teacher(live_class, current_user, role)
    if request.method == "POST":
        video_id = request.form.get("video_id", type=int)
        if video_id is None:
            raise CohortError("pick a video")
        video = video_or_404(video_id, current_user)
        services.attach_recording(live_class, video, current_user)
        db.session.commit()
        flash(_("Recording attached to %(title)s.", title=live_class.title), "success")
        return _back_to(live_class)
    cohort = db.session.get(Cohort, live_class.cohort_id) if live_class.cohort_id else None
    return render_template(
        "cohorts/recording.html",
        live_class=live_class,
        cohort=cohort,
        videos=queries.recording_candidates(current_user),
        **_clock(cohort.time_zone if cohort else None),
    )


def _range_link(module: Module) -> Callable[[float], str]:
    """URL builder: play ``module`` from ``t`` seconds (from the module's start)."""
    if module.clip_id is not None:
        return lambda t: url_for("clips.watch", clip_id=module.clip_id, t=int(t))
    return lambda t: url_for("playback.watch", video_id=module.video_id, t=int(t))


def _wrong_answer_moments(exam: Exam) -> list[tuple[Module, str, Moment]]:
    """Graded exams: the moments explaining what the learner got wrong, as watch links."""
    found = []
    for item in review_moments(exam, current_user.id):
        module = db.session.get(Module, item.module_id)
        if module is not None:
            found.append((module, _range_link(module)(item.second), item))
    return found


@bp.get("/exams/<int:exam_id>/review")
@login_required
def exam_review(exam_id: int):
    """The exam's modules, least watched first, with the parts still to watch."""
    exam, _role = queries.exam_or_404(exam_id, current_user)
    cohort = db.session.get(Cohort, exam.cohort_id)
    if cohort is None:
        abort(404)
    return render_template(
        "cohorts/review.html",
        exam=exam,
        cohort=cohort,
        items=queries.exam_review(exam, current_user),
        link_for=_range_link,
        moments=_wrong_answer_moments(exam),
        **_clock(cohort.time_zone),
    )


@bp.get("/masterclasses")
def masterclasses_page():
    """Public masterclasses: upcoming ones, then past ones with their recordings."""
    classes = queries.masterclasses()
    now = utcnow()
    return render_template(
        "cohorts/masterclasses.html",
        upcoming=[c for c in classes if not has_ended(c, now)],
        past=[c for c in reversed(classes) if has_ended(c, now)],
        **_clock(None),
    )
