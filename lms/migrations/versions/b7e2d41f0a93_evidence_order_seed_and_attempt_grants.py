"""drill reply order seed, extra attempts granted after failing

Revision ID: b7e2d41f0a93
Revises: c087f8046e8f
Create Date: 2026-12-05 15:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e2d41f0a93'
down_revision = 'c087f8046e8f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scenario_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('order_seed', sa.BigInteger(), nullable=True))


def downgrade():
    with op.batch_alter_table('scenario_runs', schema=None) as batch_op:
        batch_op.drop_column('order_seed')
