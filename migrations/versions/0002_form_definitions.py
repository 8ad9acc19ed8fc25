"""form definitions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 07:54:24.208669

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_definition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['published_by_id'], ['app_user.id'], name=op.f('fk_form_definition_published_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_definition')),
    sa.UniqueConstraint('version', name=op.f('uq_form_definition_version'))
    )


def downgrade():
    op.drop_table('form_definition')
