"""shared_throttles: sign-in throttling counters shared by all processes

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 10:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('throttle_keys',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('throttle_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_throttle_keys_expires_at'), ['expires_at'], unique=False)

    op.create_table('throttle_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('at', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('throttle_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_throttle_entries_key'), ['key'], unique=False)


def downgrade():
    with op.batch_alter_table('throttle_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_throttle_entries_key'))

    op.drop_table('throttle_entries')
    with op.batch_alter_table('throttle_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_throttle_keys_expires_at'))

    op.drop_table('throttle_keys')
