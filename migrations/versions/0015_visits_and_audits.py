"""visits and audits: responsible cadres, each county's visit duty rules (the shipped sets of
DOMAIN §12 are data in app/visits/duties.py; a county's own set is copied from one), circle
layers per household and year, the visit log and its audit events; sample audit rounds, their
auditors, samples, audit copies and events

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('population', sa.String(length=32), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('share', sa.Numeric(precision=5, scale=4), nullable=True),
    sa.Column('sample_count', sa.Integer(), nullable=True),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('tolerance_percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('population_households', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("population IN ('proposed_identification', 'proposed_elimination', 'approved')", name=op.f('ck_audit_round_population_code')),
    sa.CheckConstraint('(share IS NULL) != (sample_count IS NULL)', name=op.f('ck_audit_round_share_or_count')),
    sa.CheckConstraint('period_start <= period_end', name=op.f('ck_audit_round_period_ordered')),
    sa.CheckConstraint('sample_count IS NULL OR sample_count >= 1', name=op.f('ck_audit_round_count_positive')),
    sa.CheckConstraint('share IS NULL OR (share > 0 AND share <= 1)', name=op.f('ck_audit_round_share_range')),
    sa.CheckConstraint('tolerance_percent >= 0', name=op.f('ck_audit_round_tolerance_not_negative')),
    sa.ForeignKeyConstraint(['county_id'], ['area.id'], name=op.f('fk_audit_round_county_id_area')),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_audit_round_created_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_round'))
    )
    with op.batch_alter_table('audit_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_round_county_id'), ['county_id'], unique=False)

    op.create_table('duty_rule_set',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('based_on', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['county_id'], ['area.id'], name=op.f('fk_duty_rule_set_county_id_area')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_rule_set')),
    sa.UniqueConstraint('county_id', name=op.f('uq_duty_rule_set_county_id'))
    )
    op.create_table('audit_auditor',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['audit_round.id'], name=op.f('fk_audit_auditor_round_id_audit_round'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['township_id'], ['area.id'], name=op.f('fk_audit_auditor_township_id_area')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_audit_auditor_user_id_app_user')),
    sa.PrimaryKeyConstraint('round_id', 'township_id', 'user_id', name=op.f('pk_audit_auditor'))
    )
    op.create_table('circle_layer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('layer', sa.String(length=8), nullable=False),
    sa.Column('suggested', sa.String(length=8), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('assessed_by_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("layer IN ('red', 'orange', 'yellow', 'blue')", name=op.f('ck_circle_layer_layer_code')),
    sa.CheckConstraint("suggested IS NULL OR suggested IN ('red', 'orange', 'yellow', 'blue')", name=op.f('ck_circle_layer_suggested_code')),
    sa.ForeignKeyConstraint(['assessed_by_id'], ['app_user.id'], name=op.f('fk_circle_layer_assessed_by_id_app_user')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_circle_layer_household_id_household'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circle_layer')),
    sa.UniqueConstraint('household_id', 'year', name='uq_circle_layer_household_year')
    )
    with op.batch_alter_table('circle_layer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_circle_layer_household_id'), ['household_id'], unique=False)

    op.create_table('duty_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('before', sa.String(length=36), nullable=True),
    sa.Column('after', sa.String(length=36), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("(action IN ('choose_rules', 'edit_rule')) = (household_id IS NULL)", name=op.f('ck_duty_event_household_unless_rules')),
    sa.CheckConstraint("action IN ('assign_cadre', 'assess_layer', 'record_visit', 'choose_rules', 'edit_rule')", name=op.f('ck_duty_event_action_code')),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_duty_event_actor_id_app_user')),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_duty_event_area_id_area')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_duty_event_household_id_household'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_event'))
    )
    with op.batch_alter_table('duty_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duty_event_household_id'), ['household_id'], unique=False)

    op.create_table('duty_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_set_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('applies_to', sa.String(length=8), nullable=False),
    sa.Column('applies_value', sa.String(length=16), nullable=False),
    sa.Column('kinds', sa.JSON(), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.CheckConstraint("(applies_to = 'status' AND applies_value IN ('unresolved', 'resolved')) OR (applies_to = 'layer' AND applies_value IN ('red', 'orange', 'yellow', 'blue'))", name=op.f('ck_duty_rule_value_fits_applies_to')),
    sa.CheckConstraint("applies_to IN ('status', 'layer')", name=op.f('ck_duty_rule_applies_to_code')),
    sa.CheckConstraint("period IN ('week', 'month', 'half_year', 'year')", name=op.f('ck_duty_rule_period_code')),
    sa.CheckConstraint('count >= 1', name=op.f('ck_duty_rule_count_positive')),
    sa.ForeignKeyConstraint(['rule_set_id'], ['duty_rule_set.id'], name=op.f('fk_duty_rule_rule_set_id_duty_rule_set'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_rule'))
    )
    with op.batch_alter_table('duty_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duty_rule_rule_set_id'), ['rule_set_id'], unique=False)

    op.create_table('responsible_cadre',
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_responsible_cadre_household_id_household'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_responsible_cadre_user_id_app_user')),
    sa.PrimaryKeyConstraint('household_id', name=op.f('pk_responsible_cadre'))
    )
    with op.batch_alter_table('responsible_cadre', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_responsible_cadre_user_id'), ['user_id'], unique=False)

    op.create_table('visit',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('cadre_id', sa.Integer(), nullable=False),
    sa.Column('visit_date', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('met', sa.Text(), nullable=False),
    sa.Column('member_changes', sa.Text(), nullable=False),
    sa.Column('income_change', sa.String(length=8), nullable=False),
    sa.Column('per_capita_income_fen', sa.BigInteger(), nullable=True),
    sa.Column('problems', sa.Text(), nullable=False),
    sa.Column('assistance', sa.Text(), nullable=False),
    sa.Column('measure_ids', sa.JSON(), nullable=False),
    sa.Column('photo_sha256', sa.String(length=64), nullable=True),
    sa.Column('risk_found', sa.Boolean(), nullable=False),
    sa.Column('risk_note', sa.Text(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("income_change IN ('none', 'up', 'down')", name=op.f('ck_visit_income_change_code')),
    sa.CheckConstraint("kind IN ('home_visit', 'call', 'wechat')", name=op.f('ck_visit_kind_code')),
    sa.CheckConstraint("photo_sha256 IS NULL OR kind = 'home_visit'", name=op.f('ck_visit_photo_only_home_visit')),
    sa.CheckConstraint("risk_found OR risk_note = ''", name=op.f('ck_visit_risk_note_only_with_risk')),
    sa.CheckConstraint('per_capita_income_fen IS NULL OR per_capita_income_fen >= 0', name=op.f('ck_visit_income_not_negative')),
    sa.ForeignKeyConstraint(['cadre_id'], ['app_user.id'], name=op.f('fk_visit_cadre_id_app_user')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_visit_household_id_household')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit'))
    )
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_cadre_id'), ['cadre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visit_household_id'), ['household_id'], unique=False)

    op.create_table('audit_sample',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.String(length=36), nullable=True),
    sa.Column('persons', sa.Integer(), nullable=False),
    sa.Column('auditor_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('village_answer', sa.Text(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("outcome IN ('pending', 'consistent', 'discrepancy')", name=op.f('ck_audit_sample_outcome_code')),
    sa.CheckConstraint("village_answer IS NULL OR outcome = 'discrepancy'", name=op.f('ck_audit_sample_answer_only_discrepancy')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['app_user.id'], name=op.f('fk_audit_sample_answered_by_id_app_user')),
    sa.ForeignKeyConstraint(['auditor_id'], ['app_user.id'], name=op.f('fk_audit_sample_auditor_id_app_user')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_audit_sample_household_id_household')),
    sa.ForeignKeyConstraint(['round_id'], ['audit_round.id'], name=op.f('fk_audit_sample_round_id_audit_round'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_audit_sample_submission_id_submission')),
    sa.ForeignKeyConstraint(['township_id'], ['area.id'], name=op.f('fk_audit_sample_township_id_area')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_sample')),
    sa.UniqueConstraint('round_id', 'household_id', name='uq_audit_sample_round_household')
    )
    with op.batch_alter_table('audit_sample', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_sample_auditor_id'), ['auditor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_sample_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_sample_round_id'), ['round_id'], unique=False)

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('sample_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("action IN ('draw', 'assign_auditor', 'receive_copy', 'answer')", name=op.f('ck_audit_event_action_code')),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_audit_event_actor_id_app_user')),
    sa.ForeignKeyConstraint(['round_id'], ['audit_round.id'], name=op.f('fk_audit_event_round_id_audit_round'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sample_id'], ['audit_sample.id'], name=op.f('fk_audit_event_sample_id_audit_sample'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_round_id'), ['round_id'], unique=False)

    op.create_table('audit_record',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('sample_id', sa.Integer(), nullable=False),
    sa.Column('auditor_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('differences', sa.JSON(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['auditor_id'], ['app_user.id'], name=op.f('fk_audit_record_auditor_id_app_user')),
    sa.ForeignKeyConstraint(['sample_id'], ['audit_sample.id'], name=op.f('fk_audit_record_sample_id_audit_sample'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_record')),
    sa.UniqueConstraint('sample_id', name=op.f('uq_audit_record_sample_id'))
    )


def downgrade():
    op.drop_table('audit_record')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_round_id'))

    op.drop_table('audit_event')
    with op.batch_alter_table('audit_sample', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_sample_round_id'))
        batch_op.drop_index(batch_op.f('ix_audit_sample_household_id'))
        batch_op.drop_index(batch_op.f('ix_audit_sample_auditor_id'))

    op.drop_table('audit_sample')
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_household_id'))
        batch_op.drop_index(batch_op.f('ix_visit_cadre_id'))

    op.drop_table('visit')
    with op.batch_alter_table('responsible_cadre', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_responsible_cadre_user_id'))

    op.drop_table('responsible_cadre')
    with op.batch_alter_table('duty_rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duty_rule_rule_set_id'))

    op.drop_table('duty_rule')
    with op.batch_alter_table('duty_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duty_event_household_id'))

    op.drop_table('duty_event')
    with op.batch_alter_table('circle_layer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_circle_layer_household_id'))

    op.drop_table('circle_layer')
    op.drop_table('audit_auditor')
    op.drop_table('duty_rule_set')
    with op.batch_alter_table('audit_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_round_county_id'))

    op.drop_table('audit_round')
