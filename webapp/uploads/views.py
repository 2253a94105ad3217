"""The instructor upload page: resumable direct uploads (Uppy), and the plain form."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from webapp import jobs
from webapp.access import replace_target_or_abort
from webapp.auth.loaders import uploader_required
from webapp.extensions import db
from webapp.media_limits import media_limits
from webapp.models import Video
from webapp.storage import get_storage
from webapp.uploads.details import DetailsRejected, check_details
from webapp.uploads.errors import MediaToolsUnavailable, UploadRejected, UploadTooLarge
from webapp.uploads.forms import UploadForm, level_choices, topic_choices
from webapp.uploads.i18n import upload_strings
from webapp.uploads.queries import uploads_for
from webapp.uploads.rules import CONTAINERS, PREFERRED_PART_SIZE
from webapp.uploads.services import ingest, ingest_replacement, spool

bp = Blueprint("uploads", __name__)
log = logging.getLogger(__name__)

# Uppy's prebuilt bundle (core, Dashboard, AWS S3 multipart, Golden Retriever), served
# from the installed npm package like the player's hls.js.
UPPY_FILES = {
    "uppy.min.mjs": "uppy/dist/uppy.min.mjs",
    "uppy.min.css": "uppy/dist/uppy.min.css",
    "uppy-locale-de.mjs": "@uppy/locales/lib/de_DE.js",
}
# Uppy's own texts (its Dashboard) per language other than English: a file of UPPY_FILES.
UPPY_LOCALES = {"de": "uppy-locale-de.mjs"}


@bp.get("/upload")
@uploader_required
def index():
    """The upload widget, the plain form, and the state of this instructor's recordings.

    ``?replace=<video_id>``: the page uploads a new recording for that video instead.
    """
    return _page(UploadForm(), _replace_target())


@bp.post("/upload")
@uploader_required
def create():
    """Accept one recording with its details (or a video's new recording); 400 with the
    reasons beside the fields when something is not acceptable."""
    form = UploadForm()
    video = _replace_target()
    if not form.validate_on_submit():
        return _page(form, video, 400)
    details = None
    if video is None:
        try:
            details = check_details(
                title=form.title.data,
                description=form.description.data,
                topic=form.topic.data,
                level=form.level.data,
                tags=form.tags.data,
                listed=form.listed.data != "no",
            )
        except DetailsRejected as exc:
            for name, message in exc.errors.items():
                form[name].errors = [*form[name].errors, message]
            return _page(form, video, 400)
    file = request.files.get("file")
    if file is None or not file.filename:
        form.file.errors = [_("Choose a video file to upload.")]
        return _page(form, video, 400)
    path = spool(file.stream)
    stored: Video | None = None
    try:
        if video is None:
            stored, job = ingest(path, owner=current_user, filename=file.filename, details=details)
        else:
            job = ingest_replacement(path, video=video, user=current_user, filename=file.filename)
            stored = video
        db.session.commit()
    except UploadRejected as exc:
        db.session.rollback()
        form.file.errors = [str(exc)]
        return _page(form, video, 413 if isinstance(exc, UploadTooLarge) else 400)
    except MediaToolsUnavailable:
        db.session.rollback()
        log.exception("ffprobe is unavailable")
        form.file.errors = [
            _("Uploads are unavailable right now (media tools missing); try later.")
        ]
        return _page(form, video, 503)
    except Exception:
        db.session.rollback()
        if video is None and stored is not None and stored.source_key:
            get_storage().delete(stored.source_key)
        raise
    finally:
        path.unlink(missing_ok=True)
    if jobs.dispatch(job.id):
        if video:
            message = _(
                "“%(title)s” uploaded; its new recording is being transcoded.", title=stored.title
            )
        else:
            message = _("“%(title)s” uploaded; it is being transcoded.", title=stored.title)
        flash(message, "success")
    else:
        flash(
            _(
                "“%(title)s” is saved; transcoding starts when the worker queue is back.",
                title=stored.title,
            ),
            "error",
        )
    return redirect(url_for("uploads.index"), code=303)


@bp.get("/upload/vendor/<name>")
@uploader_required
def vendor(name: str):
    """A file of the Uppy bundle from ``node_modules``."""
    rel = UPPY_FILES.get(name)
    if rel is None:
        abort(404)
    path = Path(current_app.config["NODE_MODULES"]) / rel
    if not path.is_file():
        abort(404, f"{name} is not installed (run `npm ci`).")
    # Module scripts need a JavaScript type, which not every system's MIME table gives .mjs.
    mimetype = "text/javascript" if path.suffix == ".mjs" else None
    return send_file(path, max_age=3600, mimetype=mimetype)


def _replace_target() -> Video | None:
    """The video named by ``?replace=`` (404 unseen, 403 not theirs), else None."""
    raw = request.args.get("replace", "")
    if not raw:
        return None
    if not raw.isdigit():
        abort(404, _("No such video."))
    return replace_target_or_abort(int(raw), current_user)


def _uppy_locale() -> str:
    """The URL of Uppy's translation for the request's language ("" for English)."""
    name = UPPY_LOCALES.get(str(get_locale()))
    return url_for("uploads.vendor", name=name) if name else ""


def _page(form: UploadForm, replacing: Video | None, status: int = 200):
    latest = jobs.latest_job(replacing.id) if replacing is not None else None
    html = render_template(
        "uploads/index.html",
        form=form,
        topic_options=[[c.value, c.label] for c in topic_choices()],
        level_options=[[c.value, c.label] for c in level_choices()],
        replacing=replacing,
        replacing_job=latest,
        videos=uploads_for(current_user),
        max_bytes=media_limits().max_bytes,
        part_size=PREFERRED_PART_SIZE,
        extensions=sorted(CONTAINERS),
        upload_i18n=upload_strings(),
        uppy_locale=_uppy_locale(),
    )
    return html, status
