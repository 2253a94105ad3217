"""Authorization rules per object, checked on the server for every request."""

from __future__ import annotations

from flask import abort

from webapp.extensions import db
from webapp.models import User, Video


def can_view(user: User, video: Video) -> bool:
    """Playable videos (READY, or with an early preview) are watchable by every signed-in
    user; the rest only by their owner or an admin."""
    if not user.is_authenticated:
        return False
    if video.is_playable:
        return True
    return can_manage(user, video)


def can_manage(user: User, video: Video) -> bool:
    """The uploading instructor and admins manage a video."""
    return user.is_authenticated and (user.is_admin or video.owner_id == user.id)


def video_or_404(video_id: int, user: User) -> Video:
    """The video if ``user`` may see it; 404 otherwise so ids do not leak existence."""
    video = db.session.get(Video, video_id)
    if video is None or not can_view(user, video):
        abort(404, "No such video.")
    return video
