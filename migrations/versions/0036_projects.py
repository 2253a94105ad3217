"""projects: a cohort's projects, rubrics, submissions and grades; "projects passed" in
certificate rules

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-07 13:30:00

"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('brief', sa.Text(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('pass_mark', sa.Integer(), nullable=False),
    sa.Column('late_policy', sa.Enum('accept', 'penalty', 'refuse', name='latepolicy', native_enum=False, length=20), nullable=False),
    sa.Column('penalty_percent', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projects_cohort_id'), ['cohort_id'], unique=False)

    op.create_table('certificate_rule_projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['certificate_rules.program_id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('program_id', 'project_id', name='uq_rule_project')
    )
    with op.batch_alter_table('certificate_rule_projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_rule_projects_program_id'), ['program_id'], unique=False)

    op.create_table('project_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('days_late', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('submitted', 'returned', 'accepted', name='submissionstatus', native_enum=False, length=20), nullable=False),
    sa.Column('points', sa.Integer(), nullable=True),
    sa.Column('penalty_percent', sa.Integer(), nullable=False),
    sa.Column('final_points', sa.Float(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('graded_by', sa.Integer(), nullable=True),
    sa.Column('graded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['graded_by'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'user_id', 'version', name='uq_project_submission')
    )
    with op.batch_alter_table('project_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_submissions_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_submissions_user_id'), ['user_id'], unique=False)

    op.create_table('rubric_criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rubric_criteria', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rubric_criteria_project_id'), ['project_id'], unique=False)

    op.create_table('rubric_levels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['rubric_criteria.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rubric_levels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rubric_levels_criterion_id'), ['criterion_id'], unique=False)

    op.create_table('submission_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('file', 'link', name='itemkind', native_enum=False, length=20), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('storage_key', sa.String(length=300), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['project_submissions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('submission_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_items_submission_id'), ['submission_id'], unique=False)

    op.create_table('submission_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('level_id', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['rubric_criteria.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['level_id'], ['rubric_levels.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['project_submissions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('submission_id', 'criterion_id', name='uq_submission_score')
    )
    with op.batch_alter_table('submission_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_scores_submission_id'), ['submission_id'], unique=False)


def downgrade():
    with op.batch_alter_table('submission_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_scores_submission_id'))

    op.drop_table('submission_scores')
    with op.batch_alter_table('submission_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_items_submission_id'))

    op.drop_table('submission_items')
    with op.batch_alter_table('rubric_levels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rubric_levels_criterion_id'))

    op.drop_table('rubric_levels')
    with op.batch_alter_table('rubric_criteria', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rubric_criteria_project_id'))

    op.drop_table('rubric_criteria')
    with op.batch_alter_table('project_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_submissions_user_id'))
        batch_op.drop_index(batch_op.f('ix_project_submissions_project_id'))

    op.drop_table('project_submissions')
    with op.batch_alter_table('certificate_rule_projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_rule_projects_program_id'))

    op.drop_table('certificate_rule_projects')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_projects_cohort_id'))

    op.drop_table('projects')
