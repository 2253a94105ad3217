"""Resumable direct uploads: S3 multipart uploads the browser fills part by part.

The server decides everything that matters before a byte moves (who, which key, what
type, how large, within which quota) and checks the result before it becomes a video:
the joined object must have the declared size and the ETag its parts imply, and must
pass the same ffprobe validation as a form upload. On S3 the parts go straight to the
store through presigned URLs; the local backend accepts them through the app instead.

Like every service here these functions only flush; the view commits.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import IO, Any, NoReturn, cast

from flask import current_app
from sqlalchemy import CursorResult, select, update

from transcoder.probe import MediaInfo
from webapp.extensions import db
from webapp.media_limits import media_limits
from webapp.models import TranscodeJob, UploadSession, UploadState, User, Video
from webapp.models.base import as_utc, utcnow
from webapp.storage import get_storage
from webapp.storage.base import (
    InvalidUpload,
    PartInfo,
    StorageError,
    UploadNotFound,
    check_part_number,
    multipart_etag,
)
from webapp.uploads.details import Details, check_details
from webapp.uploads.errors import UploadConflict, UploadRejected, UploadTooLarge
from webapp.uploads.rules import (
    CONTAINERS,
    MAX_PART_SIZE,
    check_parts,
    check_size,
    container_extension,
    human_bytes,
)
from webapp.uploads.services import (
    adopt_source,
    check_quota,
    inspect,
    record_video,
    replace_source,
    replaceable,
)

log = logging.getLogger(__name__)

# Every direct upload lives under this prefix (the S3 lifecycle rule names it too).
UPLOADS_PREFIX = "uploads"


class AlreadyCompleted(UploadConflict):
    """Another request completed this upload first; its video is the answer."""


@dataclass(frozen=True)
class Completion:
    """The video a completed upload became; ``job`` is None when it already existed."""

    video: Video
    job: TranscodeJob | None


def start(
    owner: User,
    *,
    filename: str,
    content_type: str,
    size: int,
    details: Details | None = None,
    title: str | None = None,
    replaces: Video | None = None,
) -> UploadSession:
    """Validate what the client declares and open a multipart upload in the store.

    ``details`` were checked (``check_details``); without them, ``title`` (default: the
    file name's stem) is. ``replaces`` is a READY video whose recording this file
    replaces (checked again here: owner or admin, nothing running).
    """
    if not owner.can_upload:
        raise PermissionError("Only instructors and admins may upload recordings.")
    if replaces is not None:
        replaceable(owner, replaces)
    ext = container_extension(filename, content_type)
    name = PurePosixPath(filename.replace("\\", "/")).name
    if details is None:
        details = check_details(title=title or PurePosixPath(name).stem)
    size = check_size(size, media_limits().max_bytes)
    check_quota(owner, size)
    kind = content_type.split(";")[0].strip().lower()
    if kind not in CONTAINERS[ext]:
        kind = sorted(CONTAINERS[ext])[0]
    key = f"{UPLOADS_PREFIX}/{owner.id}/{secrets.token_hex(12)}/source{ext}"
    upload_id = get_storage().create_multipart(key, content_type=kind)
    session = UploadSession(
        owner_id=owner.id,
        key=key,
        upload_id=upload_id,
        title=details.title,
        details=asdict(details),
        replaces_video_id=replaces.id if replaces is not None else None,
        filename=name,
        content_type=kind,
        size=size,
        state=UploadState.OPEN,
    )
    db.session.add(session)
    db.session.flush()
    return session


def part_url(session: UploadSession, part_number: int) -> str | None:
    """A presigned URL for one part, or None when the app takes the part itself."""
    _require_open(session)
    number = _part_number(part_number)
    ttl = current_app.config["UPLOAD_PART_URL_TTL_SECONDS"]
    url = get_storage().presign_part(session.key, session.upload_id, number, ttl)
    _touch(session)
    return url


def receive_part(
    session: UploadSession, part_number: int, body: IO[bytes], length: int | None
) -> str:
    """Store one part sent through the app (local backend); returns its ETag.

    Never more than the declared size in total: a part that would take the stored
    parts past it is refused before it is read.
    """
    _require_open(session)
    number = _part_number(part_number)
    storage = get_storage()
    if storage.presign_part(session.key, session.upload_id, number, 60) is not None:
        raise UploadConflict("Send the parts straight to the store, at the part URL.")
    if length is None:
        raise UploadRejected("Send the part with a Content-Length header.")
    others = sum(p.size for p in _stored_parts(session) if p.number != number)
    if length > MAX_PART_SIZE or others + length > session.size:
        raise UploadTooLarge(
            f"Part {number} ({human_bytes(length)}) would take the upload past the "
            f"{human_bytes(session.size)} declared."
        )
    etag = storage.upload_part(session.key, session.upload_id, number, body)
    _touch(session)
    return etag


def stored_parts(session: UploadSession) -> list[PartInfo]:
    """The parts the store holds so far, for a client resuming after a reload."""
    _require_open(session)
    return _stored_parts(session)


def complete(session: UploadSession, parts: list[tuple[int, str]]) -> Completion:
    """Join the parts, verify the object, probe it, and make it a video with a job.

    ``parts`` are ``(PartNumber, ETag)`` pairs. Completing a completed upload answers
    with the same video. A missing or mismatched part leaves the upload open (send it,
    then complete again); an object that fails verification or probing is deleted and
    the upload REJECTED. ``session`` must have
    been loaded with a row lock (``upload_or_404(..., lock=True)``).
    """
    if session.state == UploadState.COMPLETED and session.result is not None:
        return Completion(session.result, None)
    _require_open(session)
    parts = check_parts(parts)
    storage = get_storage()
    try:
        storage.complete_multipart(session.key, session.upload_id, parts)
    except InvalidUpload:
        raise UploadRejected(_incomplete(session, parts)) from None
    except UploadNotFound:
        # Joined already, by an earlier attempt that failed later: verify that object.
        if not storage.exists(session.key):
            raise UploadConflict("The store no longer has this upload; start it again.") from None
    _verify(session, [etag for _, etag in parts])
    path = _download(session.key)
    try:
        info = _probe(session, path)
    finally:
        path.unlink(missing_ok=True)
    if session.replaces is not None:
        try:
            video = replaceable(session.owner, session.replaces)
        except UploadConflict as exc:
            _reject(session, str(exc))
        job = replace_source(video, session.key, size=session.size, filename=session.filename)
    else:
        details = Details(**(session.details or {"title": session.title}))
        video = record_video(info, details=details, owner=session.owner, filename=session.filename)
        job = adopt_source(video, session.key)
    _mark_completed(session, video)
    return Completion(video, job)


def abort(session: UploadSession) -> None:
    """Drop the upload and its parts; aborting twice is fine, a completed one is not."""
    if session.state == UploadState.COMPLETED:
        raise UploadConflict("This upload is complete; delete the video instead.")
    if session.state != UploadState.OPEN:
        return
    _discard(session)
    session.transition(UploadState.ABORTED)
    session.error = "Cancelled."
    db.session.flush()


def clean_abandoned(idle_for: timedelta, now: datetime | None = None) -> dict[str, list]:
    """Abort uploads idle for ``idle_for``, and multipart uploads nobody knows about.

    The store's own uploads under ``uploads/`` that no open session names (a crash
    between opening one and committing its row, or a session already closed) are
    aborted once they are as old as an abandoned upload.
    """
    cutoff = (now or utcnow()) - idle_for
    open_sessions = db.session.scalars(
        select(UploadSession).where(UploadSession.state == UploadState.OPEN)
    ).all()
    aborted = []
    for session in open_sessions:
        if as_utc(session.updated_at) >= cutoff:
            continue
        try:
            _discard(session)
        except StorageError:
            log.exception("could not abort abandoned upload %s", session.id)
            continue
        session.transition(UploadState.ABORTED)
        hours = round(idle_for.total_seconds() / 3600, 1)
        session.error = f"Abandoned: no activity for {hours:g} hours."
        aborted.append(session.id)
    db.session.flush()
    live = set(
        db.session.scalars(
            select(UploadSession.upload_id).where(UploadSession.state == UploadState.OPEN)
        )
    )
    orphans = []
    for upload in get_storage().list_multipart_uploads(UPLOADS_PREFIX):
        if upload.upload_id in live or upload.initiated >= cutoff:
            continue
        try:
            get_storage().abort_multipart(upload.key, upload.upload_id)
        except StorageError:
            log.exception("could not abort orphan upload %s", upload.key)
            continue
        orphans.append(upload.key)
    return {"sessions": aborted, "orphans": orphans}


def _require_open(session: UploadSession) -> None:
    if session.state == UploadState.OPEN:
        return
    if session.state == UploadState.COMPLETED:
        raise UploadConflict("This upload is already complete.")
    raise UploadConflict(session.error or f"This upload was {session.state}; start it again.")


def _part_number(part_number: int) -> int:
    try:
        return check_part_number(part_number)
    except ValueError:
        raise UploadRejected("Part numbers run from 1 to 10000.") from None


def _touch(session: UploadSession) -> None:
    session.updated_at = utcnow()
    db.session.flush()


def _stored_parts(session: UploadSession) -> list[PartInfo]:
    try:
        return get_storage().list_parts(session.key, session.upload_id)
    except UploadNotFound:
        if get_storage().exists(session.key):
            # A completion joined the parts (it is running now, or failed after joining
            # and verifies the object when asked again): the upload is not lost.
            raise UploadConflict(
                "This upload's parts have been joined; it is being completed."
            ) from None
        session.transition(UploadState.ABORTED)
        session.error = "The store no longer has this upload (it expired); start it again."
        db.session.flush()
        raise UploadConflict(session.error) from None


def _incomplete(session: UploadSession, parts: list[tuple[int, str]]) -> str:
    """Which of the listed parts the store does not hold as sent, in words."""
    stored = {p.number: p.etag.strip('"') for p in _stored_parts(session)}
    wrong = [str(n) for n, etag in parts if stored.get(n) != etag.strip('"')]
    if not wrong:
        return (
            "The store refused to join the parts (each but the last must be at least "
            "5 MB); upload the file again."
        )
    which = f"Part {wrong[0]} is" if len(wrong) == 1 else f"Parts {', '.join(wrong)} are"
    return f"The upload is not complete: {which} missing or not as sent; send, then complete again."


def _verify(session: UploadSession, etags: list[str]) -> None:
    stat = get_storage().stat(session.key)
    if stat.size != session.size:
        _reject(
            session,
            f"The uploaded file has {human_bytes(stat.size)}, not the "
            f"{human_bytes(session.size)} announced; upload it again.",
        )
    if stat.etag != multipart_etag(etags):
        _reject(session, "The stored file does not match the parts sent; upload it again.")


def _download(key: str) -> Path:
    tmp_dir = Path(current_app.config["UPLOAD_TMP_DIR"])
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-", suffix=PurePosixPath(key).suffix)
    os.close(fd)
    path = Path(name)
    try:
        get_storage().download(key, path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _probe(session: UploadSession, path: Path) -> MediaInfo:
    try:
        return inspect(path)
    except UploadRejected as exc:
        _reject(session, str(exc))


def _reject(session: UploadSession, message: str) -> NoReturn:
    """Delete the object, mark the upload REJECTED (flushed: the view commits it), raise."""
    get_storage().delete(session.key)
    session.transition(UploadState.REJECTED)
    session.error = message
    db.session.flush()
    raise UploadRejected(message)


def _discard(session: UploadSession) -> None:
    storage = get_storage()
    storage.abort_multipart(session.key, session.upload_id)
    storage.delete(session.key)


def _mark_completed(session: UploadSession, video: Video) -> None:
    """OPEN → COMPLETED only if still OPEN: a concurrent completion cannot make two videos.

    A replacement names its video in ``replaces_video_id`` (``video_id`` is unique: it
    stays with the upload the video came from)."""
    video_id = None if session.replaces_video_id is not None else video.id
    result = db.session.execute(
        update(UploadSession)
        .where(UploadSession.id == session.id, UploadSession.state == UploadState.OPEN)
        .values(state=UploadState.COMPLETED, video_id=video_id, error=None)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], result).rowcount != 1:
        raise AlreadyCompleted("This upload was completed by another request.")
    db.session.refresh(session)
