"""The clip-export kind: a job rendering a clip into its own MP4, and its result."""

from __future__ import annotations

from webapp.extensions import db
from webapp.jobs import lifecycle
from webapp.jobs.lifecycle import JobKind
from webapp.models import ClipExport

# The name queue messages carry (kept from when the tasks lived in ``transcoder/``).
EXPORT_TASK = "transcoder.export_clip"

CLIP_EXPORT = JobKind(
    name="clip_export",
    model=ClipExport,
    task=EXPORT_TASK,
    doing="exporting",
    noun="export",
)


def dispatch(export_id: int) -> bool:
    """Queue the export id (after commit); False if the broker is unreachable."""
    return lifecycle.dispatch(CLIP_EXPORT, export_id)


def complete(export_id: int, key: str, size: int, attempt: int | None) -> str | None:
    """READY with its file; returns the key of a previous export file to delete.

    Raises Superseded (changing nothing) when ``attempt`` no longer owns the export.
    """
    export = lifecycle.finish(CLIP_EXPORT, export_id, attempt)
    previous = export.output_key if export.output_key != key else None
    export.output_key, export.size_bytes = key, size
    db.session.flush()
    return previous


def latest_export(clip_id: int) -> ClipExport | None:
    """The most recent export of a clip."""
    return lifecycle.latest(ClipExport, ClipExport.clip_id == clip_id)
