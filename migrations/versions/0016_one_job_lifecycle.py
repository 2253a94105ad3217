"""one job lifecycle: clip exports get the lifecycle columns transcode jobs have

``updated_at`` (when a QUEUED job's message was last sent: the sweeper re-sends lost
ones) starts as each row's ``created_at``; ``started_at`` stays empty for old rows (the
staleness check falls back to it only when there is no heartbeat). Status columns keep
their VARCHAR(20) and their strings: the models read them as enums.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 23:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('clip_exports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
    op.execute('UPDATE clip_exports SET updated_at = created_at')
    with op.batch_alter_table('clip_exports', schema=None) as batch_op:
        batch_op.alter_column(
            'updated_at', existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.create_index(
            batch_op.f('ix_clip_exports_heartbeat_at'), ['heartbeat_at'], unique=False
        )


def downgrade():
    with op.batch_alter_table('clip_exports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clip_exports_heartbeat_at'))
        batch_op.drop_column('updated_at')
        batch_op.drop_column('started_at')
