"""drill reply order seed, extra attempts granted after failing, replaced pending replies

Revision ID: b7e2d41f0a93
Revises: c5a5ed4c50d6
Create Date: 2026-12-05 15:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e2d41f0a93'
down_revision = 'c5a5ed4c50d6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quiz_attempt_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('extra', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('granted_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('extra >= 1 AND extra <= 10', name=op.f('ck_quiz_attempt_grants_extra_in_range')),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_quiz_attempt_grants_granted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['content_items.id'], name=op.f('fk_quiz_attempt_grants_item_id_content_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_quiz_attempt_grants_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_attempt_grants'))
    )
    with op.batch_alter_table('quiz_attempt_grants', schema=None) as batch_op:
        batch_op.create_index('ix_quiz_attempt_grants_user_item', ['user_id', 'item_id'], unique=False)

    with op.batch_alter_table('scenario_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('order_seed', sa.BigInteger(), nullable=True))
    with op.batch_alter_table('scenario_open_replies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('superseded_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_scenario_open_replies_superseded_by_id_scenario_open_replies'), 'scenario_open_replies', ['superseded_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('scenario_open_replies', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_scenario_open_replies_superseded_by_id_scenario_open_replies'), type_='foreignkey')
        batch_op.drop_column('superseded_by_id')
    with op.batch_alter_table('quiz_attempt_grants', schema=None) as batch_op:
        batch_op.drop_index('ix_quiz_attempt_grants_user_item')
    op.drop_table('quiz_attempt_grants')
    with op.batch_alter_table('scenario_runs', schema=None) as batch_op:
        batch_op.drop_column('order_seed')
