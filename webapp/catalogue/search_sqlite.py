"""Module search on SQLite: the FTS5 table ``modules_fts`` (porter stems, accents folded;
migration 0038) with a typo fallback.

Every query word must match the module somewhere. A word matches through FTS5 as a
stemmed prefix (``"funnels"*`` finds "Funnel"); a word of which the index holds no
stem or prefix (a typo, "marketng") matches the stems of the vocabulary
(``modules_fts_terms``) that :func:`~webapp.catalogue.forgiving.matches` accepts, found
in ``modules_fts_instances``. All of it is SQL (the comparison is a Python function
registered on each connection), so a search costs no extra statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, case, literal, or_, text

from webapp.catalogue.forgiving import MAX_SUFFIX, allowed_edits, field_score, matches
from webapp.models import Module

FTS_TABLE = "modules_fts"
FIELDS = ("title", "tags", "description")
# Tables of the full-text index that no model declares (autogenerate must leave them).
FTS_PREFIX = "modules_fts"
TYPO_FUNCTION = "learnstream_typo"


def not_fts_table(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic ``include_name``: skip the FTS5 tables (migration 0038 makes them)."""
    return not (type_ == "table" and name is not None and name.startswith(FTS_PREFIX))


def _phrase(term: str, field: str | None = None) -> str:
    # Terms hold word characters only (search_terms), so quoting cannot be escaped from.
    query = f'"{term}"*'
    return f"{field} : {query}" if field else query


def _fts_ids(term: str, field: str | None = None) -> ColumnElement[bool]:
    # unique: one statement holds many of these, each with its own value.
    return Module.id.in_(
        text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q").bindparams(
            bindparam("q", value=_phrase(term, field), unique=True)
        )
    )


def register_functions(dbapi_connection: Any) -> None:
    """Give a new SQLite connection ``learnstream_typo(word, stem)``: whether query word
    ``word`` may be a typo of the index's ``stem`` (:func:`~webapp.catalogue.forgiving.matches`)."""
    dbapi_connection.create_function(
        TYPO_FUNCTION, 2, lambda word, stem: int(matches(word, stem)), deterministic=True
    )


def _typo_ids(term: str, field: str | None = None) -> ColumnElement[bool]:
    """Modules holding a stem ``term`` may be a typo of (a vocabulary scan bounded to
    stems of a plausible length, in SQL with :func:`register_functions`' function), only
    if the index knows no stem or prefix of ``term`` itself."""
    statement = text(
        "SELECT doc FROM modules_fts_instances WHERE term IN ("
        f"SELECT term FROM modules_fts_terms WHERE length(term) BETWEEN :low AND :high "
        f"AND {TYPO_FUNCTION}(:word, term)) "
        f"AND NOT EXISTS (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q)"
        + (" AND col = :col" if field else "")
    ).bindparams(
        bindparam("low", value=len(term) - MAX_SUFFIX - 2, unique=True),
        bindparam("high", value=len(term) + 2, unique=True),
        bindparam("word", value=term, unique=True),
        bindparam("q", value=_phrase(term), unique=True),
    )
    if field:
        statement = statement.bindparams(bindparam("col", value=field, unique=True))
    return Module.id.in_(statement)


def condition(terms: Sequence[str]) -> ColumnElement[bool]:
    """Modules matching every term (stemmed prefix, or as a typo of a known stem)."""
    return and_(
        *(or_(_fts_ids(t), _typo_ids(t)) if allowed_edits(t) else _fts_ids(t) for t in terms)
    )


def rank(terms: Sequence[str]) -> ColumnElement[float]:
    """Higher for better matches: per term, the best field it matches
    (:func:`~webapp.catalogue.forgiving.field_score`)."""
    parts = []
    for term in terms:
        whens = []
        for field in FIELDS:
            whens.append((_fts_ids(term, field), field_score(field, typo=False)))
            if allowed_edits(term):
                whens.append((_typo_ids(term, field), field_score(field, typo=True)))
        parts.append(case(*whens, else_=literal(0.0)))
    total: ColumnElement[float] = parts[0]
    for part in parts[1:]:
        total = total + part
    return total
