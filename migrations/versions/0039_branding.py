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
    op.create_table(
        "branding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("primary_colour", sa.String(length=7), nullable=True),
        sa.Column("logo_key", sa.String(length=200), nullable=True),
        sa.Column("logo_type", sa.String(length=40), nullable=True),
        sa.Column("favicon_key", sa.String(length=200), nullable=True),
        sa.Column("favicon_type", sa.String(length=40), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("branding")
