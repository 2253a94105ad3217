"""session epoch: a per-user counter in every session's user id, raised to end them all

Sign-out and a password change raise ``users.session_epoch``; sessions and remember-me
cookies carry ``"<id>:<epoch>"`` and stop counting once it no longer matches.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')
