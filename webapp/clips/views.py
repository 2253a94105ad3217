"""Clip pages: watch a clip, its virtual HLS playlists, download an export; the editor."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from transcoder.hls import clip_media_playlist, first_segment_start
from webapp.access import can_manage, video_or_404
from webapp.clips import exports
from webapp.clips.i18n import editor_strings
from webapp.clips.queries import chapters_of, clip_or_404, clips_of, suggestions_of
from webapp.playback.delivery import safe_relative, send_personal, serve
from webapp.playback.links import signer_for
from webapp.playback.playlists import sign_playlist
from webapp.playback.viewer import media_viewer, viewable_clip
from webapp.progress.services import get_progress, summary
from webapp.storage import ObjectNotFound, get_storage
from webapp.storage.content_types import content_disposition

bp = Blueprint("clips", __name__)


@bp.get("/clips/<int:clip_id>")
@login_required
def watch(clip_id: int):
    """Play a clip: starts at its in point, stops at its out point, remembers progress."""
    clip = clip_or_404(clip_id, current_user)
    progress = summary(get_progress(current_user, clip.video, clip), clip.video, clip)
    offset = playlist_offset(clip)
    return render_template(
        "clips/watch.html",
        clip=clip,
        video=clip.video,
        progress=progress,
        clip_in=round(clip.start - offset, 3),
        clip_out=round(clip.end - offset, 3),
    )


def playlist_offset(clip) -> float:
    """Parent time of the first segment the clip's playlists list (their time zero)."""
    video = clip.video
    variant = next((r for r in video.renditions if r.height), None)
    if variant is None:
        abort(404)
    parent = get_storage().get_bytes(f"{video.hls_prefix}/{variant.playlist}").decode()
    return first_segment_start(parent, clip.start)


@bp.get("/clips/<int:clip_id>/hls/master.m3u8")
def hls_master(clip_id: int):
    """The parent's master playlist; its relative variant URIs resolve to our variants.
    Session or bearer token; 401 and 403 like the video playlists."""
    clip = viewable_clip(clip_id, media_viewer())
    return serve(get_storage(), f"{clip.video.hls_prefix}/master.m3u8", max_age=60)


@bp.get("/clips/<int:clip_id>/hls/<variant>/index.m3u8")
def hls_variant(clip_id: int, variant: str):
    """Only the parent's segments that overlap the clip, with its exact in/out."""
    clip = viewable_clip(clip_id, media_viewer())
    key = f"{clip.video.hls_prefix}/{safe_relative(variant + '/index.m3u8')}"
    try:
        parent = get_storage().get_bytes(key).decode()
    except ObjectNotFound:
        abort(404)
    body = clip_media_playlist(parent, clip.start, clip.end, "")
    return send_personal(sign_playlist(body, variant, signer_for(clip.video)), key)


@bp.get("/clips/<int:clip_id>/download")
@login_required
def download(clip_id: int):
    """The exported MP4, as an attachment."""
    clip = clip_or_404(clip_id, current_user)
    export = exports.latest_export(clip.id)
    if export is None or not export.output_key:
        abort(404, _("This clip has not been exported yet."))
    response = serve(get_storage(), export.output_key)
    name = f"{clip.title[:80] or 'clip'}.mp4"
    response.headers["Content-Disposition"] = content_disposition(name)
    return response


@bp.get("/videos/<int:video_id>/edit")
@login_required
def editor(video_id: int):
    """The clip and chapter editor of a READY recording (instructor or admin)."""
    video = video_or_404(video_id, current_user)
    if not can_manage(current_user, video):
        abort(403, _("Only the recording's instructor or an admin may edit clips and chapters."))
    if not video.is_ready:
        abort(409, _("The recording is not ready yet."))
    return render_template(
        "clips/editor.html",
        video=video,
        clips=clips_of(video.id),
        chapters=chapters_of(video.id),
        suggestions=suggestions_of(video.id),
        editor_i18n=editor_strings(),
    )
