"""Module search on PostgreSQL: English stems (``ix_modules_search``, migration 0006)
or trigram typo matches (``pg_trgm``, ``ix_modules_trigrams``, migration 0038).

Every query word must match the module: as a stemmed prefix (``to_tsquery('english',
'funnels:*')`` finds "Funnel") or as a similar word (``word <% text``: ``word_similarity``
at least ``pg_trgm.word_similarity_threshold``, 0.6 by default; "marketng" finds
"marketing"). Both are the indexed expressions, so the planner combines the two GIN
indexes (bitmap OR per word, AND across words). Words shorter than
:data:`~webapp.catalogue.forgiving.FUZZY_MIN` are not corrected.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnClause, ColumnElement, and_, case, func, literal, literal_column, or_

from webapp.catalogue.forgiving import allowed_edits, field_score
from webapp.models.learning import SEARCH_DOCUMENT_TEMPLATE, SEARCH_TEXT_TEMPLATE

TS_CONFIG = "english"
_CONFIG = f"'{TS_CONFIG}'::regconfig"
_FIELDS = {
    "title": "modules.title",
    "tags": "(modules.tags)::text",
    "description": "modules.description",
}


def _tsquery(term: str) -> ColumnElement[Any]:
    return func.to_tsquery(literal_column(_CONFIG), f"{term}:*")


def _stemmed(document: str, term: str) -> ColumnElement[bool]:
    vector: ColumnClause[Any] = literal_column(document)
    return vector.op("@@", is_comparison=True)(_tsquery(term))


def _similar(term: str, text_sql: str) -> ColumnElement[bool]:
    return literal(term).op("<%", is_comparison=True)(literal_column(f"({text_sql})"))


def condition(terms: Sequence[str]) -> ColumnElement[bool]:
    """Modules matching every term, stemmed or (long enough terms) as a typo."""
    document = SEARCH_DOCUMENT_TEMPLATE % {"p": "modules."}
    text_sql = SEARCH_TEXT_TEMPLATE % {"p": "modules."}
    return and_(
        *(
            or_(_stemmed(document, t), _similar(t, text_sql))
            if allowed_edits(t)
            else _stemmed(document, t)
            for t in terms
        )
    )


def rank(terms: Sequence[str]) -> ColumnElement[float]:
    """Higher for better matches: per term, the best field it matches
    (:func:`~webapp.catalogue.forgiving.field_score`)."""
    parts = []
    for term in terms:
        whens: list[tuple[ColumnElement[bool], float]] = []
        for field, column in _FIELDS.items():
            whens.append(
                (_stemmed(f"to_tsvector({_CONFIG}, {column})", term), field_score(field, False))
            )
            if allowed_edits(term):
                whens.append((_similar(term, column), field_score(field, True)))
        parts.append(case(*whens, else_=literal(0.0)))
    total: ColumnElement[float] = parts[0]
    for part in parts[1:]:
        total = total + part
    return total
