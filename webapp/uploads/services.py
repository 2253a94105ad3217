"""Ingest a recording: probe it, store the source, create the video and its job."""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path
from typing import IO

from flask import current_app
from sqlalchemy import select

from transcoder.errors import InvalidMedia, TranscodeError
from transcoder.probe import MediaInfo, probe
from webapp import jobs
from webapp.extensions import db
from webapp.media_limits import media_limits
from webapp.models import TranscodeJob, User, Video, VideoState
from webapp.storage import get_storage
from webapp.uploads.errors import MediaToolsUnavailable, QuotaExceeded, UploadRejected
from webapp.uploads.queries import stored_bytes
from webapp.uploads.rules import human_bytes

__all__ = [
    "MediaToolsUnavailable",
    "UploadRejected",
    "adopt_source",
    "check_quota",
    "clean_title",
    "ingest",
    "inspect",
    "record_video",
    "spool",
]

log = logging.getLogger(__name__)

MAX_TITLE = 200


def clean_title(title: str | None) -> str:
    """A trimmed, non-empty title of reasonable length, or UploadRejected."""
    title = " ".join((title or "").split())
    if not title:
        raise UploadRejected("Give the recording a title.")
    if len(title) > MAX_TITLE:
        raise UploadRejected(f"The title is too long (at most {MAX_TITLE} characters).")
    return title


def check_quota(owner: User, size: int) -> None:
    """QuotaExceeded unless ``size`` more bytes fit in the owner's storage quota.

    The owner's row is locked first (PostgreSQL), so two uploads started at the same
    moment cannot both squeeze into the last free bytes.
    """
    db.session.execute(select(User.id).where(User.id == owner.id).with_for_update())
    quota = current_app.config["UPLOAD_QUOTA_BYTES"]
    used = stored_bytes(owner.id)
    if used + size > quota:
        raise QuotaExceeded(
            f"This upload ({human_bytes(size)}) would exceed your storage quota: "
            f"{human_bytes(used)} of {human_bytes(quota)} are in use."
        )


def spool(stream: IO[bytes]) -> Path:
    """Copy an incoming stream to a private temp file; the caller deletes it."""
    tmp_dir = Path(current_app.config["UPLOAD_TMP_DIR"])
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
    with open(fd, "wb") as out:
        shutil.copyfileobj(stream, out, 1024 * 1024)
    return Path(name)


def inspect(path: Path) -> MediaInfo:
    """Probe the file; UploadRejected says why it is not a usable recording."""
    try:
        return probe(path, media_limits())
    except InvalidMedia as exc:
        raise UploadRejected(str(exc)) from exc
    except TranscodeError as exc:
        raise MediaToolsUnavailable(str(exc)) from exc


def record_video(info: MediaInfo, *, title: str, owner: User, filename: str) -> Video:
    """An UPLOADING video row for a probed recording (flushed, so it has an id)."""
    video = Video(
        title=title,
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


def ingest(
    path: Path, *, title: str, owner: User, filename: str = ""
) -> tuple[Video, TranscodeJob]:
    """Validate the file at ``path`` and turn it into an UPLOADED video with a QUEUED job.

    Nothing is stored unless the file passes ffprobe and fits the owner's quota. The
    caller commits and then calls ``jobs.dispatch(job.id)``; on any exception it rolls
    back, and the stored source (if it got that far) is deleted here.
    """
    title = clean_title(title)
    if not owner.can_upload:
        raise PermissionError("Only instructors and admins may upload recordings.")
    info = inspect(path)
    check_quota(owner, info.size_bytes)
    video = record_video(info, title=title, owner=owner, filename=filename)
    key = f"sources/{video.id}/source.{'mkv' if info.format_name == 'matroska' else 'mp4'}"
    storage = get_storage()
    try:
        storage.put_file(key, path)
        job = adopt_source(video, key)
    except Exception:
        storage.delete(key)
        raise
    return video, job
