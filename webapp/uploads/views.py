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
from flask_login import current_user

from webapp import jobs
from webapp.auth.loaders import uploader_required
from webapp.extensions import db
from webapp.media_limits import media_limits
from webapp.storage import get_storage
from webapp.uploads.errors import MediaToolsUnavailable, UploadRejected, UploadTooLarge
from webapp.uploads.queries import uploads_for
from webapp.uploads.rules import CONTAINERS, PREFERRED_PART_SIZE
from webapp.uploads.services import ingest, spool

bp = Blueprint("uploads", __name__)
log = logging.getLogger(__name__)

# Uppy's prebuilt bundle (core, Dashboard, AWS S3 multipart, Golden Retriever), served
# from the installed npm package like the player's hls.js.
UPPY_FILES = {
    "uppy.min.mjs": "uppy/dist/uppy.min.mjs",
    "uppy.min.css": "uppy/dist/uppy.min.css",
}


@bp.get("/upload")
@uploader_required
def index():
    """The upload widget, the plain form, and the state of this instructor's recordings."""
    return _page()


@bp.post("/upload")
@uploader_required
def create():
    """Accept one recording; 400 with the reason when it is not a usable video."""
    file = request.files.get("file")
    title = request.form.get("title", "")
    if file is None or not file.filename:
        return _rejected("Choose a video file to upload.")
    path = spool(file.stream)
    video = None
    try:
        video, job = ingest(path, title=title, owner=current_user, filename=file.filename)
        db.session.commit()
    except UploadRejected as exc:
        db.session.rollback()
        return _rejected(str(exc), 413 if isinstance(exc, UploadTooLarge) else 400)
    except MediaToolsUnavailable:
        db.session.rollback()
        log.exception("ffprobe is unavailable")
        return _rejected("Uploads are unavailable right now (media tools missing); try later.", 503)
    except Exception:
        db.session.rollback()
        if video is not None and video.source_key:
            get_storage().delete(video.source_key)
        raise
    finally:
        path.unlink(missing_ok=True)
    if jobs.dispatch(job.id):
        flash(f"“{video.title}” uploaded; it is being transcoded.", "success")
    else:
        flash(
            f"“{video.title}” is saved; transcoding starts when the worker queue is back.", "error"
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


def _page(status: int = 200):
    html = render_template(
        "uploads/index.html",
        videos=uploads_for(current_user),
        max_bytes=media_limits().max_bytes,
        part_size=PREFERRED_PART_SIZE,
        extensions=sorted(CONTAINERS),
    )
    return html, status


def _rejected(message: str, status: int = 400):
    flash(message, "error")
    return _page(status)
