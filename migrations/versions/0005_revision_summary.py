"""revision summary columns: what queues filter on and dashboards add up, copied from
server_result so that no query parses JSON per row

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22

"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

revisions = sa.table(
    'submission_revision', sa.column('id', sa.Integer), sa.column('server_result', sa.JSON),
    sa.column('per_capita_net_income', sa.BigInteger), sa.column('last_year_per_capita_net_income', sa.BigInteger),
    sa.column('flag_count', sa.Integer), sa.column('error_count', sa.Integer),
    sa.column('unexplained_warning_count', sa.Integer),
)


def summary(result):
    """As app.sync.models.summary at the time of this migration (a migration is a snapshot)."""
    income = (result or {}).get('income') or {}
    issues = (result or {}).get('issues') or []
    return {
        'per_capita_net_income': income.get('per_capita_net_income'),
        'last_year_per_capita_net_income': income.get('last_year_per_capita_net_income'),
        'flag_count': len(((result or {}).get('screening') or {}).get('flags') or []),
        'error_count': sum(1 for issue in issues if issue.get('severity') == 'error'),
        'unexplained_warning_count': sum(1 for issue in issues
                                         if issue.get('severity') == 'warning' and not issue.get('explained')),
    }


def upgrade():
    with op.batch_alter_table('submission_revision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('per_capita_net_income', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('last_year_per_capita_net_income', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('flag_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('error_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('unexplained_warning_count', sa.Integer(), server_default='0', nullable=False))

    connection = op.get_bind()
    rows = connection.execute(sa.select(revisions.c.id, revisions.c.server_result))
    for row_id, result in rows.fetchall():
        connection.execute(revisions.update().where(revisions.c.id == row_id).values(**summary(result)))


def downgrade():
    with op.batch_alter_table('submission_revision', schema=None) as batch_op:
        batch_op.drop_column('unexplained_warning_count')
        batch_op.drop_column('error_count')
        batch_op.drop_column('flag_count')
        batch_op.drop_column('last_year_per_capita_net_income')
        batch_op.drop_column('per_capita_net_income')
