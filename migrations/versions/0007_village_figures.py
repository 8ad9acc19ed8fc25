"""village figures: each village's dashboard counts stored per campaign, and the village's
data version that tells when they are stale

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22

"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('village_figures',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('data_version', sa.Integer(), nullable=False),
    sa.Column('layer_threshold_fen', sa.BigInteger(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('counted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_village_figures_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['village_id'], ['area.id'], name=op.f('fk_village_figures_village_id_area'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'village_id', name=op.f('pk_village_figures'))
    )
    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_version', sa.Integer(), server_default='0', nullable=False))



def downgrade():
    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.drop_column('data_version')

    op.drop_table('village_figures')
