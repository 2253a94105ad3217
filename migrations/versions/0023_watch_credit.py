"""watch_credit: watch credit bounded by time the server measured

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 06:30:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
