"""times: viewer time zones, calendar feeds and class reminders

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 06:30:00

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("time_zone_pinned", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("calendar_secret", sa.String(length=64), nullable=True))
        batch.create_index("ix_users_calendar_secret", ["calendar_secret"], unique=True)
    # A zone already on a profile was typed there: keep it over the browser's.
    op.execute("UPDATE users SET time_zone_pinned = true WHERE time_zone IS NOT NULL")
    op.create_table(
        "class_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("sent", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["class_id"], ["live_classes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("class_id", "user_id", "hours", name="uq_class_reminder"),
    )
    with op.batch_alter_table("class_reminders") as batch:
        batch.create_index("ix_class_reminders_class_id", ["class_id"], unique=False)
        batch.create_index("ix_class_reminders_user_id", ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("class_reminders") as batch:
        batch.drop_index("ix_class_reminders_user_id")
        batch.drop_index("ix_class_reminders_class_id")
    op.drop_table("class_reminders")
    with op.batch_alter_table("users") as batch:
        batch.drop_index("ix_users_calendar_secret")
        batch.drop_column("calendar_secret")
        batch.drop_column("time_zone_pinned")
