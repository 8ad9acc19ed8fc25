"""Builders shared by the sync and review tests: a campaign with a household assigned to an
enumerator, a complete record of it, and the phone's own result for that record."""
from __future__ import annotations

import copy
import datetime as dt
import uuid
from types import SimpleNamespace

from sqlalchemy import func, select

from app import clock
from app.campaigns.models import Assignment, Campaign, MonitoringThreshold
from app.census import definitions, services
from app.extensions import db
from tests import factories

THRESHOLD = 870000
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40


def field(county) -> SimpleNamespace:
    """Campaign 2026 (threshold 8,700 yuan); the enumerator covers village A and is assigned
    households A-1 and A-2, and B-1 of village B, which lies outside their areas (a test that
pushes B-1 as village B's enumerator assigns it to them first, ``assign_to``)."""
    campaign = Campaign(name="2026年收入普查", year=2026, form_version=definitions.DEFAULT_VERSION)
    campaign.thresholds.append(MonitoringThreshold(year=2026, area=county.county, amount_fen=THRESHOLD))
    db.session.add(campaign)
    enumerator = factories.user("enum", "enumerator", [county.village_a])
    households = [
        factories.household(county.village_a, "A-1", group=county.group_a1, members=[
            factories.member("head", name="王五", birth_date=dt.date(1975, 4, 2)),
            factories.member("spouse", name="李梅", sex="female", birth_date=dt.date(1978, 9, 20)),
        ]),
        factories.household(county.village_a, "A-2"),
    ]
    other = factories.household(county.village_b, "B-1")
    for household in (*households, other):
        db.session.add(Assignment(campaign=campaign, household=household, enumerator=enumerator))
    db.session.commit()
    return SimpleNamespace(county=county, campaign=campaign, enumerator=enumerator, household=households[0],
                           second=households[1], other=other)


def another_household(setup, number: str):
    """One more household of village A assigned to the enumerator (a household has one record
    per campaign: a test sending several new records needs as many households)."""
    household = factories.household(setup.county.village_a, number)
    db.session.add(Assignment(campaign=setup.campaign, household=household, enumerator=setup.enumerator))
    db.session.commit()
    return household


def assign_to(setup, household, enumerator) -> None:
    """Make ``enumerator`` the household's assignee in the campaign: only the assignee may push its record."""
    assignment = db.session.scalar(select(Assignment).where(Assignment.campaign_id == setup.campaign.id,
                                                            Assignment.household_id == household.id))
    assignment.enumerator = enumerator
    db.session.commit()


def answers(household) -> dict:
    """The roster prefill, completed as an enumerator would."""
    completed = services.prefill(household, clock.today())
    completed["household"].update(phone="13912345678", relocation_site=False)
    for member in completed["members"]:
        member.update(ethnicity="01", education_level="junior_secondary")
    completed["guarantees"] = dict.fromkeys(("food_clothing", "compulsory_education", "basic_medical", "housing", "drinking_water"), True)
    completed["consent"] = {"consent_given": True, "consent_signer": "王五"}
    completed["income"] = {"wage_migrant": "36000"}
    return completed


def client_result(household, campaign, record_answers) -> dict:
    """What the phone computes: the same engine's income and screening."""
    result = services.evaluate(household, campaign, record_answers, definitions.get(campaign.form_version))
    return {"income": result["income"], "screening": result["screening"]}


def record(setup, household=None, record_answers=None, **fields) -> dict:
    household = household or setup.household
    record_answers = copy.deepcopy(record_answers) if record_answers is not None else answers(household)
    built = {"id": str(uuid.uuid4()), "household_id": household.id, "form_version": setup.campaign.form_version,
             "base_revision": None, "answers": record_answers,
             "client_result": client_result(household, setup.campaign, record_answers), "attachments": []}
    built.update(fields)
    return built


def push(client, *records, **kwargs):
    return client.post("/api/sync/records", json={"records": list(records)}, **kwargs)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))
