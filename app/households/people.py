"""One person, one household (一人一户, DOMAIN.md §4): where else a person is found.

A person is known by ``identity.person_key`` (the first 18 characters of the ID number,
normalised), so an ID number and the disability certificate number that starts with it,
spaced or in full-width digits, are the same person. Someone is found elsewhere when
another household registers them in the roster (Member.person_key), unless that
household's current record in the campaign says they moved out or died; or when another
household's current record in the campaign lists them as living there.

What must always hold: ``record_person`` lists the people of every record's current
revision. A hook in app.records.models writes it in the flush that adds a current
revision, the only moment a record's content changes (revisions are only ever added),
whichever code adds it through the ORM.
"""
from __future__ import annotations

from sqlalchemy import select

from app import identity
from app.extensions import db
from app.households.models import Household, Member, RecordPerson


def people_of(answers: dict) -> dict[str, bool]:
    """Person key → whether the record says they live in the household."""
    found: dict[str, bool] = {}
    for member in (answers or {}).get("members") or []:
        key = identity.person_key(member.get("id_number")) if isinstance(member, dict) else None
        if key:
            found[key] = found.get(key, False) or member.get("status", "present") == "present"
    return found


def elsewhere(campaign_id: int | None, records: list[tuple[int, dict]],
              listed: list[dict[str, bool]] | None = None) -> list[dict[str, list[str]]]:
    """For each (household id, answers): person key → the numbers of the other households
    where that person is found (see the module's header). Two queries for any number of
    records (a sync batch lists a few hundred people at most). ``listed``: people_of of each
    record's answers, when the caller has them already."""
    listed = [people_of(answers) for _household, answers in records] if listed is None else listed
    keys = set().union(*listed) if listed else set()
    if not keys:
        return [{} for _record in records]
    registered: dict[str, dict[int, str]] = {}  # key → {household id: number}
    recorded: dict[str, dict[int, str]] = {}
    left: dict[str, set[int]] = {}
    for key, household_id, number in db.session.execute(
            select(Member.person_key, Household.id, Household.household_number)
            .join(Household, Household.id == Member.household_id).where(Member.person_key.in_(keys))):
        registered.setdefault(key, {})[household_id] = number
    if campaign_id is not None:
        for key, present, household_id, number in db.session.execute(
                select(RecordPerson.person_key, RecordPerson.present, Household.id, Household.household_number)
                .join(Household, Household.id == RecordPerson.household_id)
                .where(RecordPerson.person_key.in_(keys), RecordPerson.campaign_id == campaign_id)):
            if present:
                recorded.setdefault(key, {})[household_id] = number
            else:
                left.setdefault(key, set()).add(household_id)
    found = []
    for (household_id, _answers), people in zip(records, listed):
        others = {}
        for key in people:
            households = registered.get(key, {})
            if key not in recorded and (not households or len(households) == 1 and household_id in households):
                continue  # most people: registered here only, recorded nowhere else
            numbers = {number for other, number in households.items()
                       if other != household_id and other not in left.get(key, set())}
            numbers |= {number for other, number in recorded.get(key, {}).items() if other != household_id}
            if numbers:
                others[key] = sorted(numbers)
        found.append(others)
    return found
