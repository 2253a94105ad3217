"""forgiving_search: stemmed, typo-tolerant search (FTS5 / pg_trgm)

PostgreSQL: the ``pg_trgm`` extension (trusted since PostgreSQL 13: the database owner
may create it) and a trigram GIN index over the modules' searchable text, for
``word_similarity`` typo matches next to the stemmed ``ix_modules_search`` of 0006.

SQLite: ``modules_fts``, an FTS5 index (porter stemmer, accents folded) over the modules'
title, description and tags, its content read from ``modules`` (``content=``), kept in
step by three triggers and filled here from the existing rows; ``modules_fts_terms``
and ``modules_fts_instances`` (fts5vocab) list its stems and where they occur, for the
typo fallback. A later migration that
rebuilds ``modules`` on SQLite (batch mode: copy, drop, rename) drops the triggers with
the old table and must create them again (tests/test_search_forgiving.py checks they
exist at head).

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-07 17:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None

# As PostgreSQL renders it back; keep in step with SEARCH_TEXT in webapp/models/learning.py.
SEARCH_TEXT = "((((title)::text || ' '::text) || description) || ' '::text) || (tags)::text"

SQLITE_UP = [
    "CREATE VIRTUAL TABLE modules_fts USING fts5(title, description, tags, "
    "content='modules', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE modules_fts_terms USING fts5vocab(modules_fts, 'row')",
    "CREATE VIRTUAL TABLE modules_fts_instances USING fts5vocab(modules_fts, 'instance')",
    "CREATE TRIGGER modules_fts_insert AFTER INSERT ON modules BEGIN "
    "INSERT INTO modules_fts(rowid, title, description, tags) "
    "VALUES (new.id, new.title, new.description, new.tags); END",
    "CREATE TRIGGER modules_fts_delete AFTER DELETE ON modules BEGIN "
    "INSERT INTO modules_fts(modules_fts, rowid, title, description, tags) "
    "VALUES ('delete', old.id, old.title, old.description, old.tags); END",
    "CREATE TRIGGER modules_fts_update AFTER UPDATE OF title, description, tags ON modules "
    "BEGIN "
    "INSERT INTO modules_fts(modules_fts, rowid, title, description, tags) "
    "VALUES ('delete', old.id, old.title, old.description, old.tags); "
    "INSERT INTO modules_fts(rowid, title, description, tags) "
    "VALUES (new.id, new.title, new.description, new.tags); END",
    "INSERT INTO modules_fts(modules_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS modules_fts_update",
    "DROP TRIGGER IF EXISTS modules_fts_delete",
    "DROP TRIGGER IF EXISTS modules_fts_insert",
    "DROP TABLE IF EXISTS modules_fts_instances",
    "DROP TABLE IF EXISTS modules_fts_terms",
    "DROP TABLE IF EXISTS modules_fts",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            f"CREATE INDEX ix_modules_trigrams ON modules USING gin (({SEARCH_TEXT}) gin_trgm_ops)"
        )
        return
    for statement in SQLITE_UP:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_modules_trigrams", table_name="modules")
        # The extension stays: other objects of the database may use it.
        return
    for statement in SQLITE_DOWN:
        op.execute(statement)
