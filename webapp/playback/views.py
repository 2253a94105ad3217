"""Watch page, HLS files, posters, and the player's front-end assets."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request, send_from_directory
from flask_login import current_user, login_required

from webapp.access import can_manage, video_or_404
from webapp.clips.queries import chapters_of
from webapp.playback.delivery import safe_relative, serve
from webapp.progress.services import get_progress, summary
from webapp.storage import get_storage

bp = Blueprint("playback", __name__)

# Front-end libraries are served from the installed npm packages, never copied in.
VENDOR_FILES = {
    "hls.js": "hls.js/dist/hls.min.js",
    "hls.min.js.map": "hls.js/dist/hls.min.js.map",
}


@bp.get("/videos/<int:video_id>")
@login_required
def watch(video_id: int):
    """The player page; resumes at the learner's saved position."""
    video = video_or_404(video_id, current_user)
    progress = summary(get_progress(current_user, video), video)
    start_at = request.args.get("t", type=float)
    if start_at is not None and not (0 <= start_at < (video.duration or 0)):
        start_at = None
    return render_template(
        "playback/watch.html",
        video=video,
        progress=progress,
        start_at=start_at,
        chapters=chapters_of(video.id),
        can_edit=can_manage(current_user, video) and video.is_ready,
    )


@bp.get("/videos/<int:video_id>/hls/<path:rel>")
@login_required
def hls(video_id: int, rel: str):
    """Playlists and segments of the published ladder."""
    video = video_or_404(video_id, current_user)
    prefix = video.playable_prefix
    if prefix is None:
        abort(404)
    # A growing preview must be re-read by the player; a published ladder never changes.
    max_age = 3600 if video.is_ready else 0
    return serve(get_storage(), f"{prefix}/{safe_relative(rel)}", max_age=max_age)


@bp.get("/videos/<int:video_id>/poster.jpg")
@login_required
def poster(video_id: int):
    """The poster frame."""
    video = video_or_404(video_id, current_user)
    if not video.poster_key:
        abort(404)
    return serve(get_storage(), video.poster_key)


@bp.get("/player/<path:filename>")
def player_static(filename: str):
    """Our own player scripts and styles from ``player_static/``."""
    return send_from_directory(current_app.config["PLAYER_STATIC"], filename, max_age=300)


@bp.get("/vendor/<name>")
def vendor(name: str):
    """A front-end library file from ``node_modules``."""
    rel = VENDOR_FILES.get(name)
    if rel is None:
        abort(404)
    path = Path(current_app.config["NODE_MODULES"]) / rel
    if not path.is_file():
        abort(404, "Front-end packages are not installed: run `npm ci`.")
    return send_from_directory(path.parent, path.name, max_age=86400)
