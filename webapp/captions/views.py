"""Caption pages: the instructor's caption manager (upload, relabel, default, delete) and
the WebVTT files themselves, served through the app to viewers who may watch the video."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from webapp.access import can_manage, video_or_404
from webapp.captions import services
from webapp.captions.errors import CaptionError, CaptionTooLarge
from webapp.captions.languages import KNOWN_LABELS, is_tag
from webapp.captions.parsing import DURATION_TOLERANCE, MAX_BYTES, MAX_CUES
from webapp.captions.queries import caption_of, captions_of
from webapp.captions.search import CAPTION_SEARCH
from webapp.catalogue.search import register_caption_source
from webapp.extensions import db
from webapp.models import Caption, Video
from webapp.playback.viewer import media_viewer, viewable_video
from webapp.storage import ObjectNotFound, get_storage

bp = Blueprint("captions", __name__)
# Cue text joins the catalogue search of the app this blueprint is registered on (only).
bp.record_once(lambda state: register_caption_source(state.app, CAPTION_SEARCH))

# Room for the multipart envelope and the other form fields around the file.
FORM_OVERHEAD = 64 * 1024


def _managed_video(video_id: int) -> Video:
    video = video_or_404(video_id, current_user)
    if not can_manage(current_user, video):
        abort(403, _("Only the recording's instructor or an admin may manage its captions."))
    return video


def _track(video: Video, language: str) -> Caption:
    caption = caption_of(video.id, language) if is_tag(language) else None
    if caption is None:
        abort(404, _("This video has no captions in that language."))
    return caption


def read_upload_file() -> tuple[bytes, str | None]:
    """The ``file`` field of a multipart request, at most MAX_BYTES (else CaptionTooLarge).

    A body declared larger is refused by its Content-Length; one without a length stops
    being read at the limit (413). (Session requests have had their form parsed by the
    CSRF check already, under the limit ``webapp/request_limits.py`` set.)"""
    if (request.content_length or 0) > MAX_BYTES + FORM_OVERHEAD:
        raise CaptionTooLarge(f"the file is over the {MAX_BYTES // (1024 * 1024)} MB limit")
    request.max_content_length = MAX_BYTES + FORM_OVERHEAD
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise CaptionError(_("choose a caption file (.vtt or .srt)"))
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise CaptionTooLarge(f"the file is over the {MAX_BYTES // (1024 * 1024)} MB limit")
    return data, upload.filename


def _render(video: Video, error: str | None = None, status: int = 200):
    return (
        render_template(
            "captions/manage.html",
            video=video,
            captions=captions_of(video.id),
            error=error,
            known_languages=KNOWN_LABELS,
            max_mb=MAX_BYTES // (1024 * 1024),
            max_cues=MAX_CUES,
            tolerance=DURATION_TOLERANCE,
        ),
        status,
    )


@bp.get("/videos/<int:video_id>/captions")
@login_required
def manage(video_id: int):
    """The caption manager of a video (its instructor or an admin)."""
    return _render(_managed_video(video_id))


@bp.post("/videos/<int:video_id>/captions")
@login_required
def upload(video_id: int):
    """Add or replace one language's track from the manager's form."""
    video = _managed_video(video_id)
    try:
        data, filename = read_upload_file()
        caption, created, replaced = services.store_caption(
            video,
            current_user,
            request.form.get("language"),
            request.form.get("label"),
            data,
            filename,
            make_default=request.form.get("default") == "1",
        )
    except CaptionError as exc:
        db.session.rollback()
        return _render(video, str(exc), 413 if isinstance(exc, CaptionTooLarge) else 400)
    db.session.commit()
    services.discard_objects([replaced])
    if created:
        message = ngettext(
            "Added %(label)s captions (%(num)d cue).",
            "Added %(label)s captions (%(num)d cues).",
            caption.cue_count,
            label=caption.label,
        )
    else:
        message = ngettext(
            "Replaced %(label)s captions (%(num)d cue).",
            "Replaced %(label)s captions (%(num)d cues).",
            caption.cue_count,
            label=caption.label,
        )
    flash(message, "success")
    return redirect(url_for("captions.manage", video_id=video.id))


@bp.post("/videos/<int:video_id>/captions/<language>/default")
@login_required
def make_default(video_id: int, language: str):
    """Make one track the video's default."""
    video = _managed_video(video_id)
    caption = services.set_default(_track(video, language))
    db.session.commit()
    flash(_("%(label)s is now the default captions.", label=caption.label), "success")
    return redirect(url_for("captions.manage", video_id=video.id))


@bp.post("/videos/<int:video_id>/captions/<language>/delete")
@login_required
def remove(video_id: int, language: str):
    """Delete one track."""
    video = _managed_video(video_id)
    caption = _track(video, language)
    label = caption.label
    key = services.delete_caption(caption)
    db.session.commit()
    services.discard_objects([key])
    flash(_("Deleted the %(label)s captions.", label=label), "success")
    return redirect(url_for("captions.manage", video_id=video.id))


@bp.get("/videos/<int:video_id>/captions/<language>.vtt")
def vtt(video_id: int, language: str):
    """A track for a viewer who may watch the video (session or bearer token; 401/403
    otherwise, as for the playlists). Revalidated on every use, so a replaced track
    shows at once."""
    video = viewable_video(video_id, media_viewer())
    caption = _track(video, language)
    try:
        body = get_storage().get_bytes(caption.storage_key)
    except ObjectNotFound:
        abort(404)
    response = Response(body, mimetype="text/vtt")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    response.set_etag(f"{caption.id}-{caption.version}")
    return response.make_conditional(request)
