"""Garbage collection of superseded ladders, dropped previews, replaced posters, failed
attempts, and of everything a deleted video stored."""

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
    if video.poster_key:  # a poster picked from the storyboard has a version folder of its own
        keep.add("/".join(video.poster_key.split("/")[:_VERSION_DEPTH]))
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
    the video collects it), and the job that called it is not failed. A video that no
    longer exists (deleted) has nothing in use: its ladders, previews and posters, its
    source and its caption files all go.
    """
    video = db.session.get(Video, video_id)
    if video is None:
        return _collect_deleted(video_id)
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


def deleted_video_prefixes(video_id: int) -> list[str]:
    """Every prefix a video stores under: ladders and previews, its source, its captions."""
    return [f"videos/{video_id}", f"sources/{video_id}", f"captions/{video_id}"]


def _collect_deleted(video_id: int) -> list[str]:
    storage = get_storage()
    for prefix in deleted_video_prefixes(video_id):
        discard(storage, prefix)
    log.info("video %s: deleted, its stored media removed", video_id)
    return deleted_video_prefixes(video_id)
