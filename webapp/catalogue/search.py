"""Full-text search over modules, plus the caption sources an app plugs in.

A module's searchable text is its title, description and tags. On PostgreSQL the match
is ``to_tsvector(...) @@ to_tsquery(...)`` over exactly the expression of the GIN index
``ix_modules_search`` (declared on ``Module``, created by migration 0006), so the planner
uses the index; on SQLite every term must appear (LIKE, case-insensitive) in one of the
three columns.

A :class:`CaptionSource` registered on an app (the captions blueprint registers one) is
OR-ed into that app's searches (so counts and pages include caption hits), and its
``moments`` give, per matched module of a page, the time of the first matching cue, which
the library links to (``?t=``). Sources live in ``app.extensions``, never in this module:
two apps in one process do not see each other's sources.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol

from flask import current_app
from flask.sansio.app import App
from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    String,
    and_,
    cast,
    false,
    func,
    literal_column,
    or_,
)

from webapp.likes import LIKE_ESCAPE, contains
from webapp.models import Module
from webapp.models.learning import SEARCH_DOCUMENT_TEMPLATE

TS_CONFIG = "english"
MAX_TERMS = 8
MAX_QUERY = 200
# Where an app keeps its caption sources (a list in ``app.extensions``).
CAPTION_SOURCES = "catalogue.caption_sources"
_TERM = re.compile(r"\w+", re.UNICODE)


def search_terms(query: str | None) -> list[str]:
    """The words of a search box query, lower-cased (at most MAX_TERMS of them).

    Only word characters survive, so nothing the user types can reach tsquery syntax.
    """
    if not query:
        return []
    return [t.lower() for t in _TERM.findall(query[:MAX_QUERY])][:MAX_TERMS]


class CaptionSource(Protocol):
    """Where caption text lives (e.g. the ``caption_cues`` table)."""

    def condition(self, terms: Sequence[str], dialect: str) -> ColumnElement[bool]:
        """True for a Module row one of whose cues matches all ``terms``
        (typically ``Module.id.in_(select(...))`` or an EXISTS)."""
        ...

    def moments(self, terms: Sequence[str], modules: Sequence[Module]) -> dict[int, float]:
        """For the given modules, module id → recording time (s) of the first matching
        cue; one query for all of them."""
        ...


def register_caption_source(app: App, source: CaptionSource) -> None:
    """Make caption matches of ``source`` part of every catalogue search of ``app``."""
    sources = app.extensions.setdefault(CAPTION_SOURCES, [])
    if source not in sources:
        sources.append(source)


def caption_sources() -> list[CaptionSource]:
    """The caption sources registered on the current app."""
    return list(current_app.extensions.get(CAPTION_SOURCES, []))


def text_condition(terms: Sequence[str], dialect: str) -> ColumnElement[bool]:
    """Modules whose title, description or tags contain every term (prefixes count)."""
    if not terms:
        return false()
    if dialect == "postgresql":
        document: ColumnClause[Any] = literal_column(SEARCH_DOCUMENT_TEMPLATE % {"p": "modules."})
        tsquery = func.to_tsquery(
            literal_column(f"'{TS_CONFIG}'"), " & ".join(f"{t}:*" for t in terms)
        )
        return document.op("@@")(tsquery)
    return and_(
        *(
            or_(
                Module.title.ilike(contains(t), escape=LIKE_ESCAPE),
                Module.description.ilike(contains(t), escape=LIKE_ESCAPE),
                cast(Module.tags, String).ilike(contains(t), escape=LIKE_ESCAPE),
            )
            for t in terms
        )
    )


def search_condition(terms: Sequence[str], dialect: str) -> ColumnElement[bool]:
    """Text matches OR caption matches of every registered caption source."""
    parts = [text_condition(terms, dialect)]
    parts += [source.condition(terms, dialect) for source in caption_sources()]
    return or_(*parts)


def caption_moments(terms: Sequence[str], modules: Sequence[Module]) -> dict[int, float]:
    """Module id → recording time of its first caption match (one query per source)."""
    found: dict[int, float] = {}
    if not terms or not modules:
        return found
    for source in caption_sources():
        for module_id, at in source.moments(terms, modules).items():
            found[module_id] = min(at, found.get(module_id, at))
    return found
