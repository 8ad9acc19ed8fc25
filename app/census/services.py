"""Census verbs and reads that need the database: which campaign and threshold apply to a
household, the roster prefill, and the server's evaluation of a record with the same
engine, screening and validation the phone runs."""
from __future__ import annotations

import datetime as dt

from flask_babel import get_locale
from sqlalchemy import select

from app import codes
from app.campaigns.models import Campaign
from app.campaigns.queries import threshold_for
from app.census import definitions, income, messages, screening, validation
from app.extensions import db
from app.households.models import Household, Member

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


def prefill(household: Household, today: dt.date) -> dict:
    """A new record starts from the roster: every registered member, living here."""
    members = []
    for member in household.ordered_members:
        record = {field: getattr(member, field) for field in MEMBER_FIELDS}
        record.update(key=f"member-{member.id}", birth_date=member.birth_date.isoformat(), status="present",
                      shares_income=True)
        members.append({key: value for key, value in record.items() if value is not None})
    return {
        "household": {"visit_date": today.isoformat(), "phone": household.phone or "",
                      "household_type": household.household_type, "poverty_subtype": household.poverty_subtype,
                      "relocation_site": household.relocation_site},
        "members": members, "income": {}, "guarantees": {}, "events": [], "consent": {}, "notes": {},
        "explanations": {},
    }


def ids_registered_elsewhere(household: Household, answers: dict) -> frozenset[str]:
    numbers = {str(m.get("id_number") or "").strip().upper()[:18] for m in answers.get("members") or []}
    numbers.discard("")
    if not numbers:
        return frozenset()
    found = db.session.scalars(select(Member.id_number).where(
        Member.id_number.in_(numbers), Member.household_id != household.id))
    return frozenset(number[:18] for number in found)


def evaluate(household: Household, campaign: Campaign | None, answers: dict, definition: dict) -> dict:
    """Income, screening and validation of one record, each issue with its message."""
    visit_date = (answers.get("household") or {}).get("visit_date")
    reference_date = visit_date if isinstance(visit_date, str) and visit_date <= dt.date.today().isoformat() \
        else dt.date.today().isoformat()
    computed = income.compute(definition, answers, threshold=threshold(campaign, household))
    screened = screening.screen(definition, answers, computed, (answers.get("household") or {}).get("household_type"))
    issues = validation.validate(definition, answers, code_tables=codes.form_code_values(),
                                 reference_date=reference_date, income=computed,
                                 ids_elsewhere=ids_registered_elsewhere(household, answers))
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
        "code_tables": {name: [{"value": code.value, "label": code.label} for code in table.codes]
                        for name, table in codes.FORM_CODE_TABLES.items()},
        "categories": {code.value: code.label for code in codes.MONITORED_CATEGORY.codes},
        "messages": messages.for_client(),
    }
