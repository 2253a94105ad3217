"""forgiving_search: stemmed, typo-tolerant search (FTS5 / pg_trgm)

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-07 17:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
