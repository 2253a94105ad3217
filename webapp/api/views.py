"""API routes: videos, progress."""

from __future__ import annotations

from flask import g, jsonify, make_response, request

from webapp import jobs
from webapp.access import can_manage, video_or_404
from webapp.api.auth import api_login_required, api_user
from webapp.api.blueprint import bp
from webapp.api.serializers import video_json
from webapp.errors import error_response
from webapp.progress.beats import BadHeartbeat, parse_beat, request_payload
from webapp.progress.grants import hand_back, video_target
from webapp.progress.services import detail, get_progress, record_heartbeat
from webapp.progress.writer import WriterUnavailable


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
    target = video_target(video_id, api_user)
    try:
        beat = parse_beat(request_payload(request))
        return hand_back(jsonify(record_heartbeat(target, beat)), target)
    except BadHeartbeat as exc:
        return error_response(400, str(exc))
    except WriterUnavailable as exc:
        response = make_response(error_response(503, str(exc)))
        response.headers["Retry-After"] = "1"
        return response
