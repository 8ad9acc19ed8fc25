"""The dashboard's figures equal those computed independently from the household export:
two different code paths over the same records must agree."""
import csv
import io
from collections import Counter

import pytest

from app.auth.models import User
from app.campaigns.models import Campaign
from app.extensions import db
from app.figures import bands as dashboard
from app.money import parse_yuan
from app.records import services as review
from app.records.models import Submission
from app.records.workflow import STATE_LABELS
from app.reports import dashboard_queries
from tests import factories
from tests.sync_setup import answers, assign_to, field, push, record


@pytest.fixture
def county_with_records(client, county, login):
    """Village A: A-1 approved (two members, 18,000 a head), A-2 submitted, three more never
    visited; village B: B-1 approved at 3,000 a head."""
    setup = field(county)
    for number in ("A-3", "A-4", "A-5"):
        factories.household(county.village_a, number)
    assign_to(setup, setup.other, factories.user("enum_b", "enumerator", [county.village_b]))
    reviewer = factories.user("reviewer", "village_reviewer", [county.village_a, county.village_b])
    admin = factories.user("admin", "county_admin", [county.county])
    login("enum")
    push(client, record(setup), record(setup, setup.second))
    client.post("/logout")
    login("enum_b")
    low = answers(setup.other)
    low["income"] = {"wage_migrant": "6000"}
    push(client, record(setup, setup.other, low))
    client.post("/logout")
    for submission in db.session.query(Submission).all():
        if submission.household_id in (setup.household.id, setup.other.id):
            review.approve_record(reviewer, submission, submission.version)
    login("admin")
    return admin


def tallies(place, campaign):
    return dashboard_queries.Tallies.of(place, campaign)


def exported(client) -> list[dict]:
    body = client.get("/reports/exports/households.csv").get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))


def test_coverage_statuses_and_income_agree_with_the_export(client, county, county_with_records):
    rows = exported(client)
    admin = db.session.get(User, county_with_records.id)
    township = dashboard_queries.place(admin, county.township_1.id)
    campaign = db.session.get(Campaign, db.session.query(Submission).first().campaign_id)

    # Coverage of township 1's villages: registered and visited households.
    registered = Counter(row["村名称"] for row in rows)
    visited = Counter(row["村名称"] for row in rows if row["提交状态"])
    covered = {part.area.name: (part.total, part.counted) for part in tallies(township, campaign).coverage()}
    assert covered == {name: (registered[name], visited[name]) for name in ("Village A", "Village B")}
    assert covered["Village A"] == (5, 2)

    # Records by status, county-wide.
    labels = {str(label): status for status, label in STATE_LABELS.items()}
    from_export = Counter(labels[row["提交状态"]] for row in rows if row["提交状态"])
    county_place = dashboard_queries.place(admin, county.county.id)
    assert {status: count for status, count in tallies(county_place, campaign).statuses() if count} \
        == dict(from_export)

    # The per-capita histogram of approved records.
    bins = [0] * dashboard.BIN_COUNT
    for row in rows:
        if row["提交状态"] == str(STATE_LABELS["approved"]):
            fen = parse_yuan(row["人均纯收入（元）"])
            bins[min(fen // dashboard.BIN_WIDTH_FEN, dashboard.BIN_COUNT - 1)] += 1
    assert tallies(county_place, campaign).income().bins == bins
    assert sum(bins) == 2
