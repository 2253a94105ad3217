"""audiences: who may watch what (audiences, free previews)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 06:30:00

Existing data: modules in a program's course become PROGRAM; the recordings of cohort
classes (and their modules that are in no program) become COHORT; every other video is
OPEN and every other module keeps no audience of its own (by placement: open while it is
in no program, program members once it is).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None

_COHORT_RECORDINGS = (
    "SELECT recording_id FROM live_classes"
    " WHERE cohort_id IS NOT NULL AND recording_id IS NOT NULL"
)


def upgrade():
    with op.batch_alter_table("videos") as batch:
        batch.add_column(
            sa.Column("audience", sa.String(length=20), nullable=False, server_default="open")
        )
    with op.batch_alter_table("modules") as batch:
        batch.add_column(sa.Column("audience", sa.String(length=20), nullable=True))
        batch.add_column(
            sa.Column("free_preview", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute(
        "UPDATE modules SET audience = 'program' WHERE id IN ("
        " SELECT cm.module_id FROM course_modules cm"
        " JOIN program_courses pc ON pc.course_id = cm.course_id)"
    )
    op.execute(f"UPDATE videos SET audience = 'cohort' WHERE id IN ({_COHORT_RECORDINGS})")
    op.execute(
        "UPDATE modules SET audience = 'cohort'"
        f" WHERE audience IS NULL AND video_id IN ({_COHORT_RECORDINGS})"
    )


def downgrade():
    with op.batch_alter_table("modules") as batch:
        batch.drop_column("free_preview")
        batch.drop_column("audience")
    with op.batch_alter_table("videos") as batch:
        batch.drop_column("audience")
