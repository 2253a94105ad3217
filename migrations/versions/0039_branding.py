"""branding: the platform's name, logo, colour and favicon

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-07 17:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0039"
down_revision = "0038"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
