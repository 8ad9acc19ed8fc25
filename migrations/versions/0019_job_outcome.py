"""job outcome: what a job found, for its page (an import's counts and bad rows, the round a
draw made)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03

"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job') as batch:
        batch.add_column(sa.Column('outcome', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('job') as batch:
        batch.drop_column('outcome')
