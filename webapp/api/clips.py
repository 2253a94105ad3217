"""API routes for clips, chapters, suggestions and clip exports."""

from __future__ import annotations

from flask import abort, g, jsonify, request, url_for

from webapp.access import can_manage, video_or_404
from webapp.api.auth import api_login_required, api_user
from webapp.api.blueprint import bp
from webapp.clips import exports, services
from webapp.clips.queries import chapters_of, clip_or_404, clips_of, suggestions_of
from webapp.clips.ranges import BadInput
from webapp.errors import error_response
from webapp.extensions import db
from webapp.models import Chapter, Clip, ClipExport, Suggestion, Video
from webapp.progress.endpoint import heartbeat_response
from webapp.progress.services import detail, get_progress
from webapp.storage import get_storage


def clip_json(clip: Clip) -> dict:
    """A clip as a micro-lesson."""
    return {
        "id": clip.id,
        "video_id": clip.video_id,
        "title": clip.title,
        "description": clip.description,
        "topic": clip.topic,
        "start": clip.start,
        "end": clip.end,
        "duration": round(clip.duration, 3),
        "hls_url": url_for("clips.hls_master", clip_id=clip.id),
        "watch_url": url_for("clips.watch", clip_id=clip.id),
        "full_recording_url": url_for("playback.watch", video_id=clip.video_id, t=clip.start),
    }


def chapter_json(chapter: Chapter) -> dict:
    """A chapter marker."""
    return {
        "id": chapter.id,
        "video_id": chapter.video_id,
        "title": chapter.title,
        "start": chapter.start,
    }


def suggestion_json(item: Suggestion) -> dict:
    """A suggested chapter boundary or clip candidate."""
    return {
        "id": item.id,
        "kind": item.kind,
        "start": item.start,
        "end": item.end,
        "score": item.score,
        "label": item.label,
        "status": item.status,
    }


def export_json(export: ClipExport | None) -> dict | None:
    """State of a clip export and, once READY, where to download it."""
    if export is None:
        return None
    return {
        "id": export.id,
        "state": export.state,
        "progress": export.progress,
        "error": export.error,
        "size_bytes": export.size_bytes,
        "download_url": (
            url_for("clips.download", clip_id=export.clip_id) if export.output_key else None
        ),
    }


CHAPTER_FIELDS = ("title", "start")


def _body(allowed: tuple[str, ...]) -> dict:
    """The JSON object sent, with only ``allowed`` keys: any other key (``video_id``,
    ``created_by``, ``id``…) is refused rather than ignored, so nothing else looks settable."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadInput("send a JSON object")
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise BadInput(f"unknown field(s): {', '.join(unknown)}; allowed: {', '.join(allowed)}")
    return body


def _managed_video(video_id: int) -> Video:
    """The video, if the caller may see it (404) and change it (403)."""
    video = video_or_404(video_id, g.user)
    if not can_manage(g.user, video):
        abort(403, "Only the recording's instructor or an admin may change clips and chapters.")
    return video


def _child(model: type, child_id: int, video: Video):
    row = db.session.get(model, child_id)
    if row is None or row.video_id != video.id:
        abort(404, "No such item on this video.")
    return row


@bp.errorhandler(BadInput)
def _bad_input(exc: BadInput):
    db.session.rollback()
    return error_response(400, str(exc))


# ----------------------------------------------------------------------------- clips


@bp.get("/videos/<int:video_id>/clips")
@api_login_required
def list_clips(video_id: int):
    """Clips of a video."""
    video = video_or_404(video_id, g.user)
    return jsonify(clips=[clip_json(c) for c in clips_of(video.id)])


@bp.post("/videos/<int:video_id>/clips")
@api_login_required
def create_clip(video_id: int):
    """Cut a clip: ``{"title", "start", "end", "description"?, "topic"?}``."""
    video = _managed_video(video_id)
    clip = services.create_clip(video, g.user, _body(services.CLIP_FIELDS))
    db.session.commit()
    return jsonify(clip_json(clip)), 201


@bp.get("/videos/<int:video_id>/clips/<int:clip_id>")
@api_login_required
def get_clip(video_id: int, clip_id: int):
    """One clip."""
    video = video_or_404(video_id, g.user)
    return jsonify(clip_json(_child(Clip, clip_id, video)))


@bp.patch("/videos/<int:video_id>/clips/<int:clip_id>")
@api_login_required
def update_clip(video_id: int, clip_id: int):
    """Change a clip's title, description, topic or range."""
    video = _managed_video(video_id)
    clip = services.update_clip(_child(Clip, clip_id, video), _body(services.CLIP_FIELDS))
    db.session.commit()
    return jsonify(clip_json(clip))


@bp.delete("/videos/<int:video_id>/clips/<int:clip_id>")
@api_login_required
def delete_clip(video_id: int, clip_id: int):
    """Delete a clip (and its exported file)."""
    video = _managed_video(video_id)
    keys = services.delete_clip(_child(Clip, clip_id, video))
    db.session.commit()
    for key in keys:
        get_storage().delete(key)
    return "", 204


@bp.post("/videos/<int:video_id>/clips/<int:clip_id>/export")
@api_login_required
def export_clip(video_id: int, clip_id: int):
    """Render the clip into its own MP4 (a job); 202 with the job."""
    video = _managed_video(video_id)
    export = services.request_export(_child(Clip, clip_id, video))
    db.session.commit()
    exports.dispatch(export.id)
    return jsonify(export_json(export)), 202


@bp.get("/videos/<int:video_id>/clips/<int:clip_id>/export")
@api_login_required
def get_export(video_id: int, clip_id: int):
    """The latest export of a clip (``null`` when never exported)."""
    video = _managed_video(video_id)
    clip = _child(Clip, clip_id, video)
    return jsonify(export=export_json(exports.latest_export(clip.id)))


# ----------------------------------------------------------------------------- chapters


@bp.get("/videos/<int:video_id>/chapters")
@api_login_required
def list_chapters(video_id: int):
    """Chapters in time order."""
    video = video_or_404(video_id, g.user)
    return jsonify(chapters=[chapter_json(c) for c in chapters_of(video.id)])


@bp.post("/videos/<int:video_id>/chapters")
@api_login_required
def create_chapter(video_id: int):
    """Add a chapter: ``{"title", "start"}``."""
    video = _managed_video(video_id)
    chapter = services.create_chapter(video, _body(CHAPTER_FIELDS))
    db.session.commit()
    return jsonify(chapter_json(chapter)), 201


@bp.patch("/videos/<int:video_id>/chapters/<int:chapter_id>")
@api_login_required
def update_chapter(video_id: int, chapter_id: int):
    """Rename or move a chapter."""
    video = _managed_video(video_id)
    chapter = services.update_chapter(
        _child(Chapter, chapter_id, video), video, _body(CHAPTER_FIELDS)
    )
    db.session.commit()
    return jsonify(chapter_json(chapter))


@bp.delete("/videos/<int:video_id>/chapters/<int:chapter_id>")
@api_login_required
def delete_chapter(video_id: int, chapter_id: int):
    """Delete a chapter."""
    video = _managed_video(video_id)
    services.delete_chapter(_child(Chapter, chapter_id, video))
    db.session.commit()
    return "", 204


@bp.post("/videos/<int:video_id>/chapters/<int:chapter_id>/clip")
@api_login_required
def chapter_to_clip(video_id: int, chapter_id: int):
    """Turn a chapter (up to the next one) into a clip."""
    video = _managed_video(video_id)
    clip = services.clip_from_chapter(_child(Chapter, chapter_id, video), video, g.user)
    db.session.commit()
    return jsonify(clip_json(clip)), 201


# ----------------------------------------------------------------------------- suggestions


@bp.get("/videos/<int:video_id>/suggestions")
@api_login_required
def list_suggestions(video_id: int):
    """Pending chapter boundaries and clip candidates found while transcoding."""
    video = _managed_video(video_id)
    return jsonify(suggestions=[suggestion_json(s) for s in suggestions_of(video.id)])


@bp.post("/videos/<int:video_id>/suggestions/<int:suggestion_id>/<any(accept, discard):action>")
@api_login_required
def resolve_suggestion(video_id: int, suggestion_id: int, action: str):
    """Accept (creates the chapter or clip) or discard a suggestion."""
    video = _managed_video(video_id)
    suggestion = _child(Suggestion, suggestion_id, video)
    created = services.resolve_suggestion(suggestion, video, g.user, accept=action == "accept")
    db.session.commit()
    body = {"suggestion": suggestion_json(suggestion)}
    if isinstance(created, Clip):
        body["clip"] = clip_json(created)
    elif isinstance(created, Chapter):
        body["chapter"] = chapter_json(created)
    return jsonify(body)


# ----------------------------------------------------------------------------- clip progress


@bp.get("/clips/<int:clip_id>/progress")
@api_login_required
def get_clip_progress(clip_id: int):
    """The caller's progress on a clip (seconds from the clip's start)."""
    clip = clip_or_404(clip_id, g.user)
    return jsonify(detail(get_progress(g.user, clip.video, clip), clip.video, clip))


@bp.route("/clips/<int:clip_id>/progress", methods=["PUT", "POST"])
def put_clip_progress(clip_id: int):
    """Heartbeat for a clip, in seconds from the clip's start (POST: the beacon)."""
    return heartbeat_response(api_user, clip_id=clip_id)
