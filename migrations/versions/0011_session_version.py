"""users: a session version that ends every session of a user when it moves on (sign-out,
password change or reset, deactivation), and a flag that makes a user choose a new password
at the next sign-in (after an admin's reset)

Every session signed in before this revision names its user without a version and is
refused: everyone signs in once more.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('password_change_required', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('password_change_required')
        batch_op.drop_column('session_version')
