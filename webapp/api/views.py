"""API routes: videos, progress."""

from __future__ import annotations

from flask import g, jsonify

from webapp import jobs
from webapp.access import can_manage, video_or_404
from webapp.api.auth import api_login_required, api_user
from webapp.api.blueprint import bp
from webapp.api.serializers import video_json
from webapp.progress.endpoint import heartbeat_response
from webapp.progress.services import detail, get_progress


@bp.get("/videos/<int:video_id>")
@api_login_required
def get_video(video_id: int):
    """A video and its renditions; owners and admins also see the transcode job."""
    video = video_or_404(video_id, g.user)
    manage = can_manage(g.user, video)
    job = jobs.latest_job(video.id) if manage else None
    return jsonify(video_json(video, job, with_job=manage))


@bp.get("/videos/<int:video_id>/progress")
@api_login_required
def get_progress_view(video_id: int):
    """The caller's own progress on a video, with the watched intervals."""
    video = video_or_404(video_id, g.user)
    return jsonify(detail(get_progress(g.user, video), video))


@bp.route("/videos/<int:video_id>/progress", methods=["PUT", "POST"])
def put_progress(video_id: int):
    """The heartbeat (docs/api.md); POST is the page-hide beacon. Answers once stored."""
    return heartbeat_response(api_user, video_id=video_id)
