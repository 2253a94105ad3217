"""organisations: organisations, their members and managers, seats and assignments

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 06:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


_OWNED = ("videos", "modules", "programs")


def _batch(table):
    # Adding a foreign key rebuilds the table on SQLite: keep videos' AUTOINCREMENT ids.
    kwargs = {"sqlite_autoincrement": True} if table == "videos" else {}
    return op.batch_alter_table(table, schema=None, table_kwargs=kwargs)


def upgrade():
    op.create_table(
        'organisations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('slug', sa.String(length=80), nullable=False),
        sa.Column('time_zone', sa.String(length=64), server_default='UTC', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('slug'),
    )
    op.create_table(
        'organisation_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', name='uq_org_member_user'),
    )
    op.create_index(
        'ix_organisation_members_organisation_id', 'organisation_members', ['organisation_id']
    )
    op.create_table(
        'seat_holdings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('program_id', sa.Integer(), nullable=False),
        sa.Column('seats', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['program_id'], ['programs.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('organisation_id', 'program_id', name='uq_seat_holding'),
    )
    op.create_index('ix_seat_holdings_organisation_id', 'seat_holdings', ['organisation_id'])
    op.create_table(
        'assignments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('program_id', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=True),
        sa.Column('assigned_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['program_id'], ['programs.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['assigned_by'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('organisation_id', 'user_id', 'program_id', name='uq_assignment'),
    )
    op.create_index('ix_assignments_organisation_id', 'assignments', ['organisation_id'])
    op.create_index('ix_assignments_user_id', 'assignments', ['user_id'])
    op.create_table(
        'org_digests_sent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('week', sa.String(length=10), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'week', name='uq_org_digest_week'),
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('organisation_role', sa.String(length=20), nullable=True))
        batch_op.create_foreign_key(
            'fk_invitations_organisation_id_organisations',
            'organisations',
            ['organisation_id'],
            ['id'],
            ondelete='SET NULL',
        )
    for table in _OWNED:
        with _batch(table) as batch_op:
            batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                f'fk_{table}_organisation_id_organisations',
                'organisations',
                ['organisation_id'],
                ['id'],
                ondelete='SET NULL',
            )


def downgrade():
    for table in reversed(_OWNED):
        with _batch(table) as batch_op:
            batch_op.drop_constraint(
                f'fk_{table}_organisation_id_organisations', type_='foreignkey'
            )
            batch_op.drop_column('organisation_id')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_constraint(
            'fk_invitations_organisation_id_organisations', type_='foreignkey'
        )
        batch_op.drop_column('organisation_role')
        batch_op.drop_column('organisation_id')
    op.drop_table('org_digests_sent')
    op.drop_index('ix_assignments_user_id', table_name='assignments')
    op.drop_index('ix_assignments_organisation_id', table_name='assignments')
    op.drop_table('assignments')
    op.drop_index('ix_seat_holdings_organisation_id', table_name='seat_holdings')
    op.drop_table('seat_holdings')
    op.drop_index(
        'ix_organisation_members_organisation_id', table_name='organisation_members'
    )
    op.drop_table('organisation_members')
    op.drop_table('organisations')
