"""Who may see and change videos, clips and modules: the audience decision for every
object and media link (``webapp/audiences``), cohort-private recordings, replacing a
source."""

from __future__ import annotations

from flask import abort
from sqlalchemy import ColumnElement, Select, and_, exists, or_

from webapp.audiences.decision import (
    HIDDEN,
    Decision,
    decide_clip,
    decide_module,
    decide_video,
    video_visible,
)
from webapp.audiences.rules import visible_module_rule, visible_video_rule
from webapp.extensions import db
from webapp.models import (
    Clip,
    CohortMember,
    LiveClass,
    Module,
    User,
    Video,
)


def cohort_recording_rule(user: User) -> ColumnElement[bool]:
    """SQL condition on ``Video``: not the recording of any cohort's live class, or the
    recording of a class of a cohort ``user`` belongs to (as learner or instructor).

    The definition of "cohort-private"; the audience rule (``webapp/audiences/rules.py``)
    applies the same condition to every video. Public masterclass recordings (no cohort)
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
    """Narrow a query over ``Video`` to what ``user`` may see (the audience rules of
    ``webapp/audiences/rules.py``; owners and admins see their own / everything).
    Playability is the caller's filter, as before."""
    return query.where(visible_video_rule(user))


def can_view(user: User, video: Video) -> bool:
    """Whether ``user`` may see ``video`` at all (``decide_video``: owners and admins in
    any state; others once playable, within its audience). A visible video may still be
    locked by prerequisites: ``video_or_404`` answers that with 403."""
    return video_visible(user, video)


def can_manage(user: User, video: Video) -> bool:
    """The uploading instructor and admins manage a video."""
    return user.is_authenticated and (user.is_admin or video.owner_id == user.id)


def video_or_404(video_id: int, user: User) -> Video:
    """The video if ``user`` may watch it; 404 when they may not see it (ids do not leak
    existence), 403 with the reason when it is locked ("Complete ‘SEO Basics’ first")."""
    video = db.session.get(Video, video_id)
    decision = decide_video(user, video) if video is not None else HIDDEN
    if video is None or not decision.visible:
        abort(404, "No such video.")
    if decision.locked_reason:
        abort(403, decision.locked_reason)
    return video


# ---- videos (back office)


def managed_video_or_404(video_id: int, user: User) -> Video:
    """The video if ``user`` manages it (its instructor, admins): 404 when they may not
    even see it, 403 when they may see it but not change it."""
    video = video_or_404(video_id, user)
    if not can_manage(user, video):
        abort(403, "Only the video's instructor or an admin may change it.")
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


# ---- audiences (who may watch what)
# One decision for every surface: ``webapp/audiences/decision.py`` (``decide_video``,
# ``decide_clip``, ``decide_module``) over the SQL rule of ``webapp/audiences/rules.py``,
# which list queries apply through ``visible_module_rule`` / ``visible_video_rule``. Pages
# and the API answer 404 for what the user may not see and 403 with the reason for what
# is locked; media routes answer 403 for both.

__all__ = [
    "Decision",
    "decide_clip",
    "decide_module",
    "decide_video",
    "visible_module_rule",
    "visible_video_rule",
]


def clip_decision_or_abort(clip: Clip | None, user: User, missing: int = 404) -> Clip:
    """``clip`` if ``user`` may watch it; ``missing`` (404 pages and API, 403 media)
    when they may not see it, 403 with the reason when it is locked."""
    decision = decide_clip(user, clip) if clip is not None else HIDDEN
    if clip is None or not decision.visible:
        abort(missing, "No such clip." if missing == 404 else "You may not watch this clip.")
    if decision.locked_reason:
        abort(403, decision.locked_reason)
    return clip


def can_edit_audience(user: User, module: Module) -> bool:
    """Who sets a module's audience and free preview: the recording's instructor and
    admins (like the rest of a module's curation)."""
    return can_manage(user, module.video)
