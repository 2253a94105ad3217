"""Full-text search over modules, with a seam for caption search later.

A module's searchable text is its title, description and tags. On PostgreSQL the match
is ``to_tsvector(...) @@ to_tsquery(...)`` over exactly the expression of the GIN index
``ix_modules_search`` (migration 0006), so the planner uses the index; on SQLite every
term must appear (LIKE, case-insensitive) in one of the three columns.

Captions do not exist yet. When they do, register a :class:`CaptionSource`: its
condition is OR-ed into the search (so counts and pages include caption hits) and its
``moments`` give, per matched module of a page, the time of the first matching cue, which
the library links to (``?t=``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from flask import Flask
from sqlalchemy import ColumnElement, Index, String, and_, cast, false, func, literal_column, or_
from sqlalchemy import text as sql_text
from sqlalchemy.engine import make_url

from webapp.models import Module

SEARCH_INDEX = "ix_modules_search"
TS_CONFIG = "english"
MAX_TERMS = 8
MAX_QUERY = 200

# PostgreSQL's own (pretty) rendering of the indexed expression, as reflected, so that Alembic's
# comparison of models and migrations sees no difference. Keep in step with 0006.
_DOCUMENT = (
    "to_tsvector('english'::regconfig, (((%(p)stitle::text || ' '::text) || "
    "%(p)sdescription) || ' '::text) || %(p)stags::text)"
)
SEARCH_DOCUMENT = _DOCUMENT % {"p": ""}
_TERM = re.compile(r"\w+", re.UNICODE)


def search_terms(query: str | None) -> list[str]:
    """The words of a search box query, lower-cased (at most MAX_TERMS of them).

    Only word characters survive, so nothing the user types can reach tsquery syntax.
    """
    if not query:
        return []
    return [t.lower() for t in _TERM.findall(query[:MAX_QUERY])][:MAX_TERMS]


class CaptionSource(Protocol):
    """Where caption text lives, once it exists (e.g. a ``captions`` cue table)."""

    def condition(self, terms: Sequence[str], dialect: str) -> ColumnElement[bool]:
        """True for a Module row one of whose cues matches all ``terms``
        (typically ``Module.id.in_(select(...))`` or an EXISTS)."""
        ...

    def moments(self, terms: Sequence[str], modules: Sequence[Module]) -> dict[int, float]:
        """For the given modules, module id → recording time (s) of the first matching
        cue; one query for all of them."""
        ...


_caption_sources: list[CaptionSource] = []


def register_caption_source(source: CaptionSource) -> None:
    """Make caption matches part of every catalogue search."""
    if source not in _caption_sources:
        _caption_sources.append(source)


def unregister_caption_source(source: CaptionSource) -> None:
    """Undo :func:`register_caption_source`."""
    if source in _caption_sources:
        _caption_sources.remove(source)


def _like_term(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def text_condition(terms: Sequence[str], dialect: str) -> ColumnElement[bool]:
    """Modules whose title, description or tags contain every term (prefixes count)."""
    if not terms:
        return false()
    if dialect == "postgresql":
        document = literal_column(_DOCUMENT % {"p": "modules."})
        tsquery = func.to_tsquery(
            literal_column(f"'{TS_CONFIG}'"), " & ".join(f"{t}:*" for t in terms)
        )
        return document.op("@@")(tsquery)
    return and_(
        *(
            or_(
                Module.title.ilike(_like_term(t), escape="\\"),
                Module.description.ilike(_like_term(t), escape="\\"),
                cast(Module.tags, String).ilike(_like_term(t), escape="\\"),
            )
            for t in terms
        )
    )


def search_condition(terms: Sequence[str], dialect: str) -> ColumnElement[bool]:
    """Text matches OR caption matches of every registered caption source."""
    parts = [text_condition(terms, dialect)]
    parts += [source.condition(terms, dialect) for source in _caption_sources]
    return or_(*parts)


def caption_moments(terms: Sequence[str], modules: Sequence[Module]) -> dict[int, float]:
    """Module id → recording time of its first caption match (one query per source)."""
    found: dict[int, float] = {}
    if not terms or not modules:
        return found
    for source in _caption_sources:
        for module_id, at in source.moments(terms, modules).items():
            found[module_id] = min(at, found.get(module_id, at))
    return found


def install_search_index(app: Flask) -> None:
    """Declare the GIN index on the models' metadata when the app runs on PostgreSQL.

    The index is created by migration 0006 on PostgreSQL only; declaring it here (and
    only for PostgreSQL) keeps ``compare_metadata`` clean on both databases.
    """
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    table = Module.__table__
    if url.get_backend_name() != "postgresql":
        return
    if any(index.name == SEARCH_INDEX for index in table.indexes):
        return
    Index(SEARCH_INDEX, sql_text(SEARCH_DOCUMENT), postgresql_using="gin", _table=table).ddl_if(
        dialect="postgresql"
    )
