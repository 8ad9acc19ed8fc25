"""identity key: every member's person key (the first 18 characters of the ID number,
normalised: identity.person_key), and record_person, the people of every record's current
revision (with its household and campaign), so that one person in two households is found by
an index lookup

Both are filled here for the rows that exist: keys from the stored ID numbers, and the
people of each record's current revision.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02

"""
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

PAGE = 2000
# As app.typed and app.identity at the time of this migration (a migration is a snapshot).
REMOVED = re.compile('[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u200b-\u200d\u2060\ufeff]')
WELL_FORMED = re.compile('[0-9]{17}[0-9X]([0-9]{2})?')


def person_key(text):
    number = REMOVED.sub('', unicodedata.normalize('NFKC', text)).upper() if isinstance(text, str) else ''
    return number[:18] if WELL_FORMED.fullmatch(number) else None


def people_of(answers):
    """As app.households.people.people_of: person key → whether the record says they live there."""
    found = {}
    for member in (answers or {}).get('members') or []:
        key = person_key(member.get('id_number')) if isinstance(member, dict) else None
        if key:
            found[key] = found.get(key, False) or member.get('status', 'present') == 'present'
    return found

members = sa.table('member', sa.column('id', sa.Integer), sa.column('id_number', sa.String),
                   sa.column('person_key', sa.String))
submissions = sa.table('submission', sa.column('id', sa.String), sa.column('household_id', sa.Integer),
                       sa.column('campaign_id', sa.Integer), sa.column('revision', sa.Integer))
revisions = sa.table('submission_revision', sa.column('submission_id', sa.String), sa.column('number', sa.Integer),
                     sa.column('answers', sa.JSON))
record_people = sa.table('record_person', sa.column('submission_id', sa.String), sa.column('person_key', sa.String),
                         sa.column('household_id', sa.Integer), sa.column('campaign_id', sa.Integer),
                         sa.column('present', sa.Boolean))


def _pages(connection, query, key):
    """Rows in pages of PAGE by ``key``, so that a county's records are never all in memory."""
    after = None
    while True:
        page = connection.execute((query if after is None else query.where(key > after)).order_by(key)
                                  .limit(PAGE)).all()
        if not page:
            return
        yield page
        after = page[-1][0]


def _fill(connection):
    for page in _pages(connection, sa.select(members.c.id, members.c.id_number), members.c.id):
        connection.execute(members.update().where(members.c.id == sa.bindparam('member_id'))
                           .values(person_key=sa.bindparam('key')),
                           [{'member_id': row.id, 'key': person_key(row.id_number)} for row in page])
    current = sa.select(submissions.c.id, submissions.c.household_id, submissions.c.campaign_id,
                        revisions.c.answers).join(revisions, sa.and_(
        revisions.c.submission_id == submissions.c.id, revisions.c.number == submissions.c.revision))
    for page in _pages(connection, current, submissions.c.id):
        rows = [{'submission_id': row.id, 'person_key': key, 'household_id': row.household_id,
                 'campaign_id': row.campaign_id, 'present': present}
                for row in page for key, present in people_of(row.answers).items()]
        if rows:
            connection.execute(record_people.insert(), rows)


def upgrade():
    op.create_table('record_person',
    sa.Column('submission_id', sa.String(length=36), nullable=False),
    sa.Column('person_key', sa.String(length=18), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_record_person_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_record_person_household_id_household')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_record_person_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_id', 'person_key', name=op.f('pk_record_person'))
    )
    with op.batch_alter_table('record_person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_person_person_key'), ['person_key'], unique=False)

    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('person_key', sa.String(length=18), nullable=True))
        batch_op.create_index(batch_op.f('ix_member_person_key'), ['person_key'], unique=False)

    _fill(op.get_bind())


def downgrade():
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_person_key'))
        batch_op.drop_column('person_key')

    with op.batch_alter_table('record_person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_person_person_key'))

    op.drop_table('record_person')
