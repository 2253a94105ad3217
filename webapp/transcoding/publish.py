"""Atomic publish: write every output under a fresh prefix, then switch the database."""

from __future__ import annotations

import logging
from pathlib import Path

from transcoder.run import check_stop
from webapp.storage import Storage
from webapp.storage.content_types import content_type

log = logging.getLogger(__name__)


def version_prefix(video_id: int, job_id: int, attempt: int) -> str:
    """A prefix no other attempt ever writes to."""
    return f"videos/{video_id}/hls/j{job_id}a{attempt}"


def _upload_order(rel: str) -> tuple[int, str]:
    # Segments first, then variant playlists, master last: even a reader that bypassed the
    # database would never find a playlist naming a segment that is not there yet.
    if rel.endswith("master.m3u8"):
        return (2, rel)
    if rel.endswith(".m3u8"):
        return (1, rel)
    return (0, rel)


def upload_outputs(storage: Storage, out_dir: Path, files: list[str], prefix: str) -> None:
    """Upload ``files`` (relative to ``out_dir``) under ``prefix``; on failure remove them.

    A worker shutting down stops between two files (``Interrupted``): the upload of a
    long recording's ladder must not hold up the shutdown either.
    """
    try:
        for rel in sorted(files, key=_upload_order):
            check_stop()
            storage.put_file(f"{prefix}/{rel}", out_dir / rel, content_type=content_type(rel))
    except Exception:
        discard(storage, prefix)
        raise


def discard(storage: Storage, prefix: str | None) -> None:
    """Best-effort removal of an unpublished or superseded version."""
    if not prefix:
        return
    try:
        storage.delete_prefix(prefix)
    except Exception:  # garbage collection must never fail the job that triggered it
        log.exception("could not delete %s", prefix)
