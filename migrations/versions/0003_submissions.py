"""submissions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 08:23:49.861008

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attachment',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('received', sa.BigInteger(), nullable=False),
    sa.Column('complete', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("content_type IN ('image/jpeg', 'image/png')", name=op.f('ck_attachment_content_type_allowed')),
    sa.CheckConstraint('NOT complete OR received = size', name=op.f('ck_attachment_complete_when_received')),
    sa.CheckConstraint('received >= 0 AND received <= size', name=op.f('ck_attachment_received_within_size')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['app_user.id'], name=op.f('fk_attachment_uploaded_by_id_app_user')),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_attachment'))
    )
    op.create_table('submission',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('enumerator_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('result_mismatch', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('complete', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("status IN ('submitted', 'returned', 'approved')", name=op.f('ck_submission_status_code')),
    sa.CheckConstraint('revision >= 1', name=op.f('ck_submission_revision_positive')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_submission_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['enumerator_id'], ['app_user.id'], name=op.f('fk_submission_enumerator_id_app_user')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_submission_household_id_household')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission'))
    )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_enumerator_id'), ['enumerator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_household_id'), ['household_id'], unique=False)

    op.create_table('review_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.String(length=36), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['reviewer_id'], ['app_user.id'], name=op.f('fk_review_comment_reviewer_id_app_user')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_review_comment_submission_id_submission')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_comment'))
    )
    with op.batch_alter_table('review_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_comment_submission_id'), ['submission_id'], unique=False)

    op.create_table('review_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.String(length=36), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=False),
    sa.Column('to_state', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("action IN ('approve', 'return', 'resubmit', 'reopen')", name=op.f('ck_review_event_action_code')),
    sa.CheckConstraint("from_state IN ('submitted', 'returned', 'approved')", name=op.f('ck_review_event_from_state_code')),
    sa.CheckConstraint("to_state IN ('submitted', 'returned', 'approved')", name=op.f('ck_review_event_to_state_code')),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_review_event_actor_id_app_user')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_review_event_submission_id_submission')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_event'))
    )
    with op.batch_alter_table('review_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_event_submission_id'), ['submission_id'], unique=False)

    op.create_table('submission_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('form_version', sa.String(length=32), nullable=False),
    sa.Column('client_result', sa.JSON(), nullable=True),
    sa.Column('server_result', sa.JSON(), nullable=False),
    sa.Column('base_revision', sa.Integer(), nullable=True),
    sa.Column('enumerator_id', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['enumerator_id'], ['app_user.id'], name=op.f('fk_submission_revision_enumerator_id_app_user')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_submission_revision_submission_id_submission')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_revision')),
    sa.UniqueConstraint('submission_id', 'number', name='uq_submission_revision_submission_number')
    )
    op.create_table('sync_conflict',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.String(length=36), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('form_version', sa.String(length=32), nullable=False),
    sa.Column('base_revision', sa.Integer(), nullable=True),
    sa.Column('enumerator_id', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('resolved', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['enumerator_id'], ['app_user.id'], name=op.f('fk_sync_conflict_enumerator_id_app_user')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_sync_conflict_submission_id_submission')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_conflict'))
    )
    with op.batch_alter_table('sync_conflict', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_conflict_submission_id'), ['submission_id'], unique=False)

    op.create_table('revision_attachment',
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.CheckConstraint("kind IN ('signature', 'photo')", name=op.f('ck_revision_attachment_kind_code')),
    sa.ForeignKeyConstraint(['revision_id'], ['submission_revision.id'], name=op.f('fk_revision_attachment_revision_id_submission_revision'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('revision_id', 'sha256', name=op.f('pk_revision_attachment'))
    )
    with op.batch_alter_table('revision_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revision_attachment_sha256'), ['sha256'], unique=False)


def downgrade():
    with op.batch_alter_table('revision_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revision_attachment_sha256'))

    op.drop_table('revision_attachment')
    with op.batch_alter_table('sync_conflict', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_conflict_submission_id'))

    op.drop_table('sync_conflict')
    op.drop_table('submission_revision')
    with op.batch_alter_table('review_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_event_submission_id'))

    op.drop_table('review_event')
    with op.batch_alter_table('review_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_comment_submission_id'))

    op.drop_table('review_comment')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_household_id'))
        batch_op.drop_index(batch_op.f('ix_submission_enumerator_id'))
        batch_op.drop_index(batch_op.f('ix_submission_campaign_id'))

    op.drop_table('submission')
    op.drop_table('attachment')
