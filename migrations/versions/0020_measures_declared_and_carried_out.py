"""assistance measures declared, then carried out: ``measure_date`` becomes ``declared_on``
and ``carried_out_on`` (null while only declared) is added, never before the declaration; the
measure's two events; a visit keeps what it reported carried out

A measure recorded before this change was recorded as help given (the form said 登记帮扶措施,
and risk elimination counted it as carried out on its date), so every existing row is carried
out on the day it was recorded: ``declared_on = carried_out_on = measure_date``. Nobody
recorded a declaration day for them; none is invented. Their ``record_measure`` events stay as
they were written.

Down again, what the old schema cannot hold goes: a measure only declared (the old schema
would read it as given) with its events; a carried-out measure keeps the day it was carried
out as its ``measure_date``, and its "carried out" event becomes the old "recorded".

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03

"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

TRANSITIONS = "'propose', 'appraise', 'start_notice', 'object', 'submit', 'approve', 'reject', 'withdraw', 'reverse'"
OLD_ACTIONS = f"{TRANSITIONS}, 'national_entry', 'not_proposed', 'record_measure', 'already_monitored'"
NEW_ACTIONS = f"{OLD_ACTIONS}, 'declare_measure', 'carry_out_measure'"


def upgrade():
    with op.batch_alter_table('assistance_measure', schema=None) as batch_op:
        batch_op.alter_column('measure_date', new_column_name='declared_on', existing_type=sa.Date(),
                              existing_nullable=False)
        batch_op.add_column(sa.Column('carried_out_on', sa.Date(), nullable=True))
    op.execute("UPDATE assistance_measure SET carried_out_on = declared_on")
    with op.batch_alter_table('assistance_measure', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_assistance_measure_carried_out_after_declared'),
                                         "carried_out_on IS NULL OR carried_out_on >= declared_on")
    with op.batch_alter_table('monitoring_event', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_monitoring_event_action_code'), type_='check')
        batch_op.create_check_constraint(op.f('ck_monitoring_event_action_code'), f"action IN ({NEW_ACTIONS})")
    # What a visit reported carried out (its measures and days); visits before reported none.
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carried_out', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.alter_column('carried_out', existing_type=sa.JSON(), server_default=None, existing_nullable=False)


def downgrade():
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_column('carried_out')
    op.execute("DELETE FROM monitoring_event WHERE action = 'declare_measure'")
    op.execute("UPDATE monitoring_event SET action = 'record_measure' WHERE action = 'carry_out_measure'")
    with op.batch_alter_table('monitoring_event', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_monitoring_event_action_code'), type_='check')
        batch_op.create_check_constraint(op.f('ck_monitoring_event_action_code'), f"action IN ({OLD_ACTIONS})")
    op.execute("DELETE FROM assistance_measure WHERE carried_out_on IS NULL")
    op.execute("UPDATE assistance_measure SET declared_on = carried_out_on")
    with op.batch_alter_table('assistance_measure', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_assistance_measure_carried_out_after_declared'), type_='check')
        batch_op.drop_column('carried_out_on')
        batch_op.alter_column('declared_on', new_column_name='measure_date', existing_type=sa.Date(),
                              existing_nullable=False)
