"""visit clues: a risk a cadre finds on a duty visit raises a clue (channel duty_visit, no
warning list, what was found in its note), and the identification it may start keeps that
channel; the visit keeps the clue it raised

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03

"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

OLD_CHANNELS = "'visit_screening', 'self_application', 'department_warning', 'national_system'"
NEW_CHANNELS = OLD_CHANNELS + ", 'duty_visit'"
ELIMINATION_KINDS = "'through_assistance', 'natural'"


def _channel_fits_kind(channels: str) -> str:
    return f"(kind = 'identification' AND channel IN ({channels})) OR " \
           f"(kind = 'elimination' AND channel IN ({ELIMINATION_KINDS}))"


def upgrade():
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_proposal_channel_fits_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_proposal_channel_fits_kind'), _channel_fits_kind(NEW_CHANNELS))
    with op.batch_alter_table('clue', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=32), server_default='department_warning',
                                      nullable=False))
        batch_op.add_column(sa.Column('note', sa.Text(), server_default='', nullable=False))
        batch_op.alter_column('list_id', existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table('clue', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_clue_channel_code'),
                                         "channel IN ('department_warning', 'duty_visit')")
        batch_op.create_check_constraint(op.f('ck_clue_list_iff_department'),
                                         "(list_id IS NOT NULL) = (channel = 'department_warning')")
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('clue_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_visit_clue_id_clue'), 'clue', ['clue_id'], ['id'])
        batch_op.create_check_constraint(op.f('ck_visit_clue_only_with_risk'), "clue_id IS NULL OR risk_found")


def downgrade():
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_visit_clue_only_with_risk'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_visit_clue_id_clue'), type_='foreignkey')
        batch_op.drop_column('clue_id')
    op.execute("DELETE FROM clue WHERE list_id IS NULL")
    with op.batch_alter_table('clue', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_clue_list_iff_department'), type_='check')
        batch_op.drop_constraint(op.f('ck_clue_channel_code'), type_='check')
        batch_op.alter_column('list_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('note')
        batch_op.drop_column('channel')
    op.execute("UPDATE proposal SET channel = 'visit_screening' WHERE channel = 'duty_visit'")
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_proposal_channel_fits_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_proposal_channel_fits_kind'), _channel_fits_kind(OLD_CHANNELS))
