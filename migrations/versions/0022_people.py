"""people: named API tokens and what the profile and the admin user list need

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 03:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
