"""Forgiving search over modules, plus the caption sources an app plugs in.

A module's searchable text is its title, description and tags. Every query word must
match it, as typed (a stemmed prefix: "funnels" finds "Funnel") or, for words of five
letters or more, as a typo ("marketng" finds "marketing"): on PostgreSQL with the English
full-text configuration and ``pg_trgm`` (:mod:`webapp.catalogue.search_pg`), on SQLite
with FTS5's porter tokenizer and a vocabulary fallback
(:mod:`webapp.catalogue.search_sqlite`). :class:`SearchMatch` also gives the rank:
title matches above tag matches above description matches, exact above typo.

A :class:`CaptionSource` registered on an app (the captions blueprint registers one) is
OR-ed into that app's searches (so counts and pages include caption hits), and its
``moments`` give, per matched module of a page, the time of the first matching cue, which
the library links to (``?t=``). Sources live in ``app.extensions``, never in this module:
two apps in one process do not see each other's sources.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from flask import current_app
from flask.sansio.app import App
from sqlalchemy import ColumnElement, false, literal, or_

from webapp.catalogue import search_pg, search_sqlite
from webapp.catalogue.forgiving import fold, without_stop_words
from webapp.catalogue.search_pg import TS_CONFIG
from webapp.models import Module

__all__ = ["TS_CONFIG", "SearchMatch", "search_condition", "search_terms"]
MAX_TERMS = 8
MAX_QUERY = 200
# Where an app keeps its caption sources (a list in ``app.extensions``).
CAPTION_SOURCES = "catalogue.caption_sources"
_TERM = re.compile(r"\w+", re.UNICODE)


def search_terms(query: str | None) -> list[str]:
    """The words of a search box query, lower-cased, accents removed, English stop
    words left out (at most MAX_TERMS of them).

    Only word characters survive, so nothing the user types can reach tsquery or FTS5
    query syntax.
    """
    if not query:
        return []
    words = [fold(t) for t in _TERM.findall(query[:MAX_QUERY])]
    return without_stop_words([w for w in words if w])[:MAX_TERMS]


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


@dataclass(frozen=True)
class SearchMatch:
    """Which modules a query matches (``condition``) and how well (``rank``, higher is
    better), for one dialect."""

    terms: list[str]
    dialect: str

    @classmethod
    def build(cls, terms: Sequence[str], dialect: str) -> SearchMatch:
        """The match for ``terms`` (from :func:`search_terms`) on ``dialect``."""
        return cls(list(terms), dialect)

    def text_condition(self) -> ColumnElement[bool]:
        """Modules whose title, description or tags match every term."""
        if not self.terms:
            return false()
        if self.dialect == "postgresql":
            return search_pg.condition(self.terms)
        return search_sqlite.condition(self.terms)

    def condition(self) -> ColumnElement[bool]:
        """Text matches OR caption matches of every registered caption source."""
        parts = [self.text_condition()]
        parts += [source.condition(self.terms, self.dialect) for source in caption_sources()]
        return or_(*parts)

    def rank(self) -> ColumnElement[float]:
        """The modules' relevance (captions-only matches rank 0)."""
        if not self.terms:
            return literal(0.0)
        if self.dialect == "postgresql":
            return search_pg.rank(self.terms)
        return search_sqlite.rank(self.terms)


def text_condition(terms: Sequence[str], dialect: str) -> ColumnElement[bool]:
    """Modules whose title, description or tags match every term."""
    return SearchMatch.build(terms, dialect).text_condition()


def search_condition(terms: Sequence[str], dialect: str) -> ColumnElement[bool]:
    """Text matches OR caption matches of every registered caption source."""
    return SearchMatch.build(terms, dialect).condition()


def caption_moments(terms: Sequence[str], modules: Sequence[Module]) -> dict[int, float]:
    """Module id → recording time of its first caption match (one query per source)."""
    found: dict[int, float] = {}
    if not terms or not modules:
        return found
    for source in caption_sources():
        for module_id, at in source.moments(terms, modules).items():
            found[module_id] = min(at, found.get(module_id, at))
    return found
