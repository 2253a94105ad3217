"""video sources: what replacing a recording and importing a folder need (checksums, the pending source)

``videos.source_sha256`` lets ``flask videos import`` skip files it already has;
``videos.pending_details`` and ``upload_sessions.details`` carry the details given with
a file until the video's module exists; ``upload_sessions.replaces_video_id`` and the
``transcode_jobs.source_*`` columns carry a replacement source until its ladder is
published.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('videos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('pending_details', sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f('ix_videos_source_sha256'), ['source_sha256'], unique=False)
    with op.batch_alter_table('upload_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('details', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('replaces_video_id', sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_upload_sessions_replaces_video_id'), ['replaces_video_id'], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_upload_sessions_replaces_video_id_videos'),
            'videos',
            ['replaces_video_id'],
            ['id'],
            ondelete='CASCADE',
        )
    with op.batch_alter_table('transcode_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_key', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('source_size', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('source_filename', sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('transcode_jobs', schema=None) as batch_op:
        batch_op.drop_column('source_filename')
        batch_op.drop_column('source_size')
        batch_op.drop_column('source_key')
    with op.batch_alter_table('upload_sessions', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_upload_sessions_replaces_video_id_videos'), type_='foreignkey'
        )
        batch_op.drop_index(batch_op.f('ix_upload_sessions_replaces_video_id'))
        batch_op.drop_column('replaces_video_id')
        batch_op.drop_column('details')
    with op.batch_alter_table('videos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_videos_source_sha256'))
        batch_op.drop_column('pending_details')
        batch_op.drop_column('source_sha256')
