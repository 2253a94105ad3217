"""Authorization rules per object, checked on the server for every request."""

from __future__ import annotations

from flask import abort
from sqlalchemy import ColumnElement, Select, and_, exists, or_, select, true

from webapp.extensions import db
from webapp.models import (
    Cohort,
    CohortMember,
    CohortRole,
    Course,
    Exam,
    Invitation,
    LiveClass,
    Role,
    User,
    Video,
)


def cohort_recording_rule(user: User) -> ColumnElement[bool]:
    """SQL condition on ``Video``: not the recording of any cohort's live class, or the
    recording of a class of a cohort ``user`` belongs to (as learner or instructor).

    The one definition of "cohort-private": ``can_view`` runs it for one video and list
    queries apply it through ``visible_videos``. Public masterclass recordings (no cohort)
    are not private.
    """
    cohort_class = and_(LiveClass.recording_id == Video.id, LiveClass.cohort_id.is_not(None))
    member = exists().where(
        cohort_class,
        CohortMember.cohort_id == LiveClass.cohort_id,
        CohortMember.user_id == user.id,
    )
    return or_(~exists().where(cohort_class), member)


def visible_videos(query: Select, user: User) -> Select:
    """Narrow a query over ``Video`` to what ``user`` may see of cohort recordings (owners
    and admins see their own / everything). Playability is the caller's filter, as before."""
    if user.is_admin:
        return query.where(true())
    return query.where(or_(Video.owner_id == user.id, cohort_recording_rule(user)))


def can_view(user: User, video: Video) -> bool:
    """Owners and admins see their videos in any state. Everyone else who is signed in
    sees playable videos (READY, or with an early preview), except cohort recordings,
    which only that cohort's learners and instructors see (one query)."""
    if not user.is_authenticated:
        return False
    if can_manage(user, video):
        return True
    if not video.is_playable:
        return False
    allowed = select(Video.id).where(Video.id == video.id, cohort_recording_rule(user))
    return db.session.scalar(allowed) is not None


def can_manage(user: User, video: Video) -> bool:
    """The uploading instructor and admins manage a video."""
    return user.is_authenticated and (user.is_admin or video.owner_id == user.id)


def video_or_404(video_id: int, user: User) -> Video:
    """The video if ``user`` may see it; 404 otherwise so ids do not leak existence."""
    video = db.session.get(Video, video_id)
    if video is None or not can_view(user, video):
        abort(404, "No such video.")
    return video


# ---- videos (back office)


def managed_video_or_404(video_id: int, user: User) -> Video:
    """The video if ``user`` manages it (its instructor, admins): 404 when they may not
    even see it, 403 when they may see it but not change it."""
    video = video_or_404(video_id, user)
    if not can_manage(user, video):
        abort(403, "Only the video's instructor or an admin may change it.")
    return video


# ---- structure (back office)
# Topics and programs are the admins'; instructors create courses and manage the ones
# they created.


def can_manage_topics(user: User) -> bool:
    """Admins create, rename and delete topics."""
    return user.is_authenticated and user.is_admin


def can_manage_programs(user: User) -> bool:
    """Admins create, edit and delete programs."""
    return user.is_authenticated and user.is_admin


def can_create_course(user: User) -> bool:
    """Instructors and admins create courses."""
    return user.is_authenticated and user.can_upload


def can_manage_course(user: User, course: Course) -> bool:
    """Admins manage every course; an instructor the courses they created."""
    if not user.is_authenticated:
        return False
    return user.is_admin or (user.can_upload and course.created_by == user.id)


# ---- admin home (back office)


def can_see_admin_home(user: User) -> bool:
    """The admin home (site figures, failed jobs) and the outbox: admins only."""
    return user.is_authenticated and user.is_admin


def can_retry_job(user: User) -> bool:
    """Retrying a failed background job (any kind, any owner): admins only."""
    return user.is_authenticated and user.is_admin


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


# ---- people (back office)


def can_manage_users(user: User) -> bool:
    """Only admins list accounts, change roles and deactivate accounts."""
    return bool(user.is_authenticated and user.is_admin)


# ---- sources (back office)


def can_replace_source(user: User, video: Video) -> bool:
    """The video's owner and admins may give a video a new recording."""
    return can_manage(user, video)


def replace_target_or_abort(video_id: int, user: User) -> Video:
    """The video whose recording ``user`` wants to replace: 404 when they may not see
    it, 403 when they see it but may not replace it."""
    video = video_or_404(video_id, user)
    if not can_replace_source(user, video):
        abort(403, "Only the video's owner or an admin may replace its recording.")
    return video


# ---- accounts (back office)
# Admins invite anyone with any role, to any program or cohort. A cohort's instructors
# (CohortMember role instructor) invite learners to THEIR cohorts only, and see and manage
# only those invitations. Everyone else may not invite.


def instructed_cohort_ids(user: User) -> set[int]:
    """The cohorts ``user`` teaches (cohort role instructor)."""
    if not user.is_authenticated:
        return set()
    rows = db.session.scalars(
        select(CohortMember.cohort_id).where(
            CohortMember.user_id == user.id, CohortMember.role == CohortRole.INSTRUCTOR
        )
    )
    return set(rows)


def can_manage_invitations(user: User) -> bool:
    """Admins and cohort instructors see the invitations page (403 for the others)."""
    return user.is_authenticated and (user.is_admin or bool(instructed_cohort_ids(user)))


def can_invite(
    user: User, role: str, cohort_id: int | None, program_id: int | None, cohort_role: str | None
) -> bool:
    """May ``user`` send this invitation? Admins: any. Cohort instructors: a learner to a
    cohort they teach, as a learner of it, without a program enrolment."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    return (
        role == Role.LEARNER
        and program_id is None
        and cohort_id is not None
        and cohort_id in instructed_cohort_ids(user)
        and cohort_role in (None, CohortRole.LEARNER)
    )


def can_manage_invitation(user: User, invitation: Invitation) -> bool:
    """Re-send or revoke: admins any; cohort instructors those to their cohorts."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    return invitation.cohort_id is not None and invitation.cohort_id in instructed_cohort_ids(user)


def invitation_or_404(invitation_id: int, user: User) -> Invitation:
    """The invitation if ``user`` may manage it; 404 otherwise (ids do not leak)."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or not can_manage_invitation(user, invitation):
        abort(404, "No such invitation.")
    return invitation


def can_set_signup_policy(user: User) -> bool:
    """Only admins choose who may sign up."""
    return user.is_authenticated and user.is_admin
