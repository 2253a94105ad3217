"""Read helpers for the library and the upload page."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import exists, select

from webapp.audiences.rules import visible_video_rule
from webapp.catalogue.queries import CataloguePage, browse, parse_filters, topics
from webapp.extensions import db
from webapp.models import Module, User, Video, VideoState

EARLY_PREVIEWS = 8


def library_page(user: User, args: Mapping[str, str]) -> CataloguePage:
    """The catalogue page the query string asks for (bad values fall back to defaults),
    with ``user``'s progress: four queries whatever the page size."""
    known = topics()
    return browse(user, parse_filters(args, known), known, clamp=True)


def early_previews(user: User, limit: int = EARLY_PREVIEWS) -> list[Video]:
    """Recordings still processing whose early preview is already watchable and that
    ``user`` may see, newest first (one query); not those whose module is unlisted
    (cohort recordings)."""
    return list(
        db.session.scalars(
            select(Video)
            .where(
                Video.state == VideoState.PROCESSING,
                Video.preview_prefix.is_not(None),
                ~exists().where(Module.video_id == Video.id, Module.listed.is_(False)),
                visible_video_rule(user),
            )
            .order_by(Video.created_at.desc(), Video.id.desc())
            .limit(limit)
        )
    )
