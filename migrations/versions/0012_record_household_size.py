"""record household size: the household size its current revision's per-capita income was
computed over (members present and sharing income), a summary column like the others, so
the households export shows it beside that income instead of the roster's count

Filled from each record's current revision (its server result), in batches.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

"""
import json

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

BATCH = 2000


def upgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('household_size', sa.Integer(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT s.id, r.server_result FROM submission s "
        "JOIN submission_revision r ON r.submission_id = s.id AND r.number = s.revision")).fetchall()
    for start in range(0, len(rows), BATCH):
        sizes = []
        for record_id, result in rows[start:start + BATCH]:
            result = json.loads(result) if isinstance(result, str) else result
            size = ((result or {}).get("income") or {}).get("household_size")
            if size is not None:
                sizes.append({"id": record_id, "size": size})
        if sizes:
            connection.execute(sa.text("UPDATE submission SET household_size = :size WHERE id = :id"), sizes)


def downgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_column('household_size')
