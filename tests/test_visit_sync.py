"""The visit log's sync (POST /api/sync/visits: per-item results, idempotent by UUID, scoped,
never lost) and the phone's visit tasks (GET /api/sync/tasks)."""
from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from sqlalchemy import func, select

from app import clock
from app.campaigns.models import Assignment, Campaign
from app.census import definitions
from app.clues.models import Clue, ClueEvent
from app.extensions import db
from app.monitoring import services as monitoring
from app.monitoring.models import AssistanceMeasure, MonitoringEvent
from app.sync import tasks
from app.visits import services as visits
from app.visits.models import DutyEvent, Visit
from tests import factories


@pytest.fixture
def setup(county):
    """A cadre (enumerator) of village A answering for monitored household A-1 (unresolved for
    60 days); A-2 is monitored with no cadre; B-1 (village B) is outside the cadre's areas."""
    admin = factories.user("admin", "county_admin", [county.county])
    cadre = factories.user("cadre", "enumerator", [county.village_a])
    mine = factories.household(county.village_a, "A-1")
    unassigned = factories.household(county.village_a, "A-2")
    elsewhere = factories.household(county.village_b, "B-1")
    since = clock.today() - dt.timedelta(days=60)
    monitoring.enter_from_national_system(admin, [(household.id, "marginal", since)
                                                  for household in (mine, unassigned, elsewhere)])
    db.session.commit()
    visits.assign_cadre(admin, mine, cadre, since)
    return county, admin, cadre, mine, elsewhere


def visit(household, **fields) -> dict:
    return {"id": str(uuid.uuid4()), "household_id": household.id, "visit_date": clock.today().isoformat(),
            "kind": "home_visit", "met": "户主", "income_change": "none", **fields}


def push(client, *items):
    response = client.post("/api/sync/visits", json={"visits": list(items)})
    assert response.status_code == 200, response.data
    return [item["result"] for item in response.get_json()["results"]]


def test_a_visit_is_created_once_and_a_resend_is_a_duplicate(setup, login):
    _, _, _, mine, _ = setup
    client = login("cadre")
    sent = visit(mine, per_capita_income="5,600.50", income_change="down", risk_found=True,
                 risk_note="户主住院")
    assert push(client, sent) == ["created"]
    assert push(client, sent) == ["duplicate"]
    stored = db.session.get(Visit, sent["id"])
    assert (stored.per_capita_income_fen, stored.risk_found, stored.cadre.username) == (560050, True, "cadre")
    assert db.session.scalar(select(func.count()).select_from(DutyEvent).where(
        DutyEvent.action == "record_visit")) == 1
    # The risk found is on the household's visit page, with the way to the census form.
    page = client.get(f"/visits/households/{mine.id}").get_data(as_text=True)
    assert "户主住院" in page and f"/app#/household/{mine.id}" in page
    # Other content under the same UUID is refused, never stored over the first.
    assert push(client, {**sent, "met": "配偶"}) == ["invalid"]
    db.session.expire_all()
    assert db.session.get(Visit, sent["id"]).met == "户主"


def test_each_item_has_its_own_result_and_a_bad_one_costs_the_others_nothing(setup, login):
    _, _, _, mine, elsewhere = setup
    client = login("cadre")
    good, later = visit(mine), visit(mine, kind="call")
    results = push(client, good, visit(elsewhere), visit(mine, kind="letter"), {"id": "not-a-uuid"},
                   visit(mine, visit_date=(clock.today() + dt.timedelta(days=1)).isoformat()),
                   visit(mine, kind="call", photo_sha256="a" * 64), visit(mine, risk_found=True), later)
    assert results == ["created", "invalid", "invalid", "invalid", "invalid", "invalid", "invalid", "created"]
    assert set(db.session.scalars(select(Visit.id))) == {good["id"], later["id"]}


def test_a_household_outside_the_areas_reads_as_one_that_does_not_exist(setup, login):
    _, _, _, _, elsewhere = setup
    response = login("cadre").post("/api/sync/visits", json={"visits": [visit(elsewhere),
                                                                        {**visit(elsewhere), "household_id": 999999}]})
    outside, missing = response.get_json()["results"]
    assert outside["result"] == missing["result"] == "invalid"
    assert outside["message"] == missing["message"]


def test_measures_followed_up_must_be_the_households_own(setup, login):
    _, admin, _, mine, elsewhere = setup
    own, other = (AssistanceMeasure(household_id=household.id, measure_type="employment", declared_on=clock.today(),
                                    recorded_by_id=admin.id) for household in (mine, elsewhere))
    db.session.add_all([own, other])
    db.session.commit()
    client = login("cadre")
    assert push(client, visit(mine, measure_ids=[other.id]), visit(mine, measure_ids=[own.id])) == [
        "invalid", "created"]


def declared(admin, household, declared_on, note="公益岗位") -> AssistanceMeasure:
    measure = AssistanceMeasure(household_id=household.id, measure_type="employment", declared_on=declared_on,
                                note=note, recorded_by_id=admin.id)
    db.session.add(measure)
    db.session.commit()
    return measure


def results(client, *items) -> list[dict]:
    response = client.post("/api/sync/visits", json={"visits": list(items)})
    assert response.status_code == 200, response.data
    return response.get_json()["results"]


def test_a_visit_marks_the_measures_it_followed_up_carried_out_once(setup, login):
    """落实: through the monitoring service, in the visit's commit, with its event naming the
    visit; a resend changes nothing; the task then says the measure is carried out."""
    _, admin, _, mine, _ = setup
    first, second = (declared(admin, mine, clock.today() - dt.timedelta(days=20), note)
                     for note in ("公益岗位", "小额信贷"))
    client = login("cadre")
    day = (clock.today() - dt.timedelta(days=3)).isoformat()
    sent = visit(mine, measure_ids=[first.id, second.id], carried_out=[{"measure_id": first.id, "on": day}])
    assert push(client, sent) == ["created"]
    assert push(client, sent) == ["duplicate"]
    db.session.expire_all()
    assert (db.session.get(AssistanceMeasure, first.id).carried_out_on.isoformat(),
            db.session.get(AssistanceMeasure, second.id).carried_out_on) == (day, None)
    assert db.session.get(Visit, sent["id"]).carried_out == [{"measure_id": first.id, "on": day}]
    event, = db.session.scalars(select(MonitoringEvent).where(MonitoringEvent.action == "carry_out_measure"))
    assert (event.household_id, event.on_date.isoformat(), event.changes, event.actor.username) == (
        mine.id, day, {"measure": first.id, "visit": sent["id"]}, "cadre")
    # Another visit saying it again (or another day) keeps the first day, and writes no event.
    again = visit(mine, measure_ids=[first.id], carried_out=[{"measure_id": first.id, "on": clock.today().isoformat()}])
    assert push(client, again) == ["created"]
    db.session.expire_all()
    assert db.session.get(AssistanceMeasure, first.id).carried_out_on.isoformat() == day
    assert db.session.scalar(select(func.count()).select_from(MonitoringEvent).where(
        MonitoringEvent.action == "carry_out_measure")) == 1
    # What the visit task carries for the household's next visit.
    assert {measure["id"]: (measure["state"], measure["carried_out_on"]) for measure in tasks._measures([mine.id])[mine.id]} \
        == {first.id: ("carried_out", day), second.id: ("declared", None)}


def test_a_bad_carried_out_day_is_invalid_beside_its_measure_and_nothing_is_kept(setup, login):
    _, admin, _, mine, elsewhere = setup
    measure = declared(admin, mine, clock.today() - dt.timedelta(days=5))
    other = declared(admin, elsewhere, clock.today() - dt.timedelta(days=5))
    client = login("cadre")
    tomorrow = (clock.today() + dt.timedelta(days=1)).isoformat()
    before = (clock.today() - dt.timedelta(days=6)).isoformat()
    answers = results(
        client,
        visit(mine, measure_ids=[measure.id], carried_out=[{"measure_id": measure.id, "on": tomorrow}]),
        visit(mine, measure_ids=[measure.id], carried_out=[{"measure_id": measure.id, "on": before}]),
        visit(mine, measure_ids=[measure.id], carried_out=[{"measure_id": measure.id, "on": "12/01/2026"}]),
        visit(mine, measure_ids=[], carried_out=[{"measure_id": measure.id, "on": before}]),  # not followed up
        visit(mine, measure_ids=[measure.id], carried_out=[{"measure_id": other.id, "on": before}]),  # not theirs
        visit(mine, measure_ids=[measure.id], carried_out={"measure_id": measure.id}),
    )
    field = f"carried_out.{measure.id}"
    assert [(answer["result"], answer.get("field"), answer["message"]) for answer in answers] == [
        ("invalid", field, "日期不能晚于今天。"),
        ("invalid", field, f"落实日期不能早于申报日期 {clock.today() - dt.timedelta(days=5)}。"),
        ("invalid", field, "落实日期应为 YYYY-MM-DD。"),
        ("invalid", field, "只能登记本次跟进的帮扶措施已落实。"),
        ("invalid", f"carried_out.{other.id}", "只能登记本次跟进的帮扶措施已落实。"),
        ("invalid", None, "已落实的帮扶措施应为措施编号和落实日期的列表。"),
    ]
    db.session.expire_all()
    assert db.session.get(AssistanceMeasure, measure.id).carried_out_on is None
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0
    assert db.session.scalar(select(func.count()).select_from(MonitoringEvent).where(
        MonitoringEvent.action == "carry_out_measure")) == 0


def test_a_visit_stored_before_measures_were_carried_out_is_still_a_duplicate(setup, login):
    """A phone that sends no ``carried_out`` (one from before) hashes as before: its resend
    after the upgrade is the same visit."""
    _, _, _, mine, _ = setup
    sent = visit(mine)
    assert visits.digest_of(sent) == visits.digest_of({**sent, "carried_out": []})
    client = login("cadre")
    assert push(client, sent) == ["created"]
    assert push(client, {**sent, "carried_out": []}) == ["duplicate"]


def test_the_request_must_be_a_list_of_visits_within_the_batch_limit(setup, login):
    client = login("cadre")
    assert client.post("/api/sync/visits", json={"records": []}).status_code == 400
    assert client.post("/api/sync/visits", json={"visits": [{}] * 51}).status_code == 413
    assert client.post("/api/sync/visits", json={"visits": ["x", None]}).get_json()["results"][0]["result"] == \
        "invalid"


def test_a_reviewer_without_the_collect_right_gets_403(setup, login):
    county, *_ = setup
    factories.user("township", "township_approver", [county.township_1])
    assert login("township").post("/api/sync/visits", json={"visits": []}).status_code == 403


def test_the_cadre_gets_a_visit_task_per_due_duty_and_the_visit_makes_it_done(setup, login, app):
    county, admin, _, mine, _ = setup
    # This county visits by monitoring status: twice a week for an unresolved household.
    visits.choose_rule_set(admin, county.county, "by_status")
    client = login("cadre")
    measure = AssistanceMeasure(household_id=mine.id, measure_type="employment", declared_on=clock.today(),
                                note="公益岗位", recorded_by_id=admin.id)
    db.session.add(measure)
    db.session.commit()
    task, = client.get("/api/sync/tasks").get_json()["tasks"]
    assert (task["id"], task["kind"], task["household_id"]) == (
        f"visit:{mine.id}:unresolved_home_visit", "visit", mine.id)
    # The household's measures come with it, each with its state, to follow up on the visit.
    assert task["details"]["measures"] == [{"id": measure.id, "type": "就业帮扶", "note": "公益岗位",
                                            "state": "declared", "declared_on": clock.today().isoformat(),
                                            "carried_out_on": None}]
    monday = clock.today() - dt.timedelta(days=clock.today().weekday())
    assert task["details"]["period_start"] == monday.isoformat()
    assert (task["details"]["due"], task["details"]["overdue"]) == (2, 2)  # last week had none
    assert task["due"] == (monday - dt.timedelta(days=1)).isoformat()  # overdue since last Sunday
    push(client, visit(mine), visit(mine))
    task, = client.get("/api/sync/tasks").get_json()["tasks"]
    assert (task["details"]["done"], task["details"]["due"], task["details"]["overdue"]) == (2, 0, 2)
    # A cadre who answers for nothing has no tasks.
    factories.user("other", "enumerator", [county.village_a])
    other = app.test_client()
    assert other.post("/login", data={"username": "other", "password": factories.PASSWORD}).status_code == 302
    assert other.get("/api/sync/tasks").get_json() == {"tasks": []}


def test_a_visit_holding_what_no_database_stores_is_invalid_and_its_neighbour_is_kept(setup, login):
    _, _, _, mine, _ = setup
    client = login("cadre")
    items = [json.dumps(visit(mine, met="户主\u0000")), json.dumps(visit(mine)),
             json.dumps(visit(mine)).replace('"income_change": "none"', '"income_change": NaN')]
    raw = '{"visits": [' + ", ".join(items) + "]}"
    response = client.post("/api/sync/visits", data=raw, content_type="application/json",
                           headers={"X-CSRFToken": client.csrf_token()})
    assert response.status_code == 200, response.data
    assert [item["result"] for item in response.get_json()["results"]] == ["invalid", "created", "invalid"]
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1
    assert client.post("/api/sync/visits", data=b"[" * 5000, content_type="application/json",
                       headers={"X-CSRFToken": client.csrf_token()}).status_code == 400


def signed_in(app, username: str):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": factories.PASSWORD}).status_code == 302
    return client


def test_a_risk_found_raises_one_clue_assigned_to_the_households_enumerator(setup, login, app):
    county, _, cadre, mine, _ = setup
    enumerator = factories.user("enum", "enumerator", [county.village_a])
    campaign = Campaign(name="2026年收入普查", year=2026, form_version=definitions.DEFAULT_VERSION)
    db.session.add_all([campaign, Assignment(campaign=campaign, household=mine, enumerator=enumerator)])
    db.session.commit()
    client = login("cadre")
    sent = visit(mine, risk_found=True, risk_note="户主住院，自付费用高")
    assert push(client, sent, visit(mine)) == ["created", "created"]
    assert push(client, sent) == ["duplicate"]  # a resend raises no second clue
    clue, = db.session.scalars(select(Clue))
    assert db.session.get(Visit, sent["id"]).clue_id == clue.id
    assert (clue.household_id, clue.channel, clue.note, clue.state, clue.assignee_id, clue.list_id) == (
        mine.id, "duty_visit", "户主住院，自付费用高", "assigned", enumerator.id, None)
    assert clue.verify_due == clock.today() + dt.timedelta(days=campaign.clue_verify_days)
    assert [event.action for event in db.session.scalars(select(ClueEvent).order_by(ClueEvent.id))] == [
        "push", "assign"]
    # The enumerator gets it to verify on the phone; the village sees it among its clues.
    task, = [task for task in signed_in(app, "enum").get("/api/sync/tasks").get_json()["tasks"]
             if task["kind"] == "verify_warning"]
    assert (task["id"], task["details"]["department"], task["details"]["note"]) == (
        f"clue:{clue.id}", "干部走访发现", "户主住院，自付费用高")
    factories.user("village", "village_reviewer", [county.village_a])
    page = signed_in(app, "village").get(f"/clues/{clue.id}").get_data(as_text=True)
    assert "户主住院，自付费用高" in page and "干部走访发现" in page


def test_without_a_campaign_a_visits_clue_waits_for_the_village_to_assign_it(setup, login):
    _, _, _, mine, _ = setup
    assert push(login("cadre"), visit(mine, kind="call", risk_found=True, risk_note="务工收入中断")) == ["created"]
    clue, = db.session.scalars(select(Clue))
    assert (clue.state, clue.assignee_id, clue.campaign_id) == ("pushed", None, None)
