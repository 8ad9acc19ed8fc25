"""Census verbs and reads that need the database: which campaign and threshold apply to a
household, the roster prefill, and the server's evaluation of a record with the same
engine, screening and validation the phone runs."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import get_locale
from sqlalchemy import select

from app import clock, codes, identity
from app.campaigns.models import Campaign
from app.campaigns.queries import threshold_for, thresholds_by_area_id, thresholds_for
from app.census import definitions, income, messages, screening, validation
from app.extensions import db
from app.households import people
from app.households.models import Household

# What an approved record of last year says about a member that rarely changes in a year:
# carried into this year's prefill, for the enumerator to confirm rather than ask again.
CARRIED_FORWARD = (
    "ethnicity", "education_level", "chronic_illness", "serious_illness", "disabled", "disability_class",
    "labour_capacity", "residents_medical_insurance", "employees_medical_insurance", "pension_insurance",
    "minimum_living_allowance", "extreme_poverty_support",
)
MEMBER_FIELDS = (
    "name", "id_number", "sex", "relation", "ethnicity", "education_level", "schooling", "chronic_illness",
    "serious_illness", "disabled", "disability_class", "labour_capacity", "months_worked", "work_location",
    "public_welfare_job", "residents_medical_insurance", "employees_medical_insurance", "pension_insurance",
    "minimum_living_allowance", "extreme_poverty_support",
)


def current_campaign() -> Campaign | None:
    return db.session.scalar(select(Campaign).order_by(Campaign.year.desc(), Campaign.id.desc()).limit(1))


def threshold(campaign: Campaign | None, household: Household) -> int | None:
    if campaign is None:
        return None
    match = threshold_for(campaign, household.group or household.village)
    return match.amount_fen if match else None


@dataclass(frozen=True)
class Facts:
    """What the database knows that the rules need about one record: the threshold for its
    household's area, and where else its people are found (person key → the other
    households' numbers, app.households.people); ``people``: the record's own people
    (people.people_of), found once for these facts and for the rows that list them."""

    threshold: int | None
    ids_elsewhere: dict[str, list[str]]
    last_year_per_capita: int | None = None
    people: dict[str, bool] | None = None


def facts_for(campaign: Campaign | None, records: list[tuple[Household, dict]],
              last_year: dict[int, int] | None = None) -> list[Facts]:
    """Facts for many records at once: a few queries, however many records.
    ``last_year`` maps households to last year's approved per-capita net income."""
    areas = {id(h.group or h.village): h.group or h.village for h, _answers in records}
    thresholds = thresholds_for(campaign, areas.values()) if campaign else {}
    return _facts(campaign, [(h.id, (h.group or h.village).id, answers) for h, answers in records], thresholds,
                  last_year)


def facts_by_area(campaign: Campaign | None, records: list[tuple[int, int, dict]],
                  last_year: dict[int, int] | None = None) -> list[Facts]:
    """facts_for records given as (household id, the id of its group, else of its village,
    answers), without loading the households and their areas (a sync batch)."""
    thresholds = thresholds_by_area_id(campaign, {area_id for _household, area_id, _answers in records}) \
        if campaign else {}
    return _facts(campaign, records, thresholds, last_year)


def _facts(campaign: Campaign | None, records: list[tuple[int, int, dict]], thresholds: dict,
           last_year: dict[int, int] | None) -> list[Facts]:
    listed = [people.people_of(answers) for _household, _area, answers in records]
    found_elsewhere = people.elsewhere(campaign.id if campaign else None,
                                       [(household_id, answers) for household_id, _area, answers in records], listed)
    found = []
    for (household_id, area_id, _answers), others, own in zip(records, found_elsewhere, listed):
        match = thresholds.get(area_id)
        found.append(Facts(match.amount_fen if match else None, others, (last_year or {}).get(household_id), own))
    return found


def prefill(household: Household, today: dt.date, last_year: dict | None = None) -> dict:
    """A new record starts from the roster (every registered member, living here) and from
    last year's approved answers when there are some: stable member details are carried
    forward, and members recorded last year but missing from the roster are added."""
    earlier = {identity.person_key(m.get("id_number")): m for m in (last_year or {}).get("members", [])
               if isinstance(m, dict) and m.get("status", "present") == "present"}
    earlier.pop(None, None)
    members = []
    for member in household.ordered_members:
        record = {field: getattr(member, field) for field in MEMBER_FIELDS}
        carried = earlier.get(member.person_key, {})
        record.update({field: carried[field] for field in CARRIED_FORWARD if field in carried})
        record.update(key=f"member-{member.id}", birth_date=member.birth_date.isoformat(), status="present",
                      shares_income=True)
        members.append({key: value for key, value in record.items() if value is not None})
    registered = {member.person_key for member in household.members}
    members += [dict(member) for key, member in earlier.items() if key not in registered]
    return {
        "household": {"visit_date": today.isoformat(), "phone": household.phone or "",
                      "household_type": household.household_type, "poverty_subtype": household.poverty_subtype,
                      "relocation_site": household.relocation_site},
        "members": members, "income": {}, "guarantees": {}, "events": [], "consent": {}, "notes": {},
        "explanations": {},
    }


def evaluate(household: Household, campaign: Campaign | None, answers: dict, definition: dict,
             facts: Facts | None = None) -> dict:
    """Income, screening and validation of one record, each issue with its message.
    ``facts`` may be read beforehand for many records (facts_for)."""
    facts = facts or facts_for(campaign, [(household, answers)])[0]
    visit_date = (answers.get("household") or {}).get("visit_date")
    reference_date = visit_date if isinstance(visit_date, str) and visit_date <= clock.today().isoformat() \
        else clock.today().isoformat()
    computed = income.compute(definition, answers, threshold=facts.threshold,
                              last_year_per_capita=facts.last_year_per_capita)
    screened = screening.screen(definition, answers, computed, (answers.get("household") or {}).get("household_type"))
    issues = validation.validate(definition, answers, code_tables=codes.form_code_values(),
                                 reference_date=reference_date, income=computed,
                                 ids_elsewhere=facts.ids_elsewhere)
    for item in issues:
        item["message"] = messages.issue_message(item)
    return {"income": computed, "screening": screened, "issues": issues,
            "blocking": len(validation.blocking(issues))}


def client_bundle(version: str) -> dict | None:
    """What the phone needs to show and check a form offline, in the user's language."""
    definition = definitions.get(version)
    if definition is None:
        return None
    return {
        "definition": definition,
        "locale": str(get_locale()),
        "time_zone": clock.zone_name(),  # the phone writes its times (the last sync) in the county's zone
        "code_tables": {name: [{"value": code.value, "label": code.label} for code in table.codes]
                        for name, table in codes.FORM_CODE_TABLES.items()},
        "categories": {code.value: code.label for code in codes.MONITORED_CATEGORY.codes},
        "messages": messages.for_client(),
    }
