"""village month figure: a measure's figure per village and month, stored with the village
figures (the monthly ranking's overdue visits, counted by the recount job)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04

"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('village_month_figure',
    sa.Column('measure', sa.String(length=32), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('data_version', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('counted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['village_id'], ['area.id'], name=op.f('fk_village_month_figure_village_id_area'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('measure', 'village_id', 'month', name=op.f('pk_village_month_figure'))
    )


def downgrade():
    op.drop_table('village_month_figure')
