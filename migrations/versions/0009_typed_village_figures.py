"""typed village figures: each stored count is a field of app.figures.counts.Counts (counts
by status, bin, layer, queue key … as nested objects and lists) instead of a name parsed back
from a string such as ``queue:<enumerator>:<status>:<flag>:<unexplained>``

The table is a cache: its rows are deleted, and every village is counted again in the new
form at its next view. Downgrading deletes them too, for the old code to count again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM village_figures")


def downgrade():
    op.execute("DELETE FROM village_figures")
