"""Read helpers for the upload page."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.models import TranscodeJob, User, Video


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
