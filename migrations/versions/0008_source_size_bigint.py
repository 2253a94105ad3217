"""videos.source_size as a 64-bit integer (recordings of 2 GiB and more)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 15:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # SQLite rebuilds the table: keep AUTOINCREMENT (0003) so ids are never reused.
    with op.batch_alter_table('videos', schema=None,
                              table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.alter_column('source_size', existing_type=sa.Integer(),
                              type_=sa.BigInteger(), existing_nullable=True)


def downgrade():
    # SQLite rebuilds the table: keep AUTOINCREMENT (0003) so ids are never reused.
    with op.batch_alter_table('videos', schema=None,
                              table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.alter_column('source_size', existing_type=sa.BigInteger(),
                              type_=sa.Integer(), existing_nullable=True)
