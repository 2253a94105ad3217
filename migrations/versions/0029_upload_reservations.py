"""upload_reservations: quota reserved atomically at upload start

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 10:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('upload_quota_locks',
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('owner_id')
    )


def downgrade():
    op.drop_table('upload_quota_locks')
