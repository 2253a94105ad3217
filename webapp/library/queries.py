"""Read helpers for the library and the upload page."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from webapp.catalogue.queries import CataloguePage, browse, parse_filters, topics
from webapp.extensions import db
from webapp.models import JobState, Module, TranscodeJob, User, Video, VideoState

EARLY_PREVIEWS = 8


def library_page(user: User, args: Mapping[str, str]) -> CataloguePage:
    """The catalogue page the query string asks for (bad values fall back to defaults),
    with ``user``'s progress: four queries whatever the page size."""
    known = topics()
    return browse(user.id, parse_filters(args, known, strict=False), known, clamp=True)


def early_previews(limit: int = EARLY_PREVIEWS) -> list[Video]:
    """Recordings still processing whose early preview is already watchable, newest
    first (one query); not those whose module is unlisted (cohort recordings)."""
    return list(
        db.session.scalars(
            select(Video)
            .where(
                Video.state == VideoState.PROCESSING.value,
                Video.preview_prefix.is_not(None),
                ~exists().where(Module.video_id == Video.id, Module.listed.is_(False)),
            )
            .order_by(Video.created_at.desc(), Video.id.desc())
            .limit(limit)
        )
    )


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


def unfinished_job_states() -> tuple[str, ...]:
    """Job states the upload page keeps polling."""
    return (JobState.QUEUED.value, JobState.RUNNING.value)
