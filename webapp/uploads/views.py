"""The instructor upload page."""

from __future__ import annotations

import logging

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from webapp import jobs
from webapp.auth.loaders import uploader_required
from webapp.extensions import db
from webapp.storage import get_storage
from webapp.uploads.queries import uploads_for
from webapp.uploads.services import MediaToolsUnavailable, UploadRejected, ingest, spool

bp = Blueprint("uploads", __name__)
log = logging.getLogger(__name__)


@bp.get("/upload")
@uploader_required
def index():
    """The upload form and the state of this instructor's recordings."""
    return render_template("uploads/index.html", videos=uploads_for(current_user))


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
        return _rejected(str(exc))
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


def _rejected(message: str, status: int = 400):
    flash(message, "error")
    return render_template("uploads/index.html", videos=uploads_for(current_user)), status
