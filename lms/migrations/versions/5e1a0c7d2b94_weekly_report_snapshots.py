"""Weekly snapshots of each hire's mastery and execution measures, for the reports

Revision ID: 5e1a0c7d2b94
Revises: b7e2d41f0a93
Create Date: 2026-12-05 16:05:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "5e1a0c7d2b94"
down_revision = "b7e2d41f0a93"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "weekly_snapshots",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("phase_id", sa.String(length=64), nullable=True),
        sa.Column("mastery", sa.JSON(), nullable=False),
        sa.Column("ability", sa.Integer(), nullable=True),
        sa.Column("willingness", sa.Integer(), nullable=True),
        sa.Column("completion", sa.Double(), nullable=True),
        sa.Column("timeliness", sa.Double(), nullable=True),
        sa.Column("quality", sa.Double(), nullable=True),
        sa.Column("resolution", sa.Double(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("week >= 1", name=op.f("ck_weekly_snapshots_week_positive")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_weekly_snapshots_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "week", name=op.f("pk_weekly_snapshots")),
    )
    with op.batch_alter_table("weekly_snapshots", schema=None) as batch_op:
        batch_op.create_index("ix_weekly_snapshots_start_date", ["start_date"], unique=False)


def downgrade():
    with op.batch_alter_table("weekly_snapshots", schema=None) as batch_op:
        batch_op.drop_index("ix_weekly_snapshots_start_date")
    op.drop_table("weekly_snapshots")
