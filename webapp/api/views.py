"""API routes: tokens, videos, progress."""

from __future__ import annotations

from flask import current_app, g, jsonify, request

from webapp import jobs
from webapp.access import can_manage, video_or_404
from webapp.api.auth import api_login_required
from webapp.api.blueprint import bp
from webapp.api.serializers import video_json
from webapp.auth.services import authenticate, issue_token
from webapp.errors import error_response
from webapp.extensions import db
from webapp.progress.services import (
    BadHeartbeat,
    get_progress,
    parse_heartbeat,
    record_heartbeat,
    summary,
)


def _json_body() -> object:
    body = request.get_json(silent=True)
    if body is None:
        raise BadHeartbeat("the body must be JSON (Content-Type: application/json)")
    return body


@bp.post("/tokens")
def create_token():
    """Exchange e-mail and password for a bearer token."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error_response(400, 'send JSON {"email": ..., "password": ...}')
    email, password = body.get("email"), body.get("password")
    if not isinstance(email, str) or not isinstance(password, str) or not email or not password:
        return error_response(400, "email and password are required strings")
    user = authenticate(email, password)
    if user is None:
        return error_response(401, "wrong e-mail address or password")
    token = issue_token(user, current_app.config["API_TOKEN_DAYS"])
    db.session.commit()
    return jsonify(token=token), 201


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
    """The caller's own progress on a video."""
    video = video_or_404(video_id, g.user)
    return jsonify(summary(get_progress(g.user, video), video))


@bp.put("/videos/<int:video_id>/progress")
@api_login_required
def put_progress(video_id: int):
    """The heartbeat: ``{"position": s, "played": [[a, b], ...]}``."""
    video = video_or_404(video_id, g.user)
    if not video.is_playable:
        return error_response(409, "the video is not ready to watch yet")
    try:
        beat = parse_heartbeat(_json_body())
    except BadHeartbeat as exc:
        return error_response(400, str(exc))
    progress = record_heartbeat(g.user, video, beat)
    db.session.commit()
    return jsonify(summary(progress, video))
