"""Ingest a recording: probe it, store the source, create the video and its job."""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from flask import current_app

from transcoder.errors import InvalidMedia, TranscodeError
from transcoder.probe import MediaInfo, probe
from webapp import jobs
from webapp.extensions import db
from webapp.media_limits import media_limits
from webapp.models import TranscodeJob, User, Video, VideoState
from webapp.storage import get_storage

log = logging.getLogger(__name__)

MAX_TITLE = 200


class UploadRejected(ValueError):
    """The upload is bad input; the message tells the instructor why."""


class MediaToolsUnavailable(RuntimeError):
    """ffprobe could not run: a server problem, not the instructor's file."""


def clean_title(title: str | None) -> str:
    """A trimmed, non-empty title of reasonable length, or UploadRejected."""
    title = " ".join((title or "").split())
    if not title:
        raise UploadRejected("Give the recording a title.")
    if len(title) > MAX_TITLE:
        raise UploadRejected(f"The title is too long (at most {MAX_TITLE} characters).")
    return title


def spool(stream: BinaryIO) -> Path:
    """Copy an incoming stream to a private temp file; the caller deletes it."""
    tmp_dir = Path(current_app.config["UPLOAD_TMP_DIR"])
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
    with open(fd, "wb") as out:
        shutil.copyfileobj(stream, out, 1024 * 1024)
    return Path(name)


def ingest(
    path: Path, *, title: str, owner: User, filename: str = ""
) -> tuple[Video, TranscodeJob]:
    """Validate the file at ``path`` and turn it into an UPLOADED video with a QUEUED job.

    Nothing is stored unless the file passes ffprobe. The caller commits and then calls
    ``jobs.dispatch(job.id)``; on any exception it rolls back, and the stored source (if
    it got that far) is deleted here.
    """
    title = clean_title(title)
    if not owner.can_upload:
        raise PermissionError("Only instructors and admins may upload recordings.")
    try:
        info: MediaInfo = probe(path, media_limits())
    except InvalidMedia as exc:
        raise UploadRejected(str(exc)) from exc
    except TranscodeError as exc:
        raise MediaToolsUnavailable(str(exc)) from exc
    video = Video(
        title=title,
        owner_id=owner.id,
        state=VideoState.UPLOADING.value,
        source_filename=Path(filename).name[:255],
        source_size=info.size_bytes,
        duration=info.duration,
        width=info.width,
        height=info.height,
    )
    db.session.add(video)
    db.session.flush()
    key = f"sources/{video.id}/source.{'mkv' if info.format_name == 'matroska' else 'mp4'}"
    storage = get_storage()
    try:
        storage.put_file(key, path)
        video.source_key = key
        video.transition(VideoState.UPLOADED)
        job = jobs.create_job(video)
    except Exception:
        storage.delete(key)
        raise
    return video, job
