"""Cohorts and organisations: who teaches a cohort, its classes and exams, calendar
feeds, organisations and their managers, who sees a program."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import (
    Cohort,
    CohortMember,
    Exam,
    LiveClass,
    Role,
    User,
)

# ---- teaching (back office)
# Admins manage every cohort; a cohort's instructors manage its members, classes and
# exams. Only admins create, edit or delete cohorts and masterclasses. A signed-in caller
# who is not in the cohort gets 404 (they may not know it exists); its learners get 403.


def _cohort_role(cohort_id: int, user: User) -> str | None:
    return db.session.scalar(
        select(CohortMember.role).where(
            CohortMember.cohort_id == cohort_id, CohortMember.user_id == user.id
        )
    )


def require_admin(user: User) -> None:
    """403 unless ``user`` is an admin (creating and deleting cohorts and masterclasses)."""
    if not user.is_admin:
        abort(403, "Only admins may do this.")


def may_manage_cohorts(user: User) -> bool:
    """Admins, and instructors of at least one cohort (the back office's cohort list)."""
    if user.is_admin:
        return True
    taught = select(CohortMember.id).where(
        CohortMember.user_id == user.id, CohortMember.role == "instructor"
    )
    return db.session.scalar(taught.limit(1)) is not None


def require_cohort_manager(user: User) -> None:
    """403 unless ``user`` may open the back office's cohort list."""
    if not may_manage_cohorts(user):
        abort(403, "Only admins and cohort instructors manage cohorts.")


def teaching_cohort_or_404(cohort_id: int, user: User) -> Cohort:
    """The cohort, if ``user`` manages it (admin, or its instructor); its learners get 403,
    everyone else 404."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        abort(404, "No such cohort.")
    if user.is_admin:
        return cohort
    role = _cohort_role(cohort_id, user)
    if role is None:
        abort(404, "No such cohort.")
    if role != "instructor":
        abort(403, "Only the cohort's instructors (or an admin) may do this.")
    return cohort


def teaching_class_or_404(class_id: int, user: User) -> LiveClass:
    """A class its cohort's instructors and admins may change (masterclasses: admins)."""
    live_class = db.session.get(LiveClass, class_id)
    if live_class is None:
        abort(404, "No such class.")
    if live_class.cohort_id is None:
        require_admin(user)
    else:
        teaching_cohort_or_404(live_class.cohort_id, user)
    return live_class


def teaching_exam_or_404(exam_id: int, user: User) -> Exam:
    """An exam its cohort's instructors and admins may change."""
    exam = db.session.get(Exam, exam_id)
    if exam is None:
        abort(404, "No such exam.")
    teaching_cohort_or_404(exam.cohort_id, user)
    return exam


# ----------------------------------------------------------------------------- calendar feeds


def calendar_owner_or_404(secret: str) -> User:
    """The active user whose private feed URL holds ``secret``; 404 for anything else.

    The URL is the permission (calendar apps send no cookies): an unknown, reset or too
    short secret, or a deactivated account's, answers the same 404.
    """
    from webapp.calendar.queries import MIN_SECRET, user_by_secret

    user = user_by_secret(secret) if len(secret) >= MIN_SECRET else None
    if user is None or not user.is_active:
        abort(404, "No such calendar.")
    return user


# ---- organisations and managers
# A manager's scope is one organisation: every organisation page, API route and export is
# addressed by the organisation's slug and answers 404 to anyone but that organisation's
# managers and admins, and every person or assignment inside is looked up within it (404
# for another organisation's). Organisation-private videos and modules are the audience
# rule's (``webapp/audiences/rules.py``: ORGANISATION); a program owned by an organisation
# is listed and shown to its people, instructors and admins only.


def can_manage_organisations(user: User) -> bool:
    """Admins create organisations, add people and managers and set seats."""
    return user.is_authenticated and user.is_admin


def organisation_for_manager_or_404(user: User, slug: str):
    """The organisation at ``slug`` if ``user`` manages it (or is an admin); 404 otherwise,
    for an unknown slug the same as for another organisation's."""
    from webapp.organisations.queries import managed_organisation, organisation_by_slug

    if user.is_authenticated and user.is_admin:
        org = organisation_by_slug(slug)
    else:
        org = managed_organisation(user)
        if org is not None and org.slug != slug:
            org = None
    if org is None:
        abort(404, "No such organisation.")
    return org


def organisation_person_or_404(org_id: int, user_id: int):
    """``user_id``'s membership in the organisation; 404 for anyone outside it."""
    from webapp.organisations.queries import person

    found = person(org_id, user_id)
    if found is None:
        abort(404, "No such person in this organisation.")
    return found


def can_see_program(user: User, program) -> bool:
    """A program owned by an organisation: its people, instructors and admins only; any
    other program: everyone."""
    if program.organisation_id is None:
        return True
    if not user.is_authenticated:
        return False
    if user.role in (Role.ADMIN, Role.INSTRUCTOR):
        return True
    from webapp.organisations.queries import organisation_of

    org = organisation_of(user)
    return org is not None and org.id == program.organisation_id


def visible_program_or_404(user: User, program):
    """``program`` if ``user`` may see it; 404 otherwise (also for None)."""
    if program is None or not can_see_program(user, program):
        abort(404, "No such program.")
    return program


def manages_an_organisation(user: User) -> bool:
    """Whether ``user`` is some organisation's manager (the menu's "My organisation").
    Admins reach every organisation from the admin menu: no query for them."""
    from flask import g

    from webapp.organisations.queries import managed_organisation

    if not user.is_authenticated or user.is_admin:
        return False
    if "manages_an_organisation" not in g:  # once per request, however often the menu asks
        g.manages_an_organisation = managed_organisation(user) is not None
    return bool(g.manages_an_organisation)
