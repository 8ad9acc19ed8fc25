"""jobs: long work run by the background worker (exports, the recount of village figures),
with its owner and the areas they covered, progress, error, result file and expiry; a unique
key held only while a job is queued or running, so the same thing is never queued twice

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('scope', sa.String(length=400), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('active_key', sa.String(length=64), nullable=True),
        sa.Column('rows_done', sa.Integer(), nullable=False),
        sa.Column('rows_total', sa.Integer(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('result_path', sa.String(length=300), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed', 'expired')",
                           name=op.f('ck_job_state_code')),
        sa.ForeignKeyConstraint(['owner_id'], ['app_user.id'], name=op.f('fk_job_owner_id_app_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job')),
        sa.UniqueConstraint('active_key', name=op.f('uq_job_active_key')),
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_expires_at'))
        batch_op.drop_index(batch_op.f('ix_job_owner_id'))
    op.drop_table('job')
