"""identification

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 08:55:09.041402

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assistance_measure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('measure_type', sa.String(length=32), nullable=False),
    sa.Column('measure_date', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("measure_type IN ('industry', 'employment', 'finance', 'public_welfare_job', 'health', 'education', 'social_security', 'housing', 'water', 'social_help')", name=op.f('ck_assistance_measure_measure_type_code')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_assistance_measure_household_id_household')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'], name=op.f('fk_assistance_measure_recorded_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assistance_measure'))
    )
    with op.batch_alter_table('assistance_measure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assistance_measure_household_id'), ['household_id'], unique=False)

    op.create_table('assessment_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.String(length=36), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['app_user.id'], name=op.f('fk_assessment_decision_decided_by_id_app_user')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_assessment_decision_submission_id_submission')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_decision')),
    sa.UniqueConstraint('submission_id', 'revision', name='uq_assessment_decision_submission_revision')
    )
    op.create_table('proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('risk_types', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('clue_date', sa.Date(), nullable=False),
    sa.Column('appraisal_date', sa.Date(), nullable=True),
    sa.Column('notice_start', sa.Date(), nullable=True),
    sa.Column('decided_date', sa.Date(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('source_submission_id', sa.String(length=36), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("(kind = 'identification' AND channel IN ('visit_screening', 'self_application', 'department_warning')) OR (kind = 'elimination' AND channel IN ('through_assistance', 'natural'))", name=op.f('ck_proposal_channel_fits_kind')),
    sa.CheckConstraint("(state IN ('approved', 'reversed')) = (decided_date IS NOT NULL)", name=op.f('ck_proposal_decided_date_iff_decided')),
    sa.CheckConstraint("NOT (state IN ('appraised', 'on_notice', 'awaiting_township', 'awaiting_county', 'approved', 'reversed')) OR appraisal_date IS NOT NULL", name=op.f('ck_proposal_appraisal_date_once_appraised')),
    sa.CheckConstraint("NOT (state IN ('on_notice', 'awaiting_township', 'awaiting_county', 'approved', 'reversed')) OR notice_start IS NOT NULL", name=op.f('ck_proposal_notice_start_once_noticed')),
    sa.CheckConstraint("category IN ('unstable_out_of_poverty', 'marginal', 'sudden_hardship')", name=op.f('ck_proposal_category_code')),
    sa.CheckConstraint("kind IN ('identification', 'elimination')", name=op.f('ck_proposal_kind_code')),
    sa.CheckConstraint("source_submission_id IS NULL OR channel = 'visit_screening'", name=op.f('ck_proposal_source_from_screening')),
    sa.CheckConstraint("state IN ('proposed', 'appraised', 'on_notice', 'awaiting_township', 'awaiting_county', 'approved', 'withdrawn', 'reversed')", name=op.f('ck_proposal_state_code')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_proposal_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_proposal_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_proposal_household_id_household')),
    sa.ForeignKeyConstraint(['source_submission_id'], ['submission.id'], name=op.f('fk_proposal_source_submission_id_submission')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal'))
    )
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_source_submission_id'), ['source_submission_id'], unique=False)

    op.create_table('monitoring_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=True),
    sa.Column('on_date', sa.Date(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("(proposal_id IS NULL) = (action IN ('not_proposed', 'record_measure'))", name=op.f('ck_monitoring_event_proposal_iff_transition')),
    sa.CheckConstraint("action IN ('propose', 'appraise', 'start_notice', 'object', 'submit', 'approve', 'reject', 'withdraw', 'reverse', 'not_proposed', 'record_measure')", name=op.f('ck_monitoring_event_action_code')),
    sa.CheckConstraint("from_state IS NULL OR (from_state IN ('proposed', 'appraised', 'on_notice', 'awaiting_township', 'awaiting_county', 'approved', 'withdrawn', 'reversed'))", name=op.f('ck_monitoring_event_from_state_code')),
    sa.CheckConstraint("to_state IS NULL OR (to_state IN ('proposed', 'appraised', 'on_notice', 'awaiting_township', 'awaiting_county', 'approved', 'withdrawn', 'reversed'))", name=op.f('ck_monitoring_event_to_state_code')),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_monitoring_event_actor_id_app_user')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_monitoring_event_household_id_household')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_monitoring_event_proposal_id_proposal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_event'))
    )
    with op.batch_alter_table('monitoring_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_event_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_event_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('objection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_objection_proposal_id_proposal')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'], name=op.f('fk_objection_recorded_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objection'))
    )
    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_objection_proposal_id'), ['proposal_id'], unique=False)



def downgrade():
    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objection_proposal_id'))

    op.drop_table('objection')
    with op.batch_alter_table('monitoring_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_event_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_monitoring_event_household_id'))

    op.drop_table('monitoring_event')
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_source_submission_id'))
        batch_op.drop_index(batch_op.f('ix_proposal_household_id'))
        batch_op.drop_index(batch_op.f('ix_proposal_campaign_id'))

    op.drop_table('proposal')
    op.drop_table('assessment_decision')
    with op.batch_alter_table('assistance_measure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assistance_measure_household_id'))

    op.drop_table('assistance_measure')
