"""Read helpers for the upload page and the direct-upload API."""

from __future__ import annotations

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.models import JobState, TranscodeJob, UploadSession, UploadState, User, Video


def uploads_for(user: User) -> list[tuple[Video, TranscodeJob | None]]:
    """The recordings an instructor uploaded (all of them for an admin), with latest job."""
    query = select(Video).options(selectinload(Video.renditions)).order_by(Video.id.desc())
    if not user.is_admin:
        query = query.where(Video.owner_id == user.id)
    videos = db.session.scalars(query.limit(100)).all()
    jobs = db.session.scalars(
        select(TranscodeJob)
        .where(TranscodeJob.video_id.in_([v.id for v in videos]))
        .order_by(TranscodeJob.id)
    ).all()
    latest = {j.video_id: j for j in jobs}
    return [(v, latest.get(v.id)) for v in videos]


def stored_bytes(owner_id: int) -> int:
    """What counts against the owner's quota: stored sources, replacement sources whose
    job has not finished, and open uploads' declared sizes (their reservation, which an
    abort, an expiry or a completion with the real size gives back)."""
    sources = select(func.coalesce(func.sum(Video.source_size), 0)).where(
        Video.owner_id == owner_id, Video.source_key.is_not(None)
    )
    replacing = (
        select(func.coalesce(func.sum(TranscodeJob.source_size), 0))
        .join(Video, Video.id == TranscodeJob.video_id)
        .where(
            Video.owner_id == owner_id,
            TranscodeJob.source_key.is_not(None),
            TranscodeJob.state.not_in([JobState.READY, JobState.FAILED]),
        )
    )
    pending = select(func.coalesce(func.sum(UploadSession.size), 0)).where(
        UploadSession.owner_id == owner_id, UploadSession.state == UploadState.OPEN
    )
    # COALESCE turns an empty sum into 0; the nullable columns' types still allow None.
    return sum(int(db.session.scalars(q).one() or 0) for q in (sources, replacing, pending))


def upload_or_404(upload_id: int, user: User, *, lock: bool = False) -> UploadSession:
    """The caller's own upload session; anyone else's is indistinguishable from none.

    ``lock`` takes a row lock (PostgreSQL) so that one request at a time completes it.
    """
    query = select(UploadSession).where(
        UploadSession.id == upload_id, UploadSession.owner_id == user.id
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    session = db.session.scalar(query)
    if session is None:
        abort(404, "No such upload.")
    return session
