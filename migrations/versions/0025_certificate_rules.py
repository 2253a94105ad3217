"""certificate_rules: what earns a program's certificate, and revocation

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 06:30:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'certificate_rules',
        sa.Column('program_id', sa.Integer(), nullable=False),
        sa.Column('min_watched_percent', sa.Integer(), nullable=False),
        sa.Column('min_classes', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revision', sa.String(length=32), nullable=False, server_default=''),
        sa.ForeignKeyConstraint(['program_id'], ['programs.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('program_id'),
    )
    op.create_table(
        'certificate_rule_modules',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('program_id', sa.Integer(), nullable=False),
        sa.Column('module_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['module_id'], ['modules.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(
            ['program_id'], ['certificate_rules.program_id'], ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('program_id', 'module_id', name='uq_rule_module'),
    )
    op.create_index(
        'ix_certificate_rule_modules_program_id', 'certificate_rule_modules', ['program_id']
    )
    op.create_table(
        'certificate_rule_exams',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('program_id', sa.Integer(), nullable=False),
        sa.Column('exam_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(
            ['program_id'], ['certificate_rules.program_id'], ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('program_id', 'exam_id', name='uq_rule_exam'),
    )
    op.create_index(
        'ix_certificate_rule_exams_program_id', 'certificate_rule_exams', ['program_id']
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('revoked_reason', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('revoked_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_certificates_revoked_by_users', 'users', ['revoked_by'], ['id'], ondelete='SET NULL'
        )


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint('fk_certificates_revoked_by_users', type_='foreignkey')
        batch_op.drop_column('revoked_by')
        batch_op.drop_column('revoked_reason')
        batch_op.drop_column('revoked_at')
    op.drop_index('ix_certificate_rule_exams_program_id', table_name='certificate_rule_exams')
    op.drop_table('certificate_rule_exams')
    op.drop_index('ix_certificate_rule_modules_program_id', table_name='certificate_rule_modules')
    op.drop_table('certificate_rule_modules')
    op.drop_table('certificate_rules')
