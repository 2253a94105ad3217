"""Who may fetch a video's or a clip's playlists: 401 without credentials, 403 without the right.

Media routes answer with status codes rather than the sign-in redirect and the 404 of
the pages, because their callers are players and scripts. A missing video also answers
403, so ids still do not leak which videos exist.
"""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user

from webapp.access import clip_decision_or_abort
from webapp.audiences.decision import decide_video
from webapp.auth.services import user_for_token
from webapp.extensions import db
from webapp.models import Clip, User, Video


def media_viewer() -> User:
    """The caller by ``Authorization: Bearer`` (if sent, it alone counts) or session; 401."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        user = user_for_token(token.strip()) if scheme == "Bearer" and token.strip() else None
        if user is None:
            abort(401, "The token is invalid or expired.")
        return user
    if current_user.is_authenticated:
        return current_user._get_current_object()
    abort(401, "Sign in first (session cookie or Bearer token).")


def viewable_video(video_id: int, user: User) -> Video:
    """The video if ``user`` may watch it; 403 otherwise, also for an unknown id (with
    the reason when it is locked)."""
    video = db.session.get(Video, video_id)
    decision = decide_video(user, video) if video is not None else None
    if video is None or decision is None or not decision.visible:
        abort(403, "You may not watch this video.")
    if decision.locked_reason:
        abort(403, decision.locked_reason)
    return video


def listed_video(video_id: int, user: User) -> Video:
    """The video if ``user`` may see it listed, locked or not (its poster shows on a
    locked tile); 403 otherwise, also for an unknown id."""
    video = db.session.get(Video, video_id)
    if video is None or not decide_video(user, video).visible:
        abort(403, "You may not see this video.")
    return video


def viewable_clip(clip_id: int, user: User) -> Clip:
    """The clip if its recording is READY and ``user`` may watch it; 403 otherwise, also
    for an unknown id (with the reason when it is locked)."""
    return clip_decision_or_abort(db.session.get(Clip, clip_id), user, missing=403)
