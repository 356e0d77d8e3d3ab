"""stored hire statuses, content title columns

Revision ID: 5e1a7c2d9b40
Revises: 5e1d7a9c3b20
Create Date: 2026-12-05 15:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1a7c2d9b40'
down_revision = '5e1d7a9c3b20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('content_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('course', sa.String(length=64), nullable=True))

    # Copy each version's title and language out of its document, in batches.
    connection = op.get_bind()
    versions = sa.table(
        'content_versions',
        sa.column('id', sa.Integer()),
        sa.column('document', sa.JSON()),
        sa.column('title', sa.JSON()),
        sa.column('language', sa.String()),
        sa.column('course', sa.String()),
    )
    ids = [row[0] for row in connection.execute(sa.select(versions.c.id).order_by(versions.c.id))]
    for start in range(0, len(ids), 200):
        chunk = ids[start:start + 200]
        rows = connection.execute(
            sa.select(versions.c.id, versions.c.document).where(versions.c.id.in_(chunk))
        ).all()
        for version_id, document in rows:
            document = document or {}
            title = document.get('title')
            language = document.get('language')
            course = document.get('course') if isinstance(document.get('course'), str) else None
            if isinstance(title, str):
                title = {language or 'en': title}
            connection.execute(
                versions.update()
                .where(versions.c.id == version_id)
                .values(
                    title=title if isinstance(title, dict) else None,
                    language=language,
                    course=course,
                )
            )

    op.create_table('hire_summaries',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('path_version_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('health', sa.String(length=16), nullable=False),
    sa.Column('health_rank', sa.Integer(), nullable=False),
    sa.Column('done_count', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('overdue_count', sa.Integer(), nullable=False),
    sa.Column('below_count', sa.Integer(), nullable=False),
    sa.Column('last_activity_at', sa.DateTime(), nullable=True),
    sa.Column('inputs', sa.JSON(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_hire_summaries_enrollment_id_enrollments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['path_version_id'], ['content_versions.id'], name=op.f('fk_hire_summaries_path_version_id_content_versions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_hire_summaries_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_hire_summaries'))
    )
    with op.batch_alter_table('hire_summaries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hire_summaries_as_of'), ['as_of'], unique=False)
        batch_op.create_index(batch_op.f('ix_hire_summaries_enrollment_id'), ['enrollment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hire_summaries_path_version_id'), ['path_version_id'], unique=False)


def downgrade():
    with op.batch_alter_table('hire_summaries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hire_summaries_path_version_id'))
        batch_op.drop_index(batch_op.f('ix_hire_summaries_enrollment_id'))
        batch_op.drop_index(batch_op.f('ix_hire_summaries_as_of'))

    op.drop_table('hire_summaries')
    with op.batch_alter_table('content_versions', schema=None) as batch_op:
        batch_op.drop_column('course')
        batch_op.drop_column('language')
        batch_op.drop_column('title')
