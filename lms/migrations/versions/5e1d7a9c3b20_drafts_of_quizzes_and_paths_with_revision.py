"""drafts of quizzes and paths, with a revision number for edit conflicts

Revision ID: 5e1d7a9c3b20
Revises: 5e1a0c7d2b94
Create Date: 2026-12-05 16:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "5e1d7a9c3b20"
down_revision = "5e1a0c7d2b94"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("content_drafts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision", sa.Integer(), server_default="1", nullable=False))
        batch_op.drop_constraint(batch_op.f("ck_content_drafts_editable_kind"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_content_drafts_editable_kind"),
            "kind IN ('course', 'lesson', 'scenario', 'quiz', 'path')",
        )


def downgrade():
    with op.batch_alter_table("content_drafts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_content_drafts_editable_kind"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_content_drafts_editable_kind"),
            "kind IN ('course', 'lesson', 'scenario')",
        )
        batch_op.drop_column("revision")
