"""Direct uploads: the S3 multipart protocol Uppy's AWS S3 plugin speaks, one route per call.

create → (part URL → PUT part)* → complete, with list-parts to resume and abort to give
up. On S3 the part URLs are presigned and the bytes never pass through the app; on the
local backend the part URL is this API's own PUT route.
"""

from __future__ import annotations

import logging
from pathlib import PurePosixPath

from flask import Response, g, jsonify, request, url_for
from pydantic import ConfigDict, Field, RootModel

from webapp import jobs
from webapp.access import replace_target_or_abort
from webapp.api.blueprint import bp
from webapp.api.contract import Input, Output, operation
from webapp.extensions import db
from webapp.models import UploadSession, User
from webapp.playback.schemas import VideoOut
from webapp.problems import ApiError, FieldError
from webapp.storage.base import MAX_PART_NUMBER
from webapp.uploads import multipart
from webapp.uploads.details import Details, DetailsRejected, check_details
from webapp.uploads.errors import (
    MediaToolsUnavailable,
    UploadConflict,
    UploadRejected,
    UploadTooLarge,
)
from webapp.uploads.queries import upload_or_404
from webapp.uploads.rules import MAX_ETAG, container_extension, part_size

log = logging.getLogger(__name__)

UPLOAD = "/uploads/<int:upload_id>"
PART = UPLOAD + "/parts/<int:part_number>"


class UploadMetadata(Input):
    """Uppy's file metadata: only ``title`` is read, anything else is ignored."""

    model_config = ConfigDict(extra="ignore")

    title: str | None = None


class NewUpload(Input):
    """What the browser declares before a byte moves (name, type and size are checked)."""

    filename: str = Field(description="The file's name; its extension picks the container.")
    content_type: str = Field(default="", alias="type", description="The browser's MIME type.")
    size: int = Field(gt=0, description="The file's size in bytes.")
    title: str | None = Field(default=None, description="Default: the file name's stem.")
    metadata: UploadMetadata | None = Field(
        default=None, description="Uppy's metadata; its title is used when there is no title."
    )
    description: str | None = Field(default=None, description="Plain text.")
    topic: str | None = Field(default=None, description="A topic's name or slug.")
    level: str | None = Field(default=None, description="A catalogue level.")
    tags: list[str] | str | None = Field(
        default=None, description="A list, or one comma-separated string."
    )
    listed: bool | None = Field(default=None, description="Listed in the library.")
    replaces_video_id: int | None = Field(
        default=None,
        description="A READY video of the caller's (or any, for an admin) whose recording "
        "this file replaces; it keeps playing its current ladder until the new one is out.",
    )


class PartIn(Input):
    """One uploaded part, as the store acknowledged it."""

    number: int = Field(alias="PartNumber", ge=1, le=MAX_PART_NUMBER)
    etag: str = Field(alias="ETag", min_length=1, max_length=MAX_ETAG)


class PartsToJoin(Input):
    """The parts to join, each once."""

    parts: list[PartIn] = Field(min_length=1)


class UploadOut(Output):
    """An upload session; ``uploadId`` and ``key`` are what Uppy keeps to resume it."""

    id: int
    upload_id: str = Field(alias="uploadId")
    key: str
    state: str
    title: str
    filename: str
    size: int
    part_size: int = Field(alias="partSize")
    error: str | None
    video_id: int | None
    replaces_video_id: int | None

    @classmethod
    def of(cls, session: UploadSession) -> UploadOut:
        """The shape of ``session``."""
        return cls(
            id=session.id,
            upload_id=str(session.id),
            key=session.key,
            state=session.state,
            title=session.title,
            filename=session.filename,
            size=session.size,
            part_size=part_size(session.size),
            error=session.error,
            video_id=session.video_id,
            replaces_video_id=session.replaces_video_id,
        )


class StoredPart(Output):
    """A part the store holds."""

    number: int = Field(alias="PartNumber")
    size: int = Field(alias="Size")
    etag: str = Field(alias="ETag")


class StoredParts(RootModel[list[StoredPart]]):
    """The parts stored so far, by number."""


class PartTarget(Output):
    """Where to send a part: a presigned store URL (``direct``) or this API's own route."""

    method: str
    url: str
    headers: dict[str, str]
    direct: bool


class PartReceived(Output):
    """A part the app stored (its ETag is also the ``ETag`` header)."""

    number: int = Field(alias="PartNumber")
    etag: str = Field(alias="ETag")


class Completed(Output):
    """The completed upload, the video it became, and its watch page."""

    upload: UploadOut
    video: VideoOut
    location: str


def _uploader() -> User:
    if not g.user.can_upload:
        raise ApiError(403, "Only instructors and admins may upload recordings.")
    user: User = g.user
    return user


def refused(exc: UploadRejected) -> ApiError:
    """The problem that answers a refused upload: 413 too large, 409 conflict, else 400."""
    if isinstance(exc, UploadTooLarge):
        return ApiError(413, str(exc))
    if isinstance(exc, UploadConflict):
        return ApiError(409, str(exc))
    return ApiError(400, str(exc))


def _details(body: NewUpload) -> Details:
    """The details of ``body``, checked like the catalogue checks them (400 per field)."""
    title = body.title
    if title is None and body.metadata is not None:
        title = body.metadata.title
    if title is None:
        title = PurePosixPath(body.filename.replace("\\", "/")).stem
    try:
        return check_details(
            title=title,
            description=body.description,
            topic=body.topic,
            level=body.level,
            tags=body.tags,
            listed=body.listed,
        )
    except DetailsRejected as exc:
        errors = [FieldError(name, message) for name, message in exc.errors.items()]
        raise ApiError(400, str(exc), errors=errors) from None


@operation(
    bp,
    "POST",
    "/uploads",
    body=NewUpload,
    responses={201: UploadOut},
    errors=(403, 404, 409, 413),
)
def create_upload(body: NewUpload) -> UploadOut:
    """Open an upload: ``{"filename", "type", "size", "title"?, details?}`` → its ids and
    part size. The details are checked before anything is stored; with
    ``replaces_video_id`` the file becomes that video's new recording."""
    user = _uploader()
    try:  # the file's own name and type first: the default title comes from its name
        container_extension(body.filename, body.content_type)
    except UploadRejected as exc:
        raise refused(exc) from None
    details = _details(body)
    replaces = None
    if body.replaces_video_id is not None:
        replaces = replace_target_or_abort(body.replaces_video_id, user)
    try:
        session = multipart.start(
            user,
            filename=body.filename,
            content_type=body.content_type,
            size=body.size,
            details=details,
            replaces=replaces,
        )
    except UploadRejected as exc:
        db.session.rollback()
        raise refused(exc) from None
    db.session.commit()
    return UploadOut.of(session)


@operation(bp, "GET", UPLOAD, responses={200: UploadOut}, errors=(403, 404))
def get_upload(upload_id: int) -> UploadOut:
    """The state of one of the caller's uploads."""
    return UploadOut.of(upload_or_404(upload_id, _uploader()))


@operation(bp, "GET", UPLOAD + "/parts", responses={200: StoredParts}, errors=(403, 404, 409))
def list_upload_parts(upload_id: int) -> StoredParts:
    """The parts stored so far: ``[{"PartNumber", "Size", "ETag"}]`` (to resume)."""
    session = upload_or_404(upload_id, _uploader())
    try:
        parts = multipart.stored_parts(session)
    except UploadRejected as exc:
        db.session.commit()  # keeps the mark of an upload the store has dropped
        raise refused(exc) from None
    return StoredParts([StoredPart(number=p.number, size=p.size, etag=p.etag) for p in parts])


@operation(bp, "POST", PART + "/url", responses={200: PartTarget}, errors=(403, 404, 409))
def sign_upload_part(upload_id: int, part_number: int) -> PartTarget:
    """Where to PUT part ``part_number``: a presigned store URL, or this API's own."""
    session = upload_or_404(upload_id, _uploader())
    try:
        url = multipart.part_url(session, part_number)
    except UploadRejected as exc:
        db.session.rollback()
        raise refused(exc) from None
    db.session.commit()
    if url is None:
        url = url_for("api.put_upload_part", upload_id=session.id, part_number=part_number)
    return PartTarget(method="PUT", url=url, headers={}, direct=not url.startswith("/"))


@operation(bp, "PUT", PART, responses={200: PartReceived}, errors=(403, 404, 409, 413))
def put_upload_part(upload_id: int, part_number: int) -> Response:
    """The bytes of one part (local backend only); answers with its ``ETag`` header."""
    session = upload_or_404(upload_id, _uploader())
    try:
        etag = multipart.receive_part(session, part_number, request.stream, request.content_length)
    except UploadRejected as exc:
        db.session.commit()  # keeps the mark of an upload the store has dropped
        raise refused(exc) from None
    db.session.commit()
    response = jsonify(PartReceived(number=part_number, etag=etag).model_dump(by_alias=True))
    response.headers["ETag"] = etag
    return response


@operation(
    bp,
    "POST",
    UPLOAD + "/complete",
    body=PartsToJoin,
    responses={200: Completed, 201: Completed},
    errors=(403, 404, 409, 413, 503),
)
def complete_upload(upload_id: int, body: PartsToJoin) -> tuple[Completed, int]:
    """Join and verify the parts ``{"parts": [{"PartNumber", "ETag"}]}``; the video.

    201 with the new video and its queued transcode; 200 with the same video when the
    upload was already complete.
    """
    user = _uploader()
    session = upload_or_404(upload_id, user, lock=True)
    parts = [(part.number, part.etag) for part in body.parts]
    try:
        result = multipart.complete(session, parts)
    except multipart.AlreadyCompleted as exc:
        db.session.rollback()
        session = upload_or_404(upload_id, user)
        if session.result is None:  # not completed by the other request: ended otherwise
            raise ApiError(409, session.error or str(exc)) from None
        result = multipart.Completion(session.result, None)
    except UploadRejected as exc:
        db.session.commit()  # a REJECTED upload stays marked, with its reason
        raise refused(exc) from None
    except MediaToolsUnavailable:
        db.session.rollback()
        log.exception("ffprobe is unavailable")
        raise ApiError(503, "Uploads cannot be checked right now (media tools missing).") from None
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    # The answer shows the state as completed, before a worker can pick the job up.
    answer = Completed(
        upload=UploadOut.of(session),
        video=VideoOut.of(result.video, jobs.latest_job(result.video.id), with_job=True),
        location=url_for("playback.watch", video_id=result.video.id),
    )
    if result.job is None:
        return answer, 200
    jobs.dispatch(result.job.id)  # if the queue is down, the sweeper sends it later
    return answer, 201


@operation(bp, "DELETE", UPLOAD, responses={204: None}, errors=(403, 404, 409))
def abort_upload(upload_id: int) -> None:
    """Give up: the store drops the parts. Aborting twice is fine; a completed one, 409."""
    session = upload_or_404(upload_id, _uploader())
    try:
        multipart.abort(session)
    except UploadRejected as exc:
        db.session.rollback()
        raise refused(exc) from None
    db.session.commit()
