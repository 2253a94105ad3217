"""Authorization rules per object, checked on the server for every request."""

from __future__ import annotations

from flask import abort
from sqlalchemy import ColumnElement, Select, and_, exists, or_, select, true

from webapp.extensions import db
from webapp.models import CohortMember, LiveClass, User, Video


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
