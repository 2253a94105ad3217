"""watch progress heartbeats (sequence, daily watch time)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 15:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('watch_progress', schema=None) as batch_op:
        batch_op.add_column(sa.Column('beat_session', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('beat_seq', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('beat_credit', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('beat_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_watch_progress_completed_at'), ['completed_at'], unique=False)

    op.create_table('watch_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('progress_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('video_id', sa.Integer(), nullable=False),
    sa.Column('clip_id', sa.Integer(), nullable=True),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['progress_id'], ['watch_progress.id'], name='fk_watch_days_progress_id', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name='fk_watch_days_user_id', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], name='fk_watch_days_video_id', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['clip_id'], ['clips.id'], name='fk_watch_days_clip_id', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('progress_id', 'day', name='uq_watch_days_progress_day')
    )
    with op.batch_alter_table('watch_days', schema=None) as batch_op:
        batch_op.create_index('ix_watch_days_user_day', ['user_id', 'day'], unique=False)
        batch_op.create_index('ix_watch_days_video_day', ['video_id', 'day'], unique=False)


def downgrade():
    with op.batch_alter_table('watch_days', schema=None) as batch_op:
        batch_op.drop_index('ix_watch_days_video_day')
        batch_op.drop_index('ix_watch_days_user_day')

    op.drop_table('watch_days')
    with op.batch_alter_table('watch_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_watch_progress_completed_at'))
        batch_op.drop_column('beat_at')
        batch_op.drop_column('beat_credit')
        batch_op.drop_column('beat_seq')
        batch_op.drop_column('beat_session')
