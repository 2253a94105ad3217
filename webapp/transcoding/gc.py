"""Garbage collection of superseded ladders, dropped previews and failed attempts."""

from __future__ import annotations

import logging

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import JobState, TranscodeJob, Video
from webapp.storage import StorageError, get_storage
from webapp.transcoding.preview import preview_prefix
from webapp.transcoding.publish import discard, version_prefix

log = logging.getLogger(__name__)

# videos/<id>/<kind>/<version>/...: the version folders are what we collect.
_VERSION_DEPTH = 4


def _in_use(video: Video) -> set[str]:
    keep = {p for p in (video.hls_prefix, video.preview_prefix) if p}
    running = db.session.scalars(
        select(TranscodeJob).where(
            TranscodeJob.video_id == video.id, TranscodeJob.state == JobState.RUNNING
        )
    )
    for job in running:
        keep.add(version_prefix(video.id, job.id, job.attempts))
        keep.add(preview_prefix(video.id, job.id, job.attempts))
    return keep


def stored_versions(video_id: int) -> set[str]:
    """Every version prefix that has at least one object in storage."""
    versions = set()
    for key in get_storage().list(f"videos/{video_id}"):
        parts = key.split("/")
        if len(parts) > _VERSION_DEPTH:
            versions.add("/".join(parts[:_VERSION_DEPTH]))
    return versions


def collect_video(video_id: int) -> list[str]:
    """Delete every stored version of the video that nothing points to; returns them.

    Best effort: with the store unreachable nothing is collected now (the next job of
    the video collects it), and the job that called it is not failed.
    """
    video = db.session.get(Video, video_id)
    if video is None:
        return []
    try:
        stored = stored_versions(video_id)
    except StorageError:
        log.warning("video %s: could not list its stored versions", video_id, exc_info=True)
        return []
    garbage = sorted(stored - _in_use(video))
    for prefix in garbage:
        discard(get_storage(), prefix)
    if garbage:
        log.info("video %s: removed %d unused versions", video_id, len(garbage))
    return garbage
