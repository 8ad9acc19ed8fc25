"""record summary: the summary columns move from every revision to the record (its current
revision's), so that queues and dashboards read them without joining the revision; and an
index of the members on a safety net

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22

"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

COLUMNS = ('per_capita_net_income', 'last_year_per_capita_net_income', 'flag_count', 'error_count',
           'unexplained_warning_count')
SAFETY_NET_WHERE = sa.text('minimum_living_allowance OR extreme_poverty_support')

submissions = sa.table('submission', sa.column('id', sa.String), sa.column('revision', sa.Integer),
                       *(sa.column(name, sa.BigInteger) for name in COLUMNS))
revisions = sa.table('submission_revision', sa.column('submission_id', sa.String), sa.column('number', sa.Integer),
                     *(sa.column(name, sa.BigInteger) for name in COLUMNS))
CURRENT = sa.and_(revisions.c.submission_id == submissions.c.id, revisions.c.number == submissions.c.revision)


def add_columns(batch_op):
    batch_op.add_column(sa.Column('per_capita_net_income', sa.BigInteger(), nullable=True))
    batch_op.add_column(sa.Column('last_year_per_capita_net_income', sa.BigInteger(), nullable=True))
    batch_op.add_column(sa.Column('flag_count', sa.Integer(), server_default='0', nullable=False))
    batch_op.add_column(sa.Column('error_count', sa.Integer(), server_default='0', nullable=False))
    batch_op.add_column(sa.Column('unexplained_warning_count', sa.Integer(), server_default='0', nullable=False))


def drop_columns(batch_op):
    for name in reversed(COLUMNS):
        batch_op.drop_column(name)


def upgrade():
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index('ix_member_safety_net', ['household_id'], unique=False,
                              postgresql_where=SAFETY_NET_WHERE, sqlite_where=SAFETY_NET_WHERE)
    with op.batch_alter_table('submission', schema=None) as batch_op:
        add_columns(batch_op)
    op.execute(submissions.update().values(
        {name: sa.select(revisions.c[name]).where(CURRENT).scalar_subquery() for name in COLUMNS}))
    with op.batch_alter_table('submission_revision', schema=None) as batch_op:
        drop_columns(batch_op)


def downgrade():
    """Each record's figures go back to its current revision; earlier revisions keep the
    defaults (nothing at 0005 reads them)."""
    with op.batch_alter_table('submission_revision', schema=None) as batch_op:
        add_columns(batch_op)
    op.execute(revisions.update().where(sa.exists().where(CURRENT)).values(
        {name: sa.select(submissions.c[name]).where(CURRENT).scalar_subquery() for name in COLUMNS}))
    with op.batch_alter_table('submission', schema=None) as batch_op:
        drop_columns(batch_op)
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index('ix_member_safety_net', postgresql_where=SAFETY_NET_WHERE, sqlite_where=SAFETY_NET_WHERE)
