"""Last year's approved record: it reaches the phone for prefill and growth, and the server
screens this year's record against it (growth, sharp drop)."""
import datetime as dt
from types import SimpleNamespace

import pytest

from app.campaigns.models import Assignment, Campaign, MonitoringThreshold
from app.census import definitions
from app.extensions import db
from app.records import services as review
from app.records.models import Submission
from tests import factories
from tests.sync_setup import answers, push, record


@pytest.fixture
def two_years(county, login):
    """Campaign 2025 with an approved record of household A-1 (36,000 yuan over 2 people),
    then campaign 2026, the current one."""
    enumerator = factories.user("enum", "enumerator", [county.village_a])
    reviewer = factories.user("reviewer", "village_reviewer", [county.village_a])
    household = factories.household(county.village_a, "A-1", members=[
        factories.member("head", name="王五", birth_date=dt.date(1975, 4, 2)),
        factories.member("spouse", name="李梅", sex="female", birth_date=dt.date(1978, 9, 20), chronic_illness=False),
    ])
    campaigns = []
    for year in (2025, 2026):
        campaign = Campaign(name=f"{year}", year=year, form_version=definitions.DEFAULT_VERSION)
        campaign.thresholds.append(MonitoringThreshold(year=year, area=county.county, amount_fen=870000))
        db.session.add(campaign)
        db.session.add(Assignment(campaign=campaign, household=household, enumerator=enumerator))
        db.session.commit()
        campaigns.append(campaign)
        if year == 2025:
            client = login("enum")
            last = answers(household)
            last["members"][1].update(chronic_illness=True, labour_capacity="weak")
            setup = SimpleNamespace(household=household, campaign=campaign)
            assert push(client, record(setup, household, last)).status_code == 200
            submission = db.session.query(Submission).one()
            review.approve_record(reviewer, submission, submission.version)
            client.post("/logout")
    login("enum")
    return household


def test_the_phone_gets_last_years_figures_and_a_prefill_carried_forward(client, two_years):
    (pulled,) = client.get(f"/api/sync/households/forms?ids={two_years.id}").get_json()["forms"]
    assert pulled["last_year"] == {"year": 2025, "per_capita_net_income": 1800000}
    spouse = next(m for m in pulled["prefill"]["members"] if m["name"] == "李梅")
    assert spouse["chronic_illness"] is True and spouse["labour_capacity"] == "weak"  # from last year, not the roster
    assert pulled["prefill"]["income"] == {}  # income is always asked afresh


def test_the_server_screens_against_last_year(client, two_years):
    this_year = answers(two_years)
    this_year["income"] = {"wage_migrant": "24000"}  # 12,000 a head against 18,000: down a third
    response = client.post(f"/api/households/{two_years.id}/check", json={"answers": this_year})
    result = response.get_json()
    assert result["income"]["growth_rate"] == "-33.33"
    assert "sharp_drop" in [flag["code"] for flag in result["screening"]["flags"]]


def test_without_an_earlier_approved_record_there_is_no_last_year(client, county, two_years):
    db.session.query(Submission).update({"status": "submitted"})
    db.session.commit()
    (pulled,) = client.get(f"/api/sync/households/forms?ids={two_years.id}").get_json()["forms"]
    assert pulled["last_year"] is None
