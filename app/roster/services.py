"""Roster import verbs: check a roster against the database, and import it all or nothing.

``check`` reads what the file names from the database in a few queries and returns the
plan (counts and every problem). ``import_roster`` builds the same plan against the
database as it is now and writes it in one transaction, only when there is no problem.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import current_app
from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from app import clock
from app.codes import N_
from app.extensions import db
from app.figures.models import mark_changed
from app.files import sheets
from app.files.cells import Problem
from app.geo.models import Area
from app.households.models import Household, Member
from app.households.scope import household_filter, scope_of
from app.monitoring import services as monitoring
from app.monitoring.models import Proposal
from app.roster import checks
from app.roster.plan import HOUSEHOLD_FIELDS, MEMBER_FIELDS, MEMBER_UPDATED, Facts, Plan, build

# Keys per IN (...) query: well under every database's limit on bound parameters.
CHUNK = 500
NEEDS_ACTOR = N_("文件中有 %(count)s 户是全国系统认定的监测对象：请用 --as 指定导入的县级管理员，"
                 "以便记录是谁纳入了这些监测对象")


class RosterConflict(Exception):
    """The database changed between the check and the write; nothing was imported."""


def check(sheet: sheets.Sheet, user=None, count: Callable[[Iterable], Iterable] = iter) -> Plan:
    """The dry run: what importing would do, and every problem. ``user`` limits the villages
    to that admin's areas; without one, any known village is accepted (command line).
    ``count`` sees each row go by as it is checked (the import job's progress)."""
    parsed = checks.parse(sheet, count)
    plan = build(parsed, _facts(parsed, user))
    if user is None and plan.national_entries:
        # An identification entered from the national system is an audited change: it needs a name.
        plan.problems.append(Problem(None, parsed.header("monitored_category"), None, NEEDS_ACTOR,
                                            {"count": len(plan.national_entries)}))
    return plan


def import_roster(sheet: sheets.Sheet, user=None, count: Callable[[Iterable], Iterable] = iter) -> tuple[Plan, bool]:
    """Check, then write in one transaction when there is no problem. Returns (plan, imported)."""
    plan = check(sheet, user, count)
    if not plan.ok:
        db.session.rollback()
        return plan, False
    try:
        _apply(plan, user)
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise RosterConflict from error
    counts = plan.counts
    current_app.logger.info(
        "Roster imported by %s: households %d new, %d changed; members %d new, %d changed",
        getattr(user, "username", "command line"), counts.households_new, counts.households_changed,
        counts.members_new, counts.members_changed,
    )
    return plan, True


def _chunks(keys: list[str]):
    for start in range(0, len(keys), CHUNK):
        yield keys[start:start + CHUNK]


def _facts(parsed: checks.Parsed, user) -> Facts:
    villages = dict(db.session.execute(select(Area.code, Area.id).where(Area.level == "village")).all())
    groups = {code: (area_id, parent_id) for code, area_id, parent_id in db.session.execute(
        select(Area.code, Area.id, Area.parent_id).where(Area.level == "group"))}

    numbers = list(parsed.households)
    households = {}
    household_columns = [getattr(Household, name) for name in HOUSEHOLD_FIELDS]
    for chunk in _chunks(numbers):
        for row in db.session.execute(select(Household.household_number, Household.id, *household_columns)
                                      .where(Household.household_number.in_(chunk))):
            households[row.household_number] = row._asdict()

    # The people the file names, and every stored member of the households it names.
    member_query = (select(Member.id, Member.id_number, Member.person_key,
                           *(getattr(Member, name) for name in MEMBER_FIELDS),
                           Household.household_number, Household.village_id, Household.group_id)
                    .join(Household, Household.id == Member.household_id))
    members = {}
    for condition, keys in ((Member.person_key.in_, parsed.person_keys), (Household.household_number.in_, numbers)):
        for chunk in _chunks(keys):
            for row in db.session.execute(member_query.where(condition(chunk))):
                members[row.person_key or row.id_number] = row._asdict()

    decided = set()
    for chunk in _chunks(numbers):
        decided.update(db.session.scalars(
            select(Household.household_number).where(Household.household_number.in_(chunk), or_(
                Household.monitored_category.is_not(None),
                Household.id.in_(select(Proposal.household_id).where(Proposal.state != "withdrawn"))))))

    if user is None:
        covers = None
        households_in_scope = db.session.scalar(select(func.count(Household.id)))
        members_in_scope = db.session.scalar(select(func.count(Member.id)))
    else:
        covers = scope_of(user).covers
        households_in_scope = db.session.scalar(select(func.count(Household.id)).where(household_filter(user)))
        members_in_scope = db.session.scalar(
            select(func.count(Member.id)).join(Household, Household.id == Member.household_id)
            .where(household_filter(user)))
    return Facts(villages, groups, covers, households, members, households_in_scope, members_in_scope,
                 frozenset(decided), clock.today())


def _apply(plan: Plan, user) -> None:
    """Core executemany statements: the ORM's bulk paths split rows into many small batches.
    Monitored households of the national system enter through the monitoring verb."""
    households, members = Household.__table__, Member.__table__
    household_ids = dict(plan.stored_household_ids)
    if plan.household_inserts:
        inserted = db.session.execute(insert(households).returning(households.c.household_number, households.c.id),
                                      plan.household_inserts)
        household_ids.update(inserted.all())
    if plan.household_updates:
        db.session.execute(_update_by_id(households, HOUSEHOLD_FIELDS), _keyed(plan.household_updates))
    if plan.member_inserts:
        db.session.execute(insert(members), [{**values, "household_id": household_ids[number]}
                                             for number, values in plan.member_inserts])
    if plan.member_updates:
        db.session.execute(_update_by_id(members, MEMBER_UPDATED), _keyed(plan.member_updates))
    if plan.national_entries:
        monitoring.enter_from_national_system(user, [(household_ids[entry.household_number], entry.category,
                                                      entry.since) for entry in plan.national_entries])
    # Core statements pass the ORM's change listener by; an import is rare and may touch any
    # village, so every village's dashboard figures are counted again.
    mark_changed()


def _update_by_id(table, fields):
    return (update(table).where(table.c.id == bindparam("row_id"))
            .values({name: bindparam(name) for name in fields}))


def _keyed(rows: list[dict]) -> list[dict]:
    """"id" is a column name, so the row's key travels under another name."""
    return [{"row_id": row["id"], **{k: v for k, v in row.items() if k != "id"}} for row in rows]
