"""structure: what the back office needs to edit topics, courses and programs

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('courses') as batch:
        batch.add_column(sa.Column('created_by', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            'fk_courses_created_by_users', 'users', ['created_by'], ['id'], ondelete='SET NULL'
        )


def downgrade():
    with op.batch_alter_table('courses') as batch:
        batch.drop_constraint('fk_courses_created_by_users', type_='foreignkey')
        batch.drop_column('created_by')
