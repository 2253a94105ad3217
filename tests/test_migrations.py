"""Migrations build exactly the models' schema, and upgrading keeps existing data."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from webapp import create_app
from webapp.catalogue.search_sqlite import not_fts_table
from webapp.extensions import db


# The models declare the GIN indexes of the catalogue and caption search for PostgreSQL
# only; SQLite cannot reflect expression indexes, so there alembic says it skips them.
@pytest.mark.filterwarnings(
    "ignore:autogenerate skipping metadata-specified expression-based index:UserWarning"
)
# The trigram index's operator class (gin_trgm_ops, migration 0038) is beyond alembic's
# expression comparison on PostgreSQL: it warns and compares the index by name only.
@pytest.mark.filterwarnings("ignore:Expression #1 .* detected to include an operator clause")
def test_models_and_migrations_agree(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as conn:
        # As migrations/env.py: SQLite's FTS5 tables (migration 0038) are no model's.
        context = MigrationContext.configure(conn, opts={"include_name": not_fts_table})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_sqlite_rebuild_keeps_child_rows(instance_dir: Path, tmp_path: Path) -> None:
    """0003 rebuilds tables on SQLite; foreign keys must not cascade-delete children."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite'}"})
    with app.app_context():
        upgrade(revision="0002")
        db.session.execute(
            text(
                "INSERT INTO users (id, email, name, password_hash, role, active, created_at) "
                "VALUES (1, 'a@example.com', '', 'x', 'admin', 1, '2026-01-01')"
            )
        )
        db.session.execute(
            text(
                "INSERT INTO videos (id, title, description, owner_id, state, source_filename,"
                " created_at) VALUES (5, 't', '', 1, 'ready', '', '2026-01-01')"
            )
        )
        db.session.execute(
            text(
                "INSERT INTO renditions (video_id, name, width, height, bandwidth, playlist) "
                "VALUES (5, '360p', 640, 360, 1, 'p')"
            )
        )
        db.session.commit()
        upgrade()
        assert db.session.execute(text("SELECT count(*) FROM renditions")).scalar() == 1
        schema = db.session.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'videos'")
        ).scalar()
        assert "AUTOINCREMENT" in schema
        downgrade(revision="base")
        db.engine.dispose()
