"""Watch page, HLS files, posters, and the player's front-end assets."""

from __future__ import annotations

import posixpath
import time
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request, send_from_directory
from flask_login import current_user, login_required

from webapp.access import can_manage, video_or_404
from webapp.clips.queries import chapters_of
from webapp.playback.delivery import safe_relative, send_personal, serve
from webapp.playback.i18n import player_strings
from webapp.playback.links import signer_for, verified_key
from webapp.playback.path import watch_path
from webapp.playback.playlists import sign_playlist, sign_vtt
from webapp.playback.viewer import listed_video, media_viewer, viewable_video
from webapp.progress.services import get_progress, summary
from webapp.storage import ObjectNotFound, get_storage

bp = Blueprint("playback", __name__)
# The player's words for the page that loads it (playback/_modules.html).
bp.add_app_template_global(player_strings, "player_strings")

# Front-end libraries are served from the installed npm packages, never copied in.
VENDOR_FILES = {
    "hls.mjs": "hls.js/dist/hls.min.mjs",  # the ES module build: stream.js imports it
    "hls.min.mjs.map": "hls.js/dist/hls.min.mjs.map",
}


@bp.get("/videos/<int:video_id>")
@login_required
def watch(video_id: int):
    """The player page; resumes at the learner's saved position. Reached through a
    course (``?course=&program=``), it also shows the breadcrumb, the course's modules
    with the learner's progress, and the next lesson."""
    video = video_or_404(video_id, current_user)
    progress = summary(get_progress(current_user, video), video)
    start_at = request.args.get("t", type=float)
    if start_at is not None and not (0 <= start_at < (video.duration or 0)):
        start_at = None
    path = watch_path(
        current_user,
        video,
        request.args.get("course", type=int),
        request.args.get("program", type=int),
    )
    return render_template(
        "playback/watch.html",
        video=video,
        progress=progress,
        start_at=start_at,
        chapters=chapters_of(video.id),
        can_edit=can_manage(current_user, video) and video.is_ready,
        path=path,
    )


@bp.get("/videos/<int:video_id>/hls/<path:rel>")
def hls(video_id: int, rel: str):
    """The ladder for an authorized viewer (session or bearer token). Playlists and
    WebVTT tracks are rewritten on every fetch so that the media they name are
    short-lived signed links; other files are served as they are."""
    video = viewable_video(video_id, media_viewer())
    prefix = video.playable_prefix
    if prefix is None:
        abort(404)
    key = f"{prefix}/{safe_relative(rel)}"
    if rel.endswith((".m3u8", ".vtt")):
        rewrite = sign_playlist if rel.endswith(".m3u8") else sign_vtt
        try:
            text = get_storage().get_bytes(key).decode()
        except ObjectNotFound:
            abort(404)
        return send_personal(rewrite(text, posixpath.dirname(rel), signer_for(video)), key)
    # A growing preview must be re-read by the player; a published ladder never changes.
    return serve(get_storage(), key, max_age=3600 if video.is_ready else 0)


@bp.get("/media/<int:video_id>/<path:rel>")
def media(video_id: int, rel: str):
    """One ladder file by signed link (``?exp=&sig=``), no session needed: the link is
    the permission. Range requests get 206 on local disk."""
    expires = request.args.get("exp", type=int)
    key = verified_key(video_id, rel, expires, request.args.get("sig", ""))
    assert expires is not None  # verified_key refuses a link without an expiry
    return serve(get_storage(), key, max_age=min(3600, max(0, int(expires - time.time()))))


@bp.get("/videos/<int:video_id>/poster.jpg")
def poster(video_id: int):
    """The poster frame (session or bearer token); a locked video's too, as its tile
    is listed with the reason."""
    video = listed_video(video_id, media_viewer())
    if not video.poster_key:
        abort(404)
    return serve(get_storage(), video.poster_key)


@bp.get("/player/<path:filename>")
def player_static(filename: str):
    """Our own player modules and styles from ``player_static/`` (site-wide files are the
    app's ``static`` folder)."""
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
    # Module scripts need a JavaScript type, which not every system's MIME table gives .mjs.
    mimetype = "text/javascript" if path.suffix == ".mjs" else None
    return send_from_directory(path.parent, path.name, max_age=86400, mimetype=mimetype)
