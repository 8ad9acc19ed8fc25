"""the policy's hard rules as data: the public notice runs at least 5 days (campaigns set to
fewer now run 5) and may show health risk types; the clue-to-decision limit per campaign in
calendar or working days; the circle layers' line per year and area beside the monitoring
threshold (every campaign gets its county's line of 10,000 yuan, the old configured default);
an objection phone per village or township; identifications entered from the national
system (no campaign, no appraisal or notice here); "already monitored" as the village's
answer to a flagged record, with the risk types it changed

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

STATES = "'proposed', 'appraised', 'on_notice', 'awaiting_township', 'awaiting_county', 'approved', 'withdrawn', " \
         "'reversed'"
APPRAISED = "'appraised', 'on_notice', 'awaiting_township', 'awaiting_county', 'approved', 'reversed'"
NOTICED = "'on_notice', 'awaiting_township', 'awaiting_county', 'approved', 'reversed'"
TRANSITIONS = "'propose', 'appraise', 'start_notice', 'object', 'submit', 'approve', 'reject', 'withdraw', 'reverse'"
OLD_CHANNELS = "'visit_screening', 'self_application', 'department_warning'"
NEW_CHANNELS = OLD_CHANNELS + ", 'national_system'"
ELIMINATION_KINDS = "'through_assistance', 'natural'"
LAYER_LINE_FEN = 1_000_000  # what RUHU_CIRCLE_LAYER_THRESHOLD_FEN defaulted to


def _channel_fits_kind(channels: str) -> str:
    return f"(kind = 'identification' AND channel IN ({channels})) OR " \
           f"(kind = 'elimination' AND channel IN ({ELIMINATION_KINDS}))"


def upgrade():
    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.add_column(sa.Column('objection_phone', sa.String(length=20), nullable=True))

    op.execute("UPDATE campaign SET public_notice_days = 5 WHERE public_notice_days < 5")
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_shows_health', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('decision_days_limit', sa.Integer(), server_default='15', nullable=False))
        batch_op.add_column(sa.Column('decision_day_count', sa.String(length=16), server_default='calendar',
                                      nullable=False))
        batch_op.drop_constraint(op.f('ck_campaign_notice_days_positive'), type_='check')
        batch_op.create_check_constraint(op.f('ck_campaign_notice_days_at_least_five'), 'public_notice_days >= 5')
        batch_op.create_check_constraint(op.f('ck_campaign_decision_days_positive'), 'decision_days_limit >= 1')
        batch_op.create_check_constraint(op.f('ck_campaign_decision_day_count_code'),
                                         "decision_day_count IN ('calendar', 'working')")

    with op.batch_alter_table('monitoring_threshold', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='monitoring', nullable=False))
        batch_op.drop_constraint(op.f('uq_monitoring_threshold_campaign_year_area'), type_='unique')
        batch_op.create_unique_constraint(op.f('uq_monitoring_threshold_campaign_kind_year_area'),
                                          ['campaign_id', 'kind', 'year', 'area_id'])
        batch_op.create_check_constraint(op.f('ck_monitoring_threshold_kind_code'),
                                         "kind IN ('monitoring', 'circle_layer')")
    op.execute(f"INSERT INTO monitoring_threshold (campaign_id, kind, year, area_id, amount_fen) "
               f"SELECT campaign.id, 'circle_layer', campaign.year, area.id, {LAYER_LINE_FEN} "
               f"FROM campaign, area WHERE area.level = 'county'")

    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.alter_column('campaign_id', existing_type=sa.Integer(), nullable=True)
        for name in ('channel_fits_kind', 'appraisal_date_once_appraised', 'notice_start_once_noticed'):
            batch_op.drop_constraint(op.f(f'ck_proposal_{name}'), type_='check')
        batch_op.create_check_constraint(op.f('ck_proposal_channel_fits_kind'), _channel_fits_kind(NEW_CHANNELS))
        batch_op.create_check_constraint(
            op.f('ck_proposal_appraisal_date_once_appraised'),
            f"NOT (state IN ({APPRAISED})) OR appraisal_date IS NOT NULL OR channel = 'national_system'")
        batch_op.create_check_constraint(
            op.f('ck_proposal_notice_start_once_noticed'),
            f"NOT (state IN ({NOTICED})) OR notice_start IS NOT NULL OR channel = 'national_system'")
        batch_op.create_check_constraint(op.f('ck_proposal_campaign_unless_national'),
                                         "(campaign_id IS NULL) = (channel = 'national_system')")

    with op.batch_alter_table('monitoring_event', schema=None) as batch_op:
        batch_op.alter_column('action', existing_type=sa.String(length=16), type_=sa.String(length=20),
                              existing_nullable=False)  # 'already_monitored' is 17 characters
        batch_op.add_column(sa.Column('changes', sa.JSON(), nullable=True))
        batch_op.drop_constraint(op.f('ck_monitoring_event_action_code'), type_='check')
        batch_op.drop_constraint(op.f('ck_monitoring_event_proposal_iff_transition'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_monitoring_event_action_code'),
            f"action IN ({TRANSITIONS}, 'national_entry', 'not_proposed', 'record_measure', 'already_monitored')")
        batch_op.create_check_constraint(
            op.f('ck_monitoring_event_proposal_fits_action'),
            f"(proposal_id IS NOT NULL) = (action IN ({TRANSITIONS}, 'national_entry')) "
            "OR action = 'already_monitored'")

    with op.batch_alter_table('assessment_decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome', sa.String(length=20), server_default='not_proposed', nullable=False))
        batch_op.create_check_constraint(op.f('ck_assessment_decision_outcome_code'),
                                         "outcome IN ('not_proposed', 'already_monitored')")

    with op.batch_alter_table('village_figures', schema=None) as batch_op:
        batch_op.alter_column('layer_threshold_fen', existing_type=sa.BigInteger(), nullable=True)


def downgrade():
    # What the old schema cannot hold goes: stored figures of villages without a layer line (a
    # cache), "already monitored" answers (they would read as "not proposed"), the events the
    # old schema has no action for, identifications entered from the national system.
    op.execute("DELETE FROM village_figures WHERE layer_threshold_fen IS NULL")
    with op.batch_alter_table('village_figures', schema=None) as batch_op:
        batch_op.alter_column('layer_threshold_fen', existing_type=sa.BigInteger(), nullable=False)

    op.execute("DELETE FROM assessment_decision WHERE outcome = 'already_monitored'")
    with op.batch_alter_table('assessment_decision', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_assessment_decision_outcome_code'), type_='check')
        batch_op.drop_column('outcome')

    op.execute("DELETE FROM monitoring_event WHERE action IN ('already_monitored', 'national_entry')")
    with op.batch_alter_table('monitoring_event', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_monitoring_event_proposal_fits_action'), type_='check')
        batch_op.drop_constraint(op.f('ck_monitoring_event_action_code'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_monitoring_event_action_code'), f"action IN ({TRANSITIONS}, 'not_proposed', 'record_measure')")
        batch_op.create_check_constraint(
            op.f('ck_monitoring_event_proposal_iff_transition'),
            "(proposal_id IS NULL) = (action IN ('not_proposed', 'record_measure'))")
        batch_op.drop_column('changes')
        batch_op.alter_column('action', existing_type=sa.String(length=20), type_=sa.String(length=16),
                              existing_nullable=False)

    op.execute("DELETE FROM objection WHERE proposal_id IN (SELECT id FROM proposal WHERE channel = 'national_system')")
    op.execute("DELETE FROM proposal WHERE channel = 'national_system'")
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        for name in ('campaign_unless_national', 'notice_start_once_noticed', 'appraisal_date_once_appraised',
                     'channel_fits_kind'):
            batch_op.drop_constraint(op.f(f'ck_proposal_{name}'), type_='check')
        batch_op.create_check_constraint(op.f('ck_proposal_channel_fits_kind'), _channel_fits_kind(OLD_CHANNELS))
        batch_op.create_check_constraint(op.f('ck_proposal_appraisal_date_once_appraised'),
                                         f"NOT (state IN ({APPRAISED})) OR appraisal_date IS NOT NULL")
        batch_op.create_check_constraint(op.f('ck_proposal_notice_start_once_noticed'),
                                         f"NOT (state IN ({NOTICED})) OR notice_start IS NOT NULL")
        batch_op.alter_column('campaign_id', existing_type=sa.Integer(), nullable=False)

    op.execute("DELETE FROM monitoring_threshold WHERE kind <> 'monitoring'")
    with op.batch_alter_table('monitoring_threshold', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_monitoring_threshold_kind_code'), type_='check')
        batch_op.drop_constraint(op.f('uq_monitoring_threshold_campaign_kind_year_area'), type_='unique')
        batch_op.create_unique_constraint(op.f('uq_monitoring_threshold_campaign_year_area'),
                                          ['campaign_id', 'year', 'area_id'])
        batch_op.drop_column('kind')

    with op.batch_alter_table('campaign', schema=None) as batch_op:
        for name in ('decision_day_count_code', 'decision_days_positive', 'notice_days_at_least_five'):
            batch_op.drop_constraint(op.f(f'ck_campaign_{name}'), type_='check')
        batch_op.create_check_constraint(op.f('ck_campaign_notice_days_positive'), 'public_notice_days >= 1')
        batch_op.drop_column('decision_day_count')
        batch_op.drop_column('decision_days_limit')
        batch_op.drop_column('notice_shows_health')

    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.drop_column('objection_phone')
