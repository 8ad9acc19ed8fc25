"""initial schema: areas, users, households, members, campaigns, assignments

Revision ID: 0001
Revises:
Create Date: 2026-11-22 07:41:22.910088

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("locale IS NULL OR locale IN ('zh_Hans', 'en')", name=op.f('ck_app_user_locale_code')),
    sa.CheckConstraint("role IN ('enumerator', 'village_reviewer', 'township_approver', 'county_approver', 'county_admin')", name=op.f('ck_app_user_role_code')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('username', name=op.f('uq_app_user_username'))
    )
    op.create_table('area',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=15), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('code_year', sa.Integer(), nullable=False),
    sa.CheckConstraint("(level = 'county') = (parent_id IS NULL)", name=op.f('ck_area_parent_by_level')),
    sa.CheckConstraint("(level = 'group' AND length(code) = 15) OR (level <> 'group' AND length(code) = 12)", name=op.f('ck_area_code_length')),
    sa.CheckConstraint("level IN ('county', 'township', 'village', 'group')", name=op.f('ck_area_level_code')),
    sa.ForeignKeyConstraint(['parent_id'], ['area.id'], name=op.f('fk_area_parent_id_area')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_area')),
    sa.UniqueConstraint('code', name=op.f('uq_area_code'))
    )
    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_area_parent_id'), ['parent_id'], unique=False)

    op.create_table('campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('form_version', sa.String(length=32), nullable=False),
    sa.Column('county_approval_enabled', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('public_notice_days', sa.Integer(), server_default='5', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint('public_notice_days >= 1', name=op.f('ck_campaign_notice_days_positive')),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_campaign_year_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign'))
    )
    op.create_table('login_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failure'))
    )
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failure_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failure_failed_at'), ['failed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failure_username'), ['username'], unique=False)

    op.create_table('household',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_number', sa.String(length=32), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('phone', sa.String(length=11), nullable=True),
    sa.Column('household_type', sa.String(length=32), nullable=False),
    sa.Column('poverty_subtype', sa.String(length=32), nullable=True),
    sa.Column('monitored_category', sa.String(length=32), nullable=True),
    sa.Column('without_labour', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('relocation_site', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("(household_type = 'out_of_poverty') = (poverty_subtype IS NOT NULL)", name=op.f('ck_household_subtype_iff_out_of_poverty')),
    sa.CheckConstraint("household_type IN ('ordinary', 'out_of_poverty')", name=op.f('ck_household_household_type_code')),
    sa.CheckConstraint("monitored_category IS NULL OR monitored_category IN ('unstable_out_of_poverty', 'marginal', 'sudden_hardship')", name=op.f('ck_household_monitored_category_code')),
    sa.CheckConstraint("poverty_subtype IS NULL OR poverty_subtype IN ('general', 'minimum_living', 'extreme_poverty')", name=op.f('ck_household_poverty_subtype_code')),
    sa.CheckConstraint('phone IS NULL OR length(phone) = 11', name=op.f('ck_household_phone_length')),
    sa.ForeignKeyConstraint(['group_id'], ['area.id'], name=op.f('fk_household_group_id_area')),
    sa.ForeignKeyConstraint(['village_id'], ['area.id'], name=op.f('fk_household_village_id_area')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household')),
    sa.UniqueConstraint('household_number', name=op.f('uq_household_household_number'))
    )
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_household_village_id'), ['village_id'], unique=False)

    op.create_table('monitoring_threshold',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount_fen > 0', name=op.f('ck_monitoring_threshold_amount_positive')),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_monitoring_threshold_area_id_area')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_monitoring_threshold_campaign_id_campaign'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_threshold')),
    sa.UniqueConstraint('campaign_id', 'year', 'area_id', name='uq_monitoring_threshold_campaign_year_area')
    )
    op.create_table('user_area',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_user_area_area_id_area'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_user_area_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'area_id', name=op.f('pk_user_area'))
    )
    with op.batch_alter_table('user_area', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_area_area_id'), ['area_id'], unique=False)

    op.create_table('assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('enumerator_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_assignment_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['enumerator_id'], ['app_user.id'], name=op.f('fk_assignment_enumerator_id_app_user')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_assignment_household_id_household'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment')),
    sa.UniqueConstraint('campaign_id', 'household_id', name='uq_assignment_campaign_household')
    )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_enumerator_id'), ['enumerator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_household_id'), ['household_id'], unique=False)

    op.create_table('member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('id_number', sa.String(length=20), nullable=False),
    sa.Column('sex', sa.String(length=8), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('ethnicity', sa.String(length=2), server_default='01', nullable=False),
    sa.Column('relation', sa.String(length=32), nullable=False),
    sa.Column('education_level', sa.String(length=32), nullable=True),
    sa.Column('schooling', sa.String(length=32), nullable=True),
    sa.Column('chronic_illness', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('serious_illness', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('disabled', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('disability_class', sa.String(length=1), nullable=True),
    sa.Column('labour_capacity', sa.String(length=16), nullable=False),
    sa.Column('months_worked', sa.Integer(), nullable=True),
    sa.Column('work_location', sa.String(length=32), nullable=True),
    sa.Column('public_welfare_job', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('residents_medical_insurance', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('employees_medical_insurance', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('pension_insurance', sa.String(length=16), nullable=True),
    sa.Column('minimum_living_allowance', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('extreme_poverty_support', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.CheckConstraint("disability_class IS NULL OR disability_class IN ('1', '2', '3', '4')", name=op.f('ck_member_disability_class_code')),
    sa.CheckConstraint("education_level IS NULL OR education_level IN ('illiterate', 'primary', 'junior_secondary', 'senior_secondary', 'secondary_vocational', 'higher_vocational', 'bachelor_or_above')", name=op.f('ck_member_education_level_code')),
    sa.CheckConstraint("ethnicity IN ('01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12', '13', '14', '15', '16', '17', '18', '19', '20', '21', '22', '23', '24', '25', '26', '27', '28', '29', '30', '31', '32', '33', '34', '35', '36', '37', '38', '39', '40', '41', '42', '43', '44', '45', '46', '47', '48', '49', '50', '51', '52', '53', '54', '55', '56', '97', '98')", name=op.f('ck_member_ethnicity_code')),
    sa.CheckConstraint("labour_capacity IN ('ordinary', 'skilled', 'weak', 'lost', 'none')", name=op.f('ck_member_labour_capacity_code')),
    sa.CheckConstraint("pension_insurance IS NULL OR pension_insurance IN ('residents', 'employees', 'none')", name=op.f('ck_member_pension_insurance_code')),
    sa.CheckConstraint("relation IN ('head', 'spouse', 'son', 'daughter', 'daughter_in_law', 'son_in_law', 'grandson', 'granddaughter', 'daughters_son', 'daughters_daughter', 'father', 'mother', 'father_in_law', 'mother_in_law', 'grandfather', 'grandmother', 'sibling', 'other')", name=op.f('ck_member_relation_code')),
    sa.CheckConstraint("schooling IS NULL OR schooling IN ('preschool', 'primary', 'junior_secondary', 'senior_secondary', 'secondary_vocational', 'higher_vocational', 'undergraduate', 'postgraduate')", name=op.f('ck_member_schooling_code')),
    sa.CheckConstraint("sex IN ('male', 'female')", name=op.f('ck_member_sex_code')),
    sa.CheckConstraint("work_location IS NULL OR work_location IN ('within_county', 'within_province', 'outside_province', 'abroad')", name=op.f('ck_member_work_location_code')),
    sa.CheckConstraint('disability_class IS NULL OR disabled', name=op.f('ck_member_disability_class_when_disabled')),
    sa.CheckConstraint('education_level IS NULL OR schooling IS NULL', name=op.f('ck_member_education_or_schooling')),
    sa.CheckConstraint('months_worked IS NULL OR months_worked BETWEEN 0 AND 12', name=op.f('ck_member_months_worked_range')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_member_household_id_household'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member')),
    sa.UniqueConstraint('id_number', name=op.f('uq_member_id_number'))
    )
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_household_id'), ['household_id'], unique=False)



def downgrade():
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_household_id'))

    op.drop_table('member')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_household_id'))
        batch_op.drop_index(batch_op.f('ix_assignment_enumerator_id'))

    op.drop_table('assignment')
    with op.batch_alter_table('user_area', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_area_area_id'))

    op.drop_table('user_area')
    op.drop_table('monitoring_threshold')
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_village_id'))
        batch_op.drop_index(batch_op.f('ix_household_group_id'))

    op.drop_table('household')
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failure_username'))
        batch_op.drop_index(batch_op.f('ix_login_failure_failed_at'))
        batch_op.drop_index(batch_op.f('ix_login_failure_address'))

    op.drop_table('login_failure')
    op.drop_table('campaign')
    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_area_parent_id'))

    op.drop_table('area')
    op.drop_table('app_user')
