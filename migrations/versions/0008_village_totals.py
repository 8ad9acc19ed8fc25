"""village totals: each village's counts summed over its groups beside the counts by group
(a county page adds up villages, not thousands of groups), and the monitored, risk-type and
eliminated headcounts stored with the rest

The table is a cache, so it is made again empty: rows stored by the code before this one
lack the headcounts, and every village is counted again at its next view.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def _create(*extra):
    op.create_table('village_figures',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('data_version', sa.Integer(), nullable=False),
    sa.Column('layer_threshold_fen', sa.BigInteger(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    *extra,
    sa.Column('counted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_village_figures_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['village_id'], ['area.id'], name=op.f('fk_village_figures_village_id_area'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'village_id', name=op.f('pk_village_figures'))
    )


def upgrade():
    op.drop_table('village_figures')
    _create(sa.Column('totals', sa.JSON(), nullable=False))


def downgrade():
    op.drop_table('village_figures')
    _create()
