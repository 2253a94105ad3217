"""enrolment: cohort choice, seats and waitlists, orders, invoices and vouchers

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 06:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cohorts") as batch:
        batch.add_column(sa.Column("seats", sa.Integer(), nullable=True))
    # Every existing enrolment stays what it was: a membership (status active).
    with op.batch_alter_table("enrollments") as batch:
        batch.add_column(
            sa.Column("status", sa.String(length=20), nullable=False, server_default="active")
        )
        batch.add_column(sa.Column("cohort_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_enrollments_cohort_id", "cohorts", ["cohort_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_index("ix_enrollments_status", ["status"])
        batch.create_index("ix_enrollments_cohort_id", ["cohort_id"])
    op.create_table(
        "vouchers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=True),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("uses", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name="fk_vouchers_program_id", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_vouchers_program_id", "vouchers", ["program_id"])
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=True),
        sa.Column("enrollment_id", sa.Integer(), nullable=True),
        sa.Column("program_title", sa.String(length=200), nullable=False),
        sa.Column("buyer_name", sa.String(length=200), nullable=False),
        sa.Column("buyer_email", sa.String(length=320), nullable=False),
        sa.Column("fee_cents", sa.Integer(), nullable=False),
        sa.Column("discount_cents", sa.Integer(), nullable=False),
        sa.Column("total_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("voucher_id", sa.Integer(), nullable=True),
        sa.Column("voucher_code", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("payment_reference", sa.String(length=200), nullable=False),
        sa.Column("payment_note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_orders_user_id", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name="fk_orders_program_id", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name="fk_orders_enrollment_id",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["voucher_id"], ["vouchers.id"], name="fk_orders_voucher_id", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name="fk_orders_recorded_by", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    for column in ("user_id", "program_id", "enrollment_id", "status", "created_at"):
        op.create_index(f"ix_orders_{column}", "orders", [column])


def downgrade():
    op.drop_table("orders")
    op.drop_table("vouchers")
    with op.batch_alter_table("enrollments") as batch:
        batch.drop_index("ix_enrollments_cohort_id")
        batch.drop_index("ix_enrollments_status")
        batch.drop_constraint("fk_enrollments_cohort_id", type_="foreignkey")
        batch.drop_column("cohort_id")
        batch.drop_column("status")
    with op.batch_alter_table("cohorts") as batch:
        batch.drop_column("seats")
