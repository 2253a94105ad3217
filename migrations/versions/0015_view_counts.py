"""view counts: player sessions per learner and module, so analytics count plays

Rows from before this revision count one view each (the analytics query takes at least
one per row), so nothing needs backfilling.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 18:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('watch_progress', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('view_count', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('watch_progress', schema=None) as batch_op:
        batch_op.drop_column('view_count')
