"""The phone's tasks: the enumerator's assigned clues pulled with their warnings, and the
verifications pushed back per item, idempotent by the phone's uuid, never lost."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from app.clues.models import Clue, ClueEvent
from app.extensions import db
from tests import factories
from tests.clue_setup import county_admin, csv_bytes, run
from tests.monitoring_setup import signed_in
from tests.sync_setup import field


@pytest.fixture
def setup(county):
    built = field(county)
    built.admin = county_admin(county)
    rows = [[household.ordered_members[0].id_number, household.ordered_members[0].name, "住院自付费用高",
             "2026-06-03", "1234.5", ""] for household in (built.household, built.other)]
    run(built.admin, csv_bytes(rows))
    built.clue = db.session.scalar(select(Clue).where(Clue.household_id == built.household.id))
    return built


def _push(client, *items):
    return client.post("/api/sync/tasks/results", json={"results": list(items)},
                       headers={"X-CSRFToken": client.csrf_token()})


def test_the_enumerator_pulls_their_assigned_clues_as_tasks(setup, app):
    answer = signed_in(app, setup.enumerator).get("/api/sync/tasks").get_json()
    # B-1 is assigned to the same enumerator but lies outside their village: not theirs to see.
    [task] = answer["tasks"]
    assert task["id"] == f"clue:{setup.clue.id}" and task["kind"] == "verify_warning"
    assert (task["household_id"], task["due"]) == (setup.household.id, setup.clue.verify_due.isoformat())
    assert task["details"]["department"] == "医保"
    assert task["details"]["warnings"] == [{"name": "王五", "reason": "住院自付费用高", "date": "2026-06-03",
                                             "amount": "1,234.50", "note": ""}]
    assert signed_in(app, factories.user("other", "enumerator", [setup.county.village_a])) \
        .get("/api/sync/tasks").get_json() == {"tasks": []}


def test_a_verification_is_stored_once_whatever_the_resends(setup, app):
    phone = signed_in(app, setup.enumerator)
    item = {"uuid": str(uuid.uuid4()), "task_id": f"clue:{setup.clue.id}", "result": "risk_found",
            "reason": "", "note": "住院两次"}
    assert _push(phone, item).get_json()["results"] == [{"uuid": item["uuid"], "result": "stored"}]
    assert _push(phone, item).get_json()["results"] == [{"uuid": item["uuid"], "result": "duplicate"}]
    db.session.expire_all()
    clue = db.session.get(Clue, setup.clue.id)
    assert (clue.state, clue.result, clue.result_note) == ("verified", "risk_found", "住院两次")
    assert db.session.scalar(select(func.count()).select_from(ClueEvent)
                             .where(ClueEvent.action == "verify")) == 1
    # A second verification of the same clue from another phone: someone acted first.
    other = dict(item, uuid=str(uuid.uuid4()))
    assert _push(phone, other).get_json()["results"][0]["result"] == "conflict"
    assert signed_in(app, setup.enumerator).get("/api/sync/tasks").get_json() == {"tasks": []}


def test_each_item_gets_its_own_answer(setup, app):
    phone = signed_in(app, setup.enumerator)
    outside = db.session.scalar(select(Clue.id).where(Clue.household_id == setup.other.id))
    answers = _push(phone,
                    {"uuid": "a", "task_id": f"clue:{setup.clue.id}", "result": "no_risk", "reason": ""},
                    {"uuid": "b", "task_id": f"clue:{outside}", "result": "no_risk", "reason": "x"},
                    {"uuid": "c", "task_id": "visit:1"},
                    {"task_id": f"clue:{setup.clue.id}"},
                    {"uuid": "d", "task_id": f"clue:{setup.clue.id}", "result": "no_risk", "reason": "已报销"},
                    ).get_json()["results"]
    assert [a["result"] for a in answers] == ["invalid", "not_found", "not_found", "invalid", "stored"]
    assert answers[0]["field"] == "reason"


def test_a_malformed_body_is_refused(setup, app):
    phone = signed_in(app, setup.enumerator)
    assert _push(phone).status_code == 200
    bad = phone.post("/api/sync/tasks/results", json={"results": "x"}, headers={"X-CSRFToken": phone.csrf_token()})
    assert bad.status_code == 400
