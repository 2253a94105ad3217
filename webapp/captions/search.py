"""Caption text in the catalogue search: a module matches when one cue of its recording
(for a clip: a cue starting inside the clip) contains every search term, and the library
links to the first such cue (``?t=``).

On PostgreSQL the match is ``to_tsvector('english', text) @@ to_tsquery(...)`` over the
expression of the GIN index ``ix_caption_cues_search`` (migration 0012), prefix matches
included, as for titles; on SQLite every term must appear in the cue (LIKE).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    and_,
    any_,
    false,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from webapp.catalogue.search import TS_CONFIG
from webapp.extensions import db
from webapp.likes import LIKE_ESCAPE, contains
from webapp.models import CaptionCue, Clip, Module


def cue_matches(terms: Sequence[str], dialect: str) -> ColumnElement[bool]:
    """Cues whose text contains every term (prefixes count)."""
    if not terms:
        return false()
    if dialect == "postgresql":
        document: ColumnClause[Any] = literal_column(
            f"to_tsvector('{TS_CONFIG}'::regconfig, caption_cues.text)"
        )
        query = func.to_tsquery(
            literal_column(f"'{TS_CONFIG}'"), " & ".join(f"{t}:*" for t in terms)
        )
        return document.op("@@")(query)
    return and_(*(CaptionCue.text.ilike(contains(t), escape=LIKE_ESCAPE) for t in terms))


def _in_module(module: type[Module]) -> ColumnElement[bool]:
    """The cue (joined with ``module``'s clip, if any) belongs to the module: any cue of a
    whole recording, or one starting inside the clip."""
    return or_(
        module.clip_id.is_(None),
        and_(CaptionCue.start >= Clip.start, CaptionCue.start < Clip.end),
    )


class CaptionSearch:
    """The catalogue's :class:`~webapp.catalogue.search.CaptionSource` for our cues."""

    def condition(self, terms: Sequence[str], dialect: str) -> ColumnElement[bool]:
        """Modules with a matching cue: ``id`` in one uncorrelated subquery, run once on
        the cues' GIN index. On PostgreSQL it becomes ``id = ANY(ARRAY(...))``, which the
        primary key serves, so the OR with the title search stays a bitmap index scan
        instead of a scan of every module."""
        module = aliased(Module)
        ids = (
            select(module.id)
            .join(CaptionCue, CaptionCue.video_id == module.video_id)
            .outerjoin(Clip, Clip.id == module.clip_id)
            .where(cue_matches(terms, dialect), _in_module(module))
            .distinct()
        )
        if dialect == "postgresql":
            return Module.id == any_(func.array(ids.scalar_subquery()))
        return Module.id.in_(ids)

    def moments(self, terms: Sequence[str], modules: Sequence[Module]) -> dict[int, float]:
        """Module id → start of its first matching cue (recording time), one query."""
        if not terms or not modules:
            return {}
        dialect = db.session.get_bind().dialect.name
        rows = db.session.execute(
            select(Module.id, func.min(CaptionCue.start))
            .join(CaptionCue, CaptionCue.video_id == Module.video_id)
            .outerjoin(Clip, Clip.id == Module.clip_id)
            .where(
                Module.id.in_([m.id for m in modules]),
                cue_matches(terms, dialect),
                _in_module(Module),
            )
            .group_by(Module.id)
        ).all()
        return {module_id: float(at) for module_id, at in rows}


CAPTION_SEARCH = CaptionSearch()
