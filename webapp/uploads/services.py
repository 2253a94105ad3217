"""Ingest a recording: probe it, store the source, create the video and its job."""

from __future__ import annotations

import logging
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import IO

from flask import current_app
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from transcoder.errors import InvalidMedia, TranscodeError
from transcoder.probe import MediaInfo, probe
from webapp import jobs
from webapp.access import can_replace_source
from webapp.extensions import db
from webapp.media_limits import media_limits
from webapp.models import QuotaLock, TranscodeJob, User, Video, VideoState
from webapp.models.base import utcnow
from webapp.storage import get_storage
from webapp.uploads.details import Details, check_details
from webapp.uploads.errors import (
    MediaToolsUnavailable,
    QuotaExceeded,
    UploadConflict,
    UploadRejected,
)
from webapp.uploads.queries import stored_bytes
from webapp.uploads.rules import clean_title, human_bytes

__all__ = [
    "MediaToolsUnavailable",
    "UploadRejected",
    "adopt_source",
    "check_quota",
    "clean_title",
    "ingest",
    "ingest_replacement",
    "inspect",
    "lock_quota",
    "record_video",
    "replace_source",
    "replaceable",
    "spool",
]

log = logging.getLogger(__name__)


def check_quota(owner: User, size: int) -> None:
    """QuotaExceeded unless ``size`` more bytes fit in the owner's storage quota.

    The owner's quota lock is written first and held until the caller commits the row
    that uses the space: PostgreSQL locks that row, SQLite takes its one write lock. So
    uploads started at the same moment take turns here, and each sees what the ones
    before it reserved (a SELECT ... FOR UPDATE alone does nothing on SQLite, where the
    reads ran outside any transaction and all passed).
    """
    lock_quota(owner.id)
    quota = current_app.config["UPLOAD_QUOTA_BYTES"]
    used = stored_bytes(owner.id)
    if used + size > quota:
        raise QuotaExceeded(
            f"This upload ({human_bytes(size)}) would exceed your storage quota: "
            f"{human_bytes(used)} of {human_bytes(quota)} are in use."
        )


def lock_quota(owner_id: int) -> None:
    """Write the owner's quota lock row (an upsert): it stays locked until commit."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(QuotaLock).values(owner_id=owner_id, checked_at=utcnow())
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[QuotaLock.owner_id],
            set_={"checked_at": statement.excluded.checked_at},
        )
    )


def spool(stream: IO[bytes]) -> Path:
    """Copy an incoming stream to a private temp file; the caller deletes it."""
    tmp_dir = Path(current_app.config["UPLOAD_TMP_DIR"])
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
    try:
        with open(fd, "wb") as out:
            shutil.copyfileobj(stream, out, 1024 * 1024)
    except BaseException:  # a body cut short or over the limit leaves no file behind
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def inspect(path: Path) -> MediaInfo:
    """Probe the file; UploadRejected says why it is not a usable recording."""
    try:
        return probe(path, media_limits())
    except InvalidMedia as exc:
        raise UploadRejected(str(exc)) from exc
    except TranscodeError as exc:
        raise MediaToolsUnavailable(str(exc)) from exc


def record_video(
    info: MediaInfo,
    *,
    details: Details,
    owner: User,
    filename: str,
    sha256: str | None = None,
) -> Video:
    """An UPLOADING video row for a probed recording (flushed, so it has an id); the
    details its module takes once it is READY wait on it."""
    video = Video(
        title=details.title,
        description=details.description,
        pending_details=details.for_module(),
        source_sha256=sha256,
        owner_id=owner.id,
        state=VideoState.UPLOADING,
        source_filename=Path(filename).name[:255],
        source_size=info.size_bytes,
        duration=info.duration,
        width=info.width,
        height=info.height,
    )
    db.session.add(video)
    db.session.flush()
    return video


def adopt_source(video: Video, key: str) -> TranscodeJob:
    """The source is stored under ``key``: the video is UPLOADED, with a QUEUED job."""
    video.source_key = key
    video.transition(VideoState.UPLOADED)
    return jobs.create_job(video)


def replaceable(user: User, video: Video | None) -> Video:
    """``video``, if ``user`` may give it a new source now (PermissionError, LookupError
    or UploadConflict say why not)."""
    if video is None:
        raise LookupError("No such video.")
    if not can_replace_source(user, video):
        raise PermissionError("Only the video's owner or an admin may replace its recording.")
    if video.state != VideoState.READY:
        raise UploadConflict("Only a ready video's recording can be replaced.")
    latest = jobs.latest_job(video.id)
    if latest is not None and not latest.is_finished:
        raise UploadConflict("This video is being transcoded; wait until it is done.")
    return video


def replace_source(video: Video, key: str, *, size: int, filename: str) -> TranscodeJob:
    """A QUEUED job that transcodes the stored source ``key`` for ``video``, which keeps
    playing its current ladder until that job publishes the new one."""
    return jobs.create_job(
        video, source_key=key, source_size=size, source_filename=Path(filename).name[:255]
    )


def ingest_replacement(path: Path, *, video: Video, user: User, filename: str = "") -> TranscodeJob:
    """A file from the plain form as ``video``'s new recording: probed like any upload,
    stored beside the current one, and a QUEUED job that publishes its ladder. The
    caller commits and dispatches; on any exception it rolls back (the stored file, if
    it got that far, is deleted here)."""
    replaceable(user, video)
    info = inspect(path)
    check_quota(video.owner, info.size_bytes)
    ext = "mkv" if info.format_name == "matroska" else "mp4"
    key = f"sources/{video.id}/source-{secrets.token_hex(6)}.{ext}"
    storage = get_storage()
    try:
        storage.put_file(key, path)
        return replace_source(video, key, size=info.size_bytes, filename=filename)
    except Exception:
        storage.delete(key)
        raise


def ingest(
    path: Path,
    *,
    title: str | None = None,
    owner: User,
    filename: str = "",
    details: Details | None = None,
    sha256: str | None = None,
) -> tuple[Video, TranscodeJob]:
    """Validate the file at ``path`` and turn it into an UPLOADED video with a QUEUED job.

    Nothing is stored unless the file passes ffprobe and fits the owner's quota. The
    caller commits and then calls ``jobs.dispatch(job.id)``; on any exception it rolls
    back, and the stored source (if it got that far) is deleted here.
    """
    details = details or check_details(title=title)
    if not owner.can_upload:
        raise PermissionError("Only instructors and admins may upload recordings.")
    info = inspect(path)
    check_quota(owner, info.size_bytes)
    video = record_video(info, details=details, owner=owner, filename=filename, sha256=sha256)
    key = f"sources/{video.id}/source.{'mkv' if info.format_name == 'matroska' else 'mp4'}"
    storage = get_storage()
    try:
        storage.put_file(key, path)
        job = adopt_source(video, key)
    except Exception:
        storage.delete(key)
        raise
    return video, job
