"""API routes for cohorts: schedule, attendance, check-in, missed classes, exam review."""

from __future__ import annotations

from datetime import datetime

from flask import g, jsonify, request, url_for

from webapp.api.auth import api_login_required
from webapp.api.blueprint import bp
from webapp.cohorts import queries, services
from webapp.cohorts.services import CohortError
from webapp.cohorts.timezones import localize, viewer_zone
from webapp.cohorts.windows import class_end, join_open
from webapp.errors import error_response
from webapp.extensions import db
from webapp.models import Attendance, Cohort, Exam, LiveClass
from webapp.models.base import as_utc, utcnow

# The only keys of an attendance mark: source and time are the server's.
ATTENDANCE_FIELDS = frozenset({"user_id", "present"})


def _iso(moment: datetime) -> str:
    return as_utc(moment).isoformat()


def cohort_json(cohort: Cohort, role: str | None) -> dict:
    """A cohort, its program and the caller's role in it."""
    program = cohort.program
    return {
        "id": cohort.id,
        "name": cohort.name,
        "starts_on": cohort.starts_on.isoformat(),
        "time_zone": cohort.time_zone,
        "program": {"id": program.id, "slug": program.slug, "title": program.title},
        "role": role,
        "schedule_url": url_for("api.cohort_schedule", cohort_id=cohort.id),
    }


def class_json(live_class: LiveClass, zone: str, now: datetime) -> dict:
    """A live class: UTC times, the rendering in ``zone``, and the join link while open."""
    return {
        "id": live_class.id,
        "cohort_id": live_class.cohort_id,
        "title": live_class.title,
        "starts_at": _iso(live_class.starts_at),
        "ends_at": class_end(live_class).isoformat(),
        "duration_minutes": live_class.duration_minutes,
        "local": localize(live_class.starts_at, zone).as_json(),
        "join_url": live_class.join_url if join_open(live_class, now) else None,
        "recording_id": live_class.recording_id,
    }


def exam_json(exam: Exam, zone: str) -> dict:
    """An exam date and where to review for it."""
    return {
        "id": exam.id,
        "title": exam.title,
        "starts_at": _iso(exam.starts_at),
        "local": localize(exam.starts_at, zone).as_json(),
        "review_url": url_for("api.exam_review_api", exam_id=exam.id),
    }


def attendance_json(row: Attendance) -> dict:
    """One attendance mark."""
    return {
        "class_id": row.class_id,
        "user_id": row.user_id,
        "present": row.present,
        "source": row.source,
        "marked_at": _iso(row.marked_at),
    }


@bp.errorhandler(CohortError)
def _cohort_refused(exc: CohortError):
    db.session.rollback()
    return error_response(400, str(exc))


@bp.get("/cohorts/<int:cohort_id>")
@api_login_required
def cohort_detail(cohort_id: int):
    """A cohort (members and admins)."""
    cohort, role = queries.cohort_or_404(cohort_id, g.user)
    return jsonify(cohort_json(cohort, role))


@bp.get("/cohorts/<int:cohort_id>/schedule")
@api_login_required
def cohort_schedule(cohort_id: int):
    """Classes and exams; times in UTC plus their rendering in the caller's zone
    (``?tz=`` or the ``tz`` cookie, else the cohort's zone)."""
    cohort, _role = queries.cohort_or_404(cohort_id, g.user)
    zone, now = viewer_zone(request, cohort.time_zone), utcnow()
    return jsonify(
        cohort_id=cohort.id,
        time_zone=zone,
        classes=[class_json(c, zone, now) for c in queries.classes_of(cohort.id)],
        exams=[exam_json(e, zone) for e in queries.exams_of(cohort.id)],
    )


@bp.post("/classes/<int:class_id>/attendance")
@api_login_required
def class_attendance(class_id: int):
    """Instructor marks one learner: ``{"user_id": 7, "present": true}``."""
    live_class, role = queries.class_or_404(class_id, g.user)
    queries.require_teacher(live_class, g.user, role)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise CohortError('send JSON {"user_id": ..., "present": true|false}')
    unknown = sorted(set(body) - ATTENDANCE_FIELDS)
    if unknown:
        raise CohortError(f"unknown field(s): {', '.join(unknown)}; allowed: present, user_id")
    user_id, present = body.get("user_id"), body.get("present")
    if isinstance(user_id, bool) or not isinstance(user_id, int) or not isinstance(present, bool):
        raise CohortError("user_id must be an integer and present a boolean")
    [row] = services.mark_attendance(live_class, {user_id: present})
    db.session.commit()
    return jsonify(attendance_json(row))


@bp.post("/classes/<int:class_id>/check-in")
@api_login_required
def class_check_in(class_id: int):
    """The caller checks in (learners of the cohort, from 10 min before start to the end)."""
    live_class, role = queries.class_or_404(class_id, g.user)
    queries.require_learner(live_class, role)
    row = services.check_in(live_class, g.user)
    db.session.commit()
    return jsonify(attendance_json(row))


@bp.get("/me/missed-classes")
@api_login_required
def my_missed_classes():
    """Past classes the caller did not attend, with recording and catch-up progress."""
    zone, now = viewer_zone(request), utcnow()
    items = []
    for item in queries.missed_classes(g.user, now):
        body = class_json(item.live_class, zone, now)
        body["recording_progress"] = (
            None
            if item.progress is None
            else {
                "watched_seconds": item.progress.watched_seconds,
                "percent": item.progress.percent,
                "completed": item.progress.completed,
            }
        )
        items.append(body)
    return jsonify(missed_classes=items)


@bp.get("/exams/<int:exam_id>/review")
@api_login_required
def exam_review_api(exam_id: int):
    """The exam's modules, least watched first, with unwatched ranges (seconds)."""
    exam, _role = queries.exam_or_404(exam_id, g.user)
    zone = viewer_zone(request, db.session.get(Cohort, exam.cohort_id).time_zone)
    modules = []
    for item in queries.exam_review(exam, g.user):
        module = item.module
        modules.append(
            {
                "module_id": module.id,
                "title": module.title,
                "video_id": module.video_id,
                "clip_id": module.clip_id,
                "duration": round(item.duration, 3),
                "status": item.status,
                "percent_watched": item.percent_watched,
                "unwatched": [
                    {"start": round(r.start, 3), "end": round(r.end, 3), "label": r.label}
                    for r in item.unwatched
                ],
            }
        )
    return jsonify(exam=exam_json(exam, zone), modules=modules)
