"""The phone's tasks: the enumerator's assigned clues pulled with their warnings, and the
verifications pushed back per item, idempotent by the phone's uuid, never lost."""
from __future__ import annotations

import hashlib
import uuid

import pytest
from sqlalchemy import func, select

from app.clues.models import Clue, ClueEvent
from app.extensions import db
from tests import factories
from tests.clue_setup import county_admin, csv_bytes, run
from tests.monitoring_setup import signed_in
from tests.sync_setup import JPEG, field


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


def _upload(client, data: bytes, *, start: int = 0, upto: int | None = None) -> str:
    """Send a photo's bytes from ``start`` (to ``upto``, else the end) as the phone does; returns its SHA-256."""
    digest = hashlib.sha256(data).hexdigest()
    part = data[start:upto]
    headers = {"X-CSRFToken": client.csrf_token(), "Content-Type": "image/jpeg",
               "Content-Range": f"bytes {start}-{start + len(part) - 1}/{len(data)}"}
    answer = client.put(f"/api/attachments/{digest}", data=part, headers=headers, csrf=False)
    assert answer.status_code == 200, answer.get_json()
    return digest


def test_a_verification_keeps_its_photo_for_those_who_see_the_clue(setup, app):
    phone = signed_in(app, setup.enumerator)
    digest = _upload(phone, JPEG)
    item = {"uuid": str(uuid.uuid4()), "task_id": f"clue:{setup.clue.id}", "result": "risk_found",
            "reason": "", "note": "房屋漏雨", "photo_sha256": digest}
    assert _push(phone, item).get_json()["results"] == [{"uuid": item["uuid"], "result": "stored"}]
    db.session.expire_all()
    assert db.session.get(Clue, setup.clue.id).photo_sha256 == digest

    village = signed_in(app, factories.user("va", "village_reviewer", [setup.county.village_a]))
    page = village.get(f"/clues/{setup.clue.id}").get_data(as_text=True)
    assert f'src="/clues/{setup.clue.id}/photo"' in page and 'alt="核查照片"' in page
    with village.get(f"/clues/{setup.clue.id}/photo") as photo:
        assert (photo.status_code, photo.mimetype, photo.data) == (200, "image/jpeg", JPEG)
    assert photo.headers["Cache-Control"] == "no-store"
    # Village B's reviewer sees neither the clue nor its photo.
    outsider = signed_in(app, factories.user("vb", "village_reviewer", [setup.county.village_b]))
    assert outsider.get(f"/clues/{setup.clue.id}/photo").status_code == 404
    assert outsider.get(f"/clues/{setup.clue.id}").status_code == 404


def test_a_clue_without_a_photo_has_none_to_show(setup, app):
    village = signed_in(app, factories.user("va", "village_reviewer", [setup.county.village_a]))
    assert village.get(f"/clues/{setup.clue.id}/photo").status_code == 404
    assert "核查照片" not in village.get(f"/clues/{setup.clue.id}").get_data(as_text=True)


@pytest.mark.parametrize("sent", ["missing", "partial", "not-a-digest", 12])
def test_a_result_whose_photo_the_server_lacks_is_invalid_with_a_sentence(setup, app, sent):
    phone = signed_in(app, setup.enumerator)
    digest = hashlib.sha256(JPEG).hexdigest()
    if sent == "partial":  # begun, not finished: not yet a photo
        _upload(phone, JPEG, upto=100)
    item = {"uuid": str(uuid.uuid4()), "task_id": f"clue:{setup.clue.id}", "result": "no_risk",
            "reason": "已报销", "photo_sha256": digest if sent in ("missing", "partial") else sent}
    [answer] = _push(phone, item).get_json()["results"]
    assert (answer["result"], answer["field"]) == ("invalid", "photo_sha256")
    assert answer["message"].endswith("。") and "照片" in answer["message"]
    db.session.expire_all()
    clue = db.session.get(Clue, setup.clue.id)
    assert (clue.state, clue.photo_sha256) == ("assigned", None)
    # Once the photo is up the same verification, under a new uuid, is taken.
    _upload(phone, JPEG, start=100 if sent == "partial" else 0)
    assert _push(phone, dict(item, uuid=str(uuid.uuid4()), photo_sha256=digest)).get_json()["results"][0]["result"] \
        == "stored"
