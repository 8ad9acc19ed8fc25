"""one census record per household per campaign: a unique constraint on (household, campaign);
a second record of a household becomes a conflict copy beside the first (kind
"household_recorded", with the phone's id as ``record_id``); conflicts keep the phone's result
and files and say how the village resolved them; the review actions "take_copy" and
"keep_stored"

Households that already have two or more records in one campaign keep one: the approved one,
else the earliest. Each other record's current answers (what was collected in the field) are
kept as a household_recorded conflict copy beside it, with the phone's result and files, for
the village to resolve; that record's own rows (revisions, review events and comments) are
then removed, as the constraint requires.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

ACTIONS_BEFORE = "('approve', 'return', 'resubmit', 'reopen')"
ACTIONS_AFTER = "('approve', 'return', 'resubmit', 'reopen', 'take_copy', 'keep_stored')"


def _fold_duplicates():
    """Keep one record per (household, campaign); the others become conflict copies."""
    connection = op.get_bind()
    groups = connection.execute(sa.text(
        "SELECT household_id, campaign_id FROM submission GROUP BY household_id, campaign_id HAVING count(*) > 1"))
    for household_id, campaign_id in groups.fetchall():
        records = connection.execute(sa.text(
            "SELECT id FROM submission WHERE household_id = :household AND campaign_id = :campaign "
            "ORDER BY CASE WHEN status = 'approved' THEN 0 ELSE 1 END, created_at, id"),
            {"household": household_id, "campaign": campaign_id}).scalars().all()
        kept, others = records[0], records[1:]
        for other in others:
            connection.execute(sa.text(
                "INSERT INTO sync_conflict (submission_id, kind, record_id, answers, content_sha256, form_version, "
                "base_revision, client_result, attachments, enumerator_id, received_at, resolved) "
                "SELECT :kept, 'household_recorded', s.id, r.answers, r.content_sha256, r.form_version, NULL, "
                "r.client_result, NULL, r.enumerator_id, r.received_at, :no "
                "FROM submission s JOIN submission_revision r ON r.submission_id = s.id AND r.number = s.revision "
                "WHERE s.id = :other"), {"kept": kept, "other": other, "no": False})
            # Conflicts already kept beside the removed record move to the one kept.
            connection.execute(sa.text("UPDATE sync_conflict SET submission_id = :kept WHERE submission_id = :other"),
                               {"kept": kept, "other": other})
            for table in ("review_comment", "review_event"):
                connection.execute(sa.text(f"DELETE FROM {table} WHERE submission_id = :other"), {"other": other})
            connection.execute(sa.text(
                "DELETE FROM revision_attachment WHERE revision_id IN "
                "(SELECT id FROM submission_revision WHERE submission_id = :other)"), {"other": other})
            connection.execute(sa.text("DELETE FROM submission_revision WHERE submission_id = :other"),
                               {"other": other})
            connection.execute(sa.text("DELETE FROM submission WHERE id = :other"), {"other": other})


def upgrade():
    with op.batch_alter_table('sync_conflict', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=24), server_default='content', nullable=False))
        batch_op.add_column(sa.Column('record_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('client_result', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('attachments', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('resolution', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('resolved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_sync_conflict_record_id'), ['record_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_sync_conflict_resolved_by_id_app_user'), 'app_user',
                                    ['resolved_by_id'], ['id'])
    # Conflicts resolved before resolutions were named: the stored record was kept.
    op.execute("UPDATE sync_conflict SET resolution = 'kept', resolved_at = received_at WHERE resolved")
    _fold_duplicates()
    with op.batch_alter_table('sync_conflict', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_sync_conflict_kind_code'), "kind IN ('content', 'household_recorded')")
        batch_op.create_check_constraint(op.f('ck_sync_conflict_resolution_code'),
                                         "resolution IS NULL OR resolution IN ('kept', 'taken')")
        batch_op.create_check_constraint(
            op.f('ck_sync_conflict_resolved_iff_resolution'),
            "resolved = (resolution IS NOT NULL) AND resolved = (resolved_at IS NOT NULL)")
        batch_op.create_check_constraint(op.f('ck_sync_conflict_record_id_iff_second_record'),
                                         "(kind = 'household_recorded') = (record_id IS NOT NULL)")
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_submission_household_campaign', ['household_id', 'campaign_id'])
    with op.batch_alter_table('review_event', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_review_event_action_code'), type_='check')
        batch_op.create_check_constraint(op.f('ck_review_event_action_code'), f"action IN {ACTIONS_AFTER}")


def downgrade():
    op.execute("DELETE FROM review_event WHERE action IN ('take_copy', 'keep_stored')")
    with op.batch_alter_table('review_event', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_review_event_action_code'), type_='check')
        batch_op.create_check_constraint(op.f('ck_review_event_action_code'), f"action IN {ACTIONS_BEFORE}")
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_constraint('uq_submission_household_campaign', type_='unique')
    with op.batch_alter_table('sync_conflict', schema=None) as batch_op:
        for name in ('record_id_iff_second_record', 'resolved_iff_resolution', 'resolution_code', 'kind_code'):
            batch_op.drop_constraint(op.f(f'ck_sync_conflict_{name}'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_sync_conflict_resolved_by_id_app_user'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_sync_conflict_record_id'))
        for column in ('resolved_at', 'resolved_by_id', 'resolution', 'attachments', 'client_result', 'record_id',
                       'kind'):
            batch_op.drop_column(column)
