"""catalogue: full-text search index on modules (PostgreSQL only)

The library searches modules by title, description and tags. On PostgreSQL that is a
GIN index over the same ``to_tsvector`` expression webapp/catalogue/search.py queries
(keep the two in step); SQLite has no full-text index here and uses LIKE instead.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# As PostgreSQL renders it back (reflection), so that autogenerate comparison with
# the index webapp/catalogue/search.py declares finds no difference.
SEARCH_DOCUMENT = (
    "to_tsvector('english'::regconfig, (((title::text || ' '::text) || "
    "description) || ' '::text) || tags::text)"
)


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.create_index(
            'ix_modules_search', 'modules', [sa.text(SEARCH_DOCUMENT)], postgresql_using='gin'
        )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_modules_search', table_name='modules')
