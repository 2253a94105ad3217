"""API routes for caption tracks (list, upload, relabel, default, delete, cues) and for the
caller's player preferences."""

from __future__ import annotations

from flask import abort, g, jsonify, request, url_for

from webapp.access import can_manage, video_or_404
from webapp.api.auth import api_login_required
from webapp.api.blueprint import bp
from webapp.captions import services
from webapp.captions.errors import CaptionError, CaptionTooLarge
from webapp.captions.languages import is_tag
from webapp.captions.parsing import MAX_BYTES
from webapp.captions.preferences import (
    PreferenceError,
    preferences_json,
    preferences_of,
    update_preferences,
)
from webapp.captions.queries import caption_of, captions_of, cues_of
from webapp.captions.views import FORM_OVERHEAD, read_upload_file
from webapp.errors import error_response
from webapp.extensions import db
from webapp.models import Caption, Video

# The keys of a JSON caption upload; who uploaded it, versions and storage keys are the
# server's.
UPLOAD_FIELDS = frozenset({"language", "label", "content", "format", "default"})


def caption_json(caption: Caption) -> dict:
    """A track as the player and the manager see it."""
    return {
        "language": caption.language,
        "label": caption.label,
        "default": caption.is_default,
        "version": caption.version,
        "cues": caption.cue_count,
        "source_format": caption.source_format,
        "url": url_for("captions.vtt", video_id=caption.video_id, language=caption.language),
        "updated_at": caption.updated_at.isoformat() if caption.updated_at else None,
    }


@bp.errorhandler(CaptionError)
def _caption_error(exc: CaptionError):
    db.session.rollback()
    return error_response(413 if isinstance(exc, CaptionTooLarge) else 400, str(exc))


@bp.errorhandler(PreferenceError)
def _preference_error(exc: PreferenceError):
    db.session.rollback()
    return error_response(400, str(exc))


def _managed_video(video_id: int) -> Video:
    video = video_or_404(video_id, g.user)
    if not can_manage(g.user, video):
        abort(403, "Only the recording's instructor or an admin may manage its captions.")
    return video


def _track(video: Video, language: str) -> Caption:
    caption = caption_of(video.id, language) if is_tag(language) else None
    if caption is None:
        abort(404, "This video has no captions in that language.")
    return caption


def _upload_fields() -> tuple[bytes, str | None, dict]:
    """File bytes, file name and the other fields, from multipart or JSON."""
    if request.mimetype == "multipart/form-data":
        data, filename = read_upload_file()
        fields = {
            "language": request.form.get("language"),
            "label": request.form.get("label"),
            "default": request.form.get("default") in ("1", "true", "on"),
        }
        return data, filename, fields
    if (request.content_length or 0) > 2 * MAX_BYTES + FORM_OVERHEAD:
        raise CaptionTooLarge(f"the file is over the {MAX_BYTES // (1024 * 1024)} MB limit")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise CaptionError(
            'send multipart/form-data with a "file", or JSON {"language", "content", ...}'
        )
    unknown = sorted(set(body) - UPLOAD_FIELDS)
    if unknown:
        raise CaptionError(
            f"unknown field(s): {', '.join(unknown)}; allowed: {', '.join(sorted(UPLOAD_FIELDS))}"
        )
    content = body.get("content")
    if not isinstance(content, str) or not content.strip():
        raise CaptionError("content must be the text of a WebVTT or SRT file")
    fmt = body.get("format")
    if fmt not in (None, "vtt", "srt"):
        raise CaptionError('format must be "vtt" or "srt" (or left out to detect it)')
    default = body.get("default", False)
    if not isinstance(default, bool):
        raise CaptionError("default must be true or false")
    fields = {"language": body.get("language"), "label": body.get("label"), "default": default}
    return content.encode(), f"upload.{fmt}" if fmt else None, fields


@bp.get("/videos/<int:video_id>/captions")
@api_login_required
def list_captions(video_id: int):
    """The tracks of a video the caller may watch."""
    video = video_or_404(video_id, g.user)
    return jsonify(captions=[caption_json(c) for c in captions_of(video.id)])


@bp.post("/videos/<int:video_id>/captions")
@api_login_required
def upload_caption(video_id: int):
    """Add (201) or replace (200) a language's track; multipart ``file`` or JSON
    ``content``, with ``language``, ``label``?, ``default``? (and JSON ``format``?)."""
    video = _managed_video(video_id)
    if video.duration is None:
        return error_response(409, "add captions once the recording has been processed")
    data, filename, fields = _upload_fields()
    caption, created, replaced = services.store_caption(
        video,
        g.user,
        fields["language"],
        fields["label"],
        data,
        filename,
        make_default=fields["default"],
    )
    db.session.commit()
    services.discard_objects([replaced])
    return jsonify(caption_json(caption)), 201 if created else 200


@bp.get("/videos/<int:video_id>/captions/<language>")
@api_login_required
def get_caption(video_id: int, language: str):
    """One track with its cues as plain text (``start``, ``end`` in seconds)."""
    video = video_or_404(video_id, g.user)
    caption = _track(video, language)
    body = caption_json(caption)
    body["cue_list"] = [
        {"start": cue.start, "end": cue.end, "text": cue.text} for cue in cues_of(caption.id)
    ]
    return jsonify(body)


@bp.patch("/videos/<int:video_id>/captions/<language>")
@api_login_required
def update_caption(video_id: int, language: str):
    """Change ``label`` and/or make the track the ``default`` (``true`` only)."""
    video = _managed_video(video_id)
    caption = _track(video, language)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not body:
        raise CaptionError('send a JSON object with "label" and/or "default": true')
    unknown = sorted(set(body) - {"label", "default"})
    if unknown:
        raise CaptionError(f"cannot change {', '.join(unknown)}; allowed: default, label")
    if "default" in body and body["default"] is not True:
        raise CaptionError("default can only be set to true (make another track the default)")
    if "label" in body:
        services.relabel(caption, body["label"])
    if body.get("default") is True:
        services.set_default(caption)
    db.session.commit()
    return jsonify(caption_json(caption))


@bp.delete("/videos/<int:video_id>/captions/<language>")
@api_login_required
def delete_caption(video_id: int, language: str):
    """Delete a track (204)."""
    video = _managed_video(video_id)
    key = services.delete_caption(_track(video, language))
    db.session.commit()
    services.discard_objects([key])
    return "", 204


@bp.get("/me/preferences")
@api_login_required
def get_preferences():
    """The caller's player preferences (null: not chosen)."""
    return jsonify(preferences_json(preferences_of(g.user)))


@bp.put("/me/preferences")
@api_login_required
def put_preferences():
    """Set some preferences: ``caption_language``, ``playback_rate``, ``volume``, ``muted``."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise PreferenceError("send a JSON object (Content-Type: application/json)")
    prefs = update_preferences(g.user, body)
    db.session.commit()
    return jsonify(preferences_json(prefs))
