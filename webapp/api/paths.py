"""API routes for programs (learning paths): catalogue, detail with the caller's progress,
enrolment, and the caller's own paths. Reads are for every signed-in user; enrolling
someone else is for admins."""

from __future__ import annotations

from typing import Any

from flask import abort, g, jsonify, request, url_for

from webapp.api.auth import api_login_required
from webapp.api.blueprint import bp
from webapp.errors import error_response
from webapp.extensions import db
from webapp.learning import queries
from webapp.learning.formatting import format_fee
from webapp.learning.queries import CatalogueEntry
from webapp.learning.rollups import CourseState, ModuleState, ProgramState
from webapp.learning.services import (
    EnrolmentNotAllowed,
    enrol,
    find_enrollment,
    user_by_email,
)
from webapp.learning.views import module_url
from webapp.models import Program

ENROLLMENT_FIELDS = frozenset({"email"})


# --------------------------------------------------------------------------- shapes


def program_facts(program: Program) -> dict[str, Any]:
    """The buyer-facing facts of a program."""
    return {
        "slug": program.slug,
        "title": program.title,
        "description": program.description,
        "level": program.level,
        "length_weeks": program.length_weeks,
        "fee": {
            "cents": program.fee_cents,
            "currency": program.currency,
            "display": format_fee(program.fee_cents, program.currency),
        },
        "certificate": program.certificate,
        "self_enrol": program.self_enrol,
    }


def catalogue_json(entry: CatalogueEntry) -> dict[str, Any]:
    """A catalogue entry: facts, totals, upcoming cohort dates, enrolment."""
    return {
        **program_facts(entry.program),
        "course_count": entry.course_count,
        "module_count": entry.module_count,
        "duration_seconds": round(entry.total_seconds, 3),
        "upcoming_cohorts": [d.isoformat() for d in entry.cohort_dates],
        "enrolled": entry.enrolled,
    }


def module_json(state: ModuleState) -> dict[str, Any]:
    """A module with the caller's progress and lock state."""
    module = state.module
    return {
        "id": module.id,
        "title": module.title,
        "kind": "clip" if module.is_clip else "video",
        "video_id": module.video_id,
        "clip_id": module.clip_id,
        "duration": module.duration,
        "url": module_url(state),
        "locked": state.locked,
        "progress": {
            "percent": state.progress.percent,
            "watched_seconds": round(state.progress.watched_seconds, 3),
            "completed": state.progress.completed,
        },
    }


def course_json(state: CourseState) -> dict[str, Any]:
    """A course with its modules, progress and lock state."""
    return {
        "slug": state.course.slug,
        "title": state.course.title,
        "description": state.course.description,
        "level": state.course.level,
        "requires": [c.slug for c in state.requires],
        "locked": state.locked,
        "unlock_hint": state.unlock_hint or None,
        "progress": {
            "completed_modules": state.completed_modules,
            "total_modules": state.total_modules,
            "percent": state.percent,
            "watched_seconds": round(state.watched_seconds, 3),
            "total_seconds": round(state.total_seconds, 3),
            "watched_percent": state.watched_percent,
            "completed": state.completed,
        },
        "modules": [module_json(m) for m in state.modules],
    }


def progress_json(state: ProgramState) -> dict[str, Any]:
    """A program's rollup for the caller."""
    return {
        "completed_modules": state.completed_modules,
        "total_modules": state.total_modules,
        "completed_courses": state.completed_courses,
        "total_courses": len(state.courses),
        "percent": state.percent,
        "watched_seconds": round(state.watched_seconds, 3),
        "total_seconds": round(state.total_seconds, 3),
        "watched_percent": state.watched_percent,
        "completed": state.completed,
    }


def next_module_json(state: ProgramState) -> dict[str, Any] | None:
    """The next module to watch (with its course), or None."""
    module, course = state.next_module, state.next_course
    if module is None or course is None:
        return None
    return {**module_json(module), "course": course.course.slug}


def path_json(state: ProgramState) -> dict[str, Any]:
    """A learner's program: facts, progress, next module, course lock states."""
    return {
        **program_facts(state.program),
        "progress": progress_json(state),
        "next_module": next_module_json(state),
        "courses": [
            {
                "slug": c.course.slug,
                "title": c.course.title,
                "locked": c.locked,
                "unlock_hint": c.unlock_hint or None,
                "percent": c.percent,
                "completed": c.completed,
            }
            for c in state.courses
        ],
    }


# --------------------------------------------------------------------------- routes


def _program_or_404(slug: str) -> Program:
    program = queries.load_program(slug)
    if program is None:
        abort(404, "no such program")
    return program


@bp.get("/programs")
@api_login_required
def list_programs():
    """The program catalogue."""
    return jsonify(programs=[catalogue_json(e) for e in queries.catalogue(g.user.id)])


@bp.get("/programs/<slug>")
@api_login_required
def get_program(slug: str):
    """A program with its courses, modules, the caller's progress and lock states."""
    program = _program_or_404(slug)
    state = queries.program_state(g.user.id, program)
    cohorts = queries.upcoming_cohorts([program.id]).get(program.id, [])
    return jsonify(
        {
            **program_facts(program),
            "duration_seconds": round(state.total_seconds, 3),
            "upcoming_cohorts": [d.isoformat() for d in cohorts],
            "enrolled": find_enrollment(g.user.id, program.id) is not None,
            "progress": progress_json(state),
            "next_module": next_module_json(state),
            "courses": [course_json(c) for c in state.courses],
        }
    )


@bp.post("/programs/<slug>/enrol")
@api_login_required
def enrol_in_program(slug: str):
    """Self-enrol the caller (open programs only; idempotent: 201 then 200)."""
    program = _program_or_404(slug)
    try:
        _, created = enrol(g.user, program)
    except EnrolmentNotAllowed as exc:
        return error_response(403, str(exc))
    db.session.commit()
    return jsonify(program=program.slug, enrolled=True, created=created), 201 if created else 200


@bp.post("/programs/<slug>/enrollments")
@api_login_required
def enrol_someone(slug: str):
    """Admins enrol a learner by e-mail: ``{"email": ...}`` (201 new, 200 existing)."""
    if not g.user.is_admin:
        return error_response(403, "only admins enrol other people")
    program = _program_or_404(slug)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("email"), str):
        return error_response(400, 'send JSON {"email": "learner@example.com"}')
    unknown = sorted(set(body) - ENROLLMENT_FIELDS)
    if unknown:
        return error_response(400, f"unknown field(s): {', '.join(unknown)}")
    user = user_by_email(body["email"])
    if user is None:
        return error_response(404, "no account with that e-mail address")
    _, created = enrol(user, program, admin=True, by=g.user)
    db.session.commit()
    location = url_for("api.get_program", slug=program.slug)
    payload = {"program": program.slug, "email": user.email, "created": created}
    return jsonify(payload), 201 if created else 200, {"Location": location}


@bp.get("/me/paths")
@api_login_required
def my_paths():
    """The caller's programs with progress, next module and course lock states."""
    states = queries.program_states(g.user.id, queries.enrolled_programs(g.user.id))
    return jsonify(paths=[path_json(s) for s in states])
