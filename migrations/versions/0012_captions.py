"""captions: caption tracks, their cues (searchable), per-user player preferences

Cue text is searched by the catalogue. On PostgreSQL that is a GIN index over the same
``to_tsvector`` expression webapp/captions/search.py queries (keep the two in step);
SQLite has no full-text index here and uses LIKE instead.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 15:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# As PostgreSQL renders it back (reflection), so that autogenerate comparison with
# the index webapp/captions/search.py declares finds no difference.
CUE_DOCUMENT = "to_tsvector('english'::regconfig, text)"


def upgrade():
    op.create_table('user_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('caption_language', sa.String(length=35), nullable=True),
    sa.Column('playback_rate', sa.Float(), nullable=True),
    sa.Column('volume', sa.Float(), nullable=True),
    sa.Column('muted', sa.Boolean(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_table('captions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('video_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=35), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=500), nullable=False),
    sa.Column('source_format', sa.String(length=10), nullable=False),
    sa.Column('cue_count', sa.Integer(), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('video_id', 'language', name='uq_captions_video_language')
    )
    with op.batch_alter_table('captions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_captions_video_id'), ['video_id'], unique=False)

    op.create_table('caption_cues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('caption_id', sa.Integer(), nullable=False),
    sa.Column('video_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Float(), nullable=False),
    sa.Column('end', sa.Float(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['caption_id'], ['captions.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('caption_cues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_caption_cues_caption_id'), ['caption_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_caption_cues_video_id'), ['video_id'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':
        op.create_index(
            'ix_caption_cues_search', 'caption_cues', [sa.text(CUE_DOCUMENT)],
            postgresql_using='gin',
        )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_caption_cues_search', table_name='caption_cues')
    with op.batch_alter_table('caption_cues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_caption_cues_video_id'))
        batch_op.drop_index(batch_op.f('ix_caption_cues_caption_id'))

    op.drop_table('caption_cues')
    with op.batch_alter_table('captions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_captions_video_id'))

    op.drop_table('captions')
    op.drop_table('user_preferences')
