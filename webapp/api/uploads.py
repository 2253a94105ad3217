"""Direct uploads: the S3 multipart protocol Uppy's AWS S3 plugin speaks, one route per call.

create → (part URL → PUT part)* → complete, with list-parts to resume and abort to give
up. On S3 the part URLs are presigned and the bytes never pass through the app; on the
local backend the part URL is this API's own PUT route.
"""

from __future__ import annotations

import logging

from flask import abort, g, jsonify, request, url_for

from webapp import jobs
from webapp.api.auth import api_login_required
from webapp.api.blueprint import bp
from webapp.api.serializers import video_json
from webapp.errors import error_response
from webapp.extensions import db
from webapp.models import UploadSession, User
from webapp.uploads import multipart
from webapp.uploads.errors import (
    MediaToolsUnavailable,
    UploadConflict,
    UploadRejected,
    UploadTooLarge,
)
from webapp.uploads.queries import upload_or_404
from webapp.uploads.rules import part_size

log = logging.getLogger(__name__)


def upload_json(session: UploadSession) -> dict:
    """An upload session; ``uploadId`` and ``key`` are what Uppy keeps to resume it."""
    return {
        "id": session.id,
        "uploadId": str(session.id),
        "key": session.key,
        "state": session.state,
        "title": session.title,
        "filename": session.filename,
        "size": session.size,
        "partSize": part_size(session.size),
        "error": session.error,
        "video_id": session.video_id,
    }


def _uploader() -> User:
    if not g.user.can_upload:
        abort(403, "Only instructors and admins may upload recordings.")
    return g.user


def _refused(exc: UploadRejected):
    if isinstance(exc, UploadTooLarge):
        return error_response(413, str(exc))
    if isinstance(exc, UploadConflict):
        return error_response(409, str(exc))
    return error_response(400, str(exc))


@bp.post("/uploads")
@api_login_required
def create_upload():
    """Open an upload: ``{"filename", "type", "size", "title"?}`` → its ids and part size."""
    user = _uploader()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error_response(400, 'send JSON {"filename": ..., "type": ..., "size": ...}')
    meta = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
    title = body.get("title") or meta.get("title")
    try:
        session = multipart.start(
            user,
            filename=str(body.get("filename") or ""),
            content_type=str(body.get("type") or ""),
            size=body.get("size"),
            title=str(title) if title else None,
        )
    except UploadRejected as exc:
        db.session.rollback()
        return _refused(exc)
    db.session.commit()
    return jsonify(upload_json(session)), 201


@bp.get("/uploads/<int:upload_id>")
@api_login_required
def get_upload(upload_id: int):
    """The state of one of the caller's uploads."""
    return jsonify(upload_json(upload_or_404(upload_id, _uploader())))


@bp.get("/uploads/<int:upload_id>/parts")
@api_login_required
def list_upload_parts(upload_id: int):
    """The parts stored so far: ``[{"PartNumber", "Size", "ETag"}]`` (to resume)."""
    session = upload_or_404(upload_id, _uploader())
    try:
        parts = multipart.stored_parts(session)
    except UploadRejected as exc:
        db.session.commit()  # keeps the mark of an upload the store has dropped
        return _refused(exc)
    return jsonify([{"PartNumber": p.number, "Size": p.size, "ETag": p.etag} for p in parts])


@bp.post("/uploads/<int:upload_id>/parts/<int:part_number>/url")
@api_login_required
def sign_upload_part(upload_id: int, part_number: int):
    """Where to PUT part ``part_number``: a presigned store URL, or this API's own."""
    session = upload_or_404(upload_id, _uploader())
    try:
        url = multipart.part_url(session, part_number)
    except UploadRejected as exc:
        db.session.rollback()
        return _refused(exc)
    db.session.commit()
    if url is None:
        url = url_for("api.put_upload_part", upload_id=session.id, part_number=part_number)
    return jsonify(method="PUT", url=url, headers={}, direct=not url.startswith("/"))


@bp.put("/uploads/<int:upload_id>/parts/<int:part_number>")
@api_login_required
def put_upload_part(upload_id: int, part_number: int):
    """The bytes of one part (local backend only); answers with its ``ETag`` header."""
    session = upload_or_404(upload_id, _uploader())
    try:
        etag = multipart.receive_part(session, part_number, request.stream, request.content_length)
    except UploadRejected as exc:
        db.session.commit()  # keeps the mark of an upload the store has dropped
        return _refused(exc)
    db.session.commit()
    response = jsonify(PartNumber=part_number, ETag=etag)
    response.headers["ETag"] = etag
    return response


@bp.post("/uploads/<int:upload_id>/complete")
@api_login_required
def complete_upload(upload_id: int):
    """Join and verify the parts ``{"parts": [{"PartNumber", "ETag"}]}``; the video.

    201 with the new video and its queued transcode; 200 with the same video when the
    upload was already complete.
    """
    user = _uploader()
    session = upload_or_404(upload_id, user, lock=True)
    body = request.get_json(silent=True)
    parts = body.get("parts") if isinstance(body, dict) else None
    try:
        result = multipart.complete(session, parts)
    except multipart.AlreadyCompleted as exc:
        db.session.rollback()
        session = upload_or_404(upload_id, user)
        if session.video is None:  # not completed by the other request: ended otherwise
            return error_response(409, session.error or str(exc))
        result = multipart.Completion(session.video, None)
    except UploadRejected as exc:
        db.session.commit()  # a REJECTED upload stays marked, with its reason
        return _refused(exc)
    except MediaToolsUnavailable:
        db.session.rollback()
        log.exception("ffprobe is unavailable")
        return error_response(503, "Uploads cannot be checked right now (media tools missing).")
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    # The answer shows the state as completed, before a worker can pick the job up.
    body = {
        "upload": upload_json(session),
        "video": video_json(result.video, jobs.latest_job(result.video.id), with_job=True),
        "location": url_for("playback.watch", video_id=result.video.id),
    }
    if result.job is None:
        return jsonify(body), 200
    jobs.dispatch(result.job.id)  # if the queue is down, the sweeper sends it later
    return jsonify(body), 201


@bp.delete("/uploads/<int:upload_id>")
@api_login_required
def abort_upload(upload_id: int):
    """Give up: the store drops the parts. Aborting twice is fine; a completed one, 409."""
    session = upload_or_404(upload_id, _uploader())
    try:
        multipart.abort(session)
    except UploadRejected as exc:
        db.session.rollback()
        return _refused(exc)
    db.session.commit()
    return "", 204
