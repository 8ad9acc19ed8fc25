"""department warnings: the departments' code table (seeded with the eight of DOMAIN §13,
names in Chinese and English), the warning lists as imported with their rows, the clues made
from them with their events, and each campaign's time limits for a clue's steps

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

# As app.clues.models.DEPARTMENTS at the time of this migration (a migration is a snapshot).
DEPARTMENTS = (
    ("medical_insurance", "医保", "Medical insurance"),
    ("civil_affairs", "民政", "Civil affairs"),
    ("disabled_federation", "残联", "Disabled persons' federation"),
    ("education", "教育", "Education"),
    ("housing", "住建", "Housing and construction"),
    ("emergency", "应急", "Emergency management"),
    ("human_resources", "人社", "Human resources and social security"),
    ("assistance_platform", "政府救助平台", "Provincial assistance platform"),
)


def upgrade():
    op.create_table('department',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name_zh', sa.String(length=50), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_department'))
    )
    op.bulk_insert(sa.table('department', sa.column('code', sa.String), sa.column('name_zh', sa.String),
                            sa.column('name_en', sa.String)),
                   [{'code': code, 'name_zh': zh, 'name_en': en} for code, zh, en in DEPARTMENTS])
    op.create_table('warning_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_code', sa.String(length=32), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('file_hash', sa.String(length=64), nullable=False),
    sa.Column('pushed_on', sa.Date(), nullable=False),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('rows_matched', sa.Integer(), nullable=False),
    sa.Column('rows_not_found', sa.Integer(), nullable=False),
    sa.Column('rows_already_imported', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['department_code'], ['department.code'], name=op.f('fk_warning_list_department_code_department')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['app_user.id'], name=op.f('fk_warning_list_uploaded_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warning_list')),
    sa.UniqueConstraint('department_code', 'file_hash', name=op.f('uq_warning_list_department_file_hash'))
    )
    with op.batch_alter_table('warning_list', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_warning_list_department_code'), ['department_code'], unique=False)

    op.create_table('clue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('pushed_on', sa.Date(), nullable=False),
    sa.Column('verify_due', sa.Date(), nullable=False),
    sa.Column('village_review_due', sa.Date(), nullable=False),
    sa.Column('township_review_due', sa.Date(), nullable=False),
    sa.Column('result', sa.String(length=16), nullable=True),
    sa.Column('result_reason', sa.Text(), nullable=False),
    sa.Column('result_note', sa.Text(), nullable=False),
    sa.Column('photo_sha256', sa.String(length=64), nullable=True),
    sa.Column('verified_on', sa.Date(), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("result IS NULL OR result IN ('no_risk', 'risk_found', 'not_found', 'moved')", name=op.f('ck_clue_result_code')),
    sa.CheckConstraint("state IN ('pushed', 'assigned', 'verified', 'village_reviewed', 'referred', 'closed')", name=op.f('ck_clue_state_code')),
    sa.CheckConstraint('(result IS NULL) = (verified_on IS NULL)', name=op.f('ck_clue_verified_on_iff_result')),
    sa.ForeignKeyConstraint(['assignee_id'], ['app_user.id'], name=op.f('fk_clue_assignee_id_app_user')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_clue_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_clue_household_id_household')),
    sa.ForeignKeyConstraint(['list_id'], ['warning_list.id'], name=op.f('fk_clue_list_id_warning_list'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_clue_proposal_id_proposal')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['app_user.id'], name=op.f('fk_clue_reviewed_by_id_app_user')),
    sa.ForeignKeyConstraint(['verified_by_id'], ['app_user.id'], name=op.f('fk_clue_verified_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clue')),
    sa.UniqueConstraint('list_id', 'household_id', name=op.f('uq_clue_list_household'))
    )
    with op.batch_alter_table('clue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clue_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clue_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clue_list_id'), ['list_id'], unique=False)

    op.create_table('clue_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clue_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('changes', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('client_id', sa.String(length=36), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("action IN ('assign', 'verify', 'village_review', 'send_back', 'approve', 'return', 'refer', 'conclude', 'push')", name=op.f('ck_clue_event_action_code')),
    sa.CheckConstraint("from_state IS NULL OR from_state IN ('pushed', 'assigned', 'verified', 'village_reviewed', 'referred', 'closed')", name=op.f('ck_clue_event_from_state_code')),
    sa.CheckConstraint("to_state IN ('pushed', 'assigned', 'verified', 'village_reviewed', 'referred', 'closed')", name=op.f('ck_clue_event_to_state_code')),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_clue_event_actor_id_app_user')),
    sa.ForeignKeyConstraint(['clue_id'], ['clue.id'], name=op.f('fk_clue_event_clue_id_clue'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clue_event')),
    sa.UniqueConstraint('client_id', name=op.f('uq_clue_event_client_id'))
    )
    with op.batch_alter_table('clue_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clue_event_clue_id'), ['clue_id'], unique=False)

    op.create_table('warning_row',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('department_code', sa.String(length=32), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('id_number', sa.String(length=20), nullable=False),
    sa.Column('person_key', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('event_date', sa.Date(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('clue_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('amount_fen IS NULL OR amount_fen >= 0', name=op.f('ck_warning_row_amount_not_negative')),
    sa.ForeignKeyConstraint(['clue_id'], ['clue.id'], name=op.f('fk_warning_row_clue_id_clue')),
    sa.ForeignKeyConstraint(['department_code'], ['department.code'], name=op.f('fk_warning_row_department_code_department')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_warning_row_household_id_household')),
    sa.ForeignKeyConstraint(['list_id'], ['warning_list.id'], name=op.f('fk_warning_row_list_id_warning_list'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_warning_row_member_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warning_row')),
    sa.UniqueConstraint('department_code', 'person_key', 'reason', 'event_date', name=op.f('uq_warning_row_identity'))
    )
    with op.batch_alter_table('warning_row', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_warning_row_clue_id'), ['clue_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_warning_row_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_warning_row_list_id'), ['list_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_warning_row_person_key'), ['person_key'], unique=False)

    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('clue_verify_days', sa.Integer(), server_default='15', nullable=False))
        batch_op.add_column(sa.Column('clue_village_review_days', sa.Integer(), server_default='5', nullable=False))
        batch_op.add_column(sa.Column('clue_township_review_days', sa.Integer(), server_default='5', nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_campaign_clue_days_positive'),
            'clue_verify_days >= 1 AND clue_village_review_days >= 1 AND clue_township_review_days >= 1')



def downgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_campaign_clue_days_positive'), type_='check')
        batch_op.drop_column('clue_township_review_days')
        batch_op.drop_column('clue_village_review_days')
        batch_op.drop_column('clue_verify_days')

    with op.batch_alter_table('warning_row', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_warning_row_person_key'))
        batch_op.drop_index(batch_op.f('ix_warning_row_list_id'))
        batch_op.drop_index(batch_op.f('ix_warning_row_household_id'))
        batch_op.drop_index(batch_op.f('ix_warning_row_clue_id'))

    op.drop_table('warning_row')
    with op.batch_alter_table('clue_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clue_event_clue_id'))

    op.drop_table('clue_event')
    with op.batch_alter_table('clue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clue_list_id'))
        batch_op.drop_index(batch_op.f('ix_clue_household_id'))
        batch_op.drop_index(batch_op.f('ix_clue_assignee_id'))

    op.drop_table('clue')
    with op.batch_alter_table('warning_list', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_warning_list_department_code'))

    op.drop_table('warning_list')
    op.drop_table('department')
