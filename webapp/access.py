"""Authorization rules per object, checked on the server for every request."""

from __future__ import annotations

from flask import abort
from sqlalchemy import ColumnElement, Select, and_, exists, or_, select, true

from webapp.extensions import db
from webapp.models import CohortMember, CohortRole, Invitation, LiveClass, Role, User, Video


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
