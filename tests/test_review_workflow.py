"""The review state machine: allowed exactly when the table says so, one event per
transition, and a 409 for whoever acts on a stale version."""
import itertools

import pytest
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from app.auth.roles import ALL_ROLES
from app.errors import InvalidInput
from app.extensions import db
from app.records import services, workflow
from app.records.models import ReviewComment, ReviewEvent, Submission
from tests import factories
from tests.sync_setup import count, field, push, record

EXPECTED = {  # (state, action) → (role allowed, new state): the table, written out again on purpose
    ("submitted", "approve"): ("village_reviewer", "approved"),
    ("submitted", "return"): ("village_reviewer", "returned"),
    ("returned", "resubmit"): ("enumerator", "submitted"),
    ("approved", "reopen"): ("township_approver", "submitted"),
    ("submitted", "take_copy"): ("village_reviewer", "submitted"),
    ("returned", "take_copy"): ("village_reviewer", "submitted"),
    ("submitted", "keep_stored"): ("village_reviewer", "submitted"),
    ("returned", "keep_stored"): ("village_reviewer", "returned"),
    ("approved", "keep_stored"): ("village_reviewer", "approved"),
}


@pytest.mark.parametrize("state, action, role", list(itertools.product(workflow.STATES, workflow.ACTIONS, ALL_ROLES)))
def test_every_state_action_and_role(state, action, role):
    expected = EXPECTED.get((state, action))
    if expected is None:
        with pytest.raises(workflow.IllegalTransition):
            workflow.transition(state, action, role)
    elif expected[0] != role:
        with pytest.raises(workflow.RoleNotAllowed):
            workflow.transition(state, action, role)
    else:
        assert workflow.transition(state, action, role) == expected[1]


@pytest.fixture
def setup(county, login, app):
    built = field(county)
    enumerator = login("enum")
    sent = record(built)
    push(enumerator, sent)
    built.record = sent
    built.enumerator_client = enumerator
    built.reviewer = factories.user("reviewer", "village_reviewer", [county.village_a])
    built.township = factories.user("township", "township_approver", [county.township_1])
    built.reviewer_client = app.test_client()
    built.reviewer_client.post("/login", data={"username": "reviewer", "password": factories.PASSWORD})
    return built


def submission(setup) -> Submission:
    db.session.expire_all()
    return db.session.get(Submission, setup.record["id"])


def events(setup) -> list[tuple]:
    db.session.expire_all()
    return [(e.action, e.from_state, e.to_state, e.actor_id) for e in db.session.scalars(
        select(ReviewEvent).where(ReviewEvent.submission_id == setup.record["id"]).order_by(ReviewEvent.id))]


def api(client, setup, action, **body):
    return client.post(f"/api/review/records/{setup.record['id']}/{action}", json=body)


def test_approve_writes_one_event(setup):
    response = api(setup.reviewer_client, setup, "approve", version=1)
    assert response.status_code == 200
    assert response.get_json() == {"id": setup.record["id"], "status": "approved", "revision": 1, "version": 2}
    assert events(setup) == [("approve", "submitted", "approved", setup.reviewer.id)]


def test_return_needs_a_comment_and_keeps_each_on_its_field(setup):
    empty = api(setup.reviewer_client, setup, "return", version=1, comments={"household.phone": "  "})
    assert empty.status_code == 422 and empty.get_json()["message"] == "退回或重新打开记录时必须写明原因。"
    assert events(setup) == []
    response = api(setup.reviewer_client, setup, "return", version=1,
                   comments={"household.phone": "请核实", "members[1].id_number": "号码有误"})
    assert response.get_json()["status"] == "returned"
    assert events(setup) == [("return", "submitted", "returned", setup.reviewer.id)]
    assert sorted((c.path, c.text, c.revision) for c in db.session.scalars(select(ReviewComment))) == \
        [("household.phone", "请核实", 1), ("members[1].id_number", "号码有误", 1)]


def test_a_stale_version_answers_409_and_changes_nothing(setup):
    api(setup.reviewer_client, setup, "return", version=1, comments={"household.phone": "请核实"})
    response = api(setup.reviewer_client, setup, "approve", version=1)
    assert response.status_code == 409
    assert response.get_json()["message"] == "该记录已被他人修改，请刷新后重试。"
    assert (submission(setup).status, len(events(setup))) == ("returned", 1)


def test_an_illegal_transition_answers_409(setup):
    api(setup.reviewer_client, setup, "approve", version=1)
    response = api(setup.reviewer_client, setup, "approve", version=2)
    assert response.status_code == 409
    assert response.get_json()["message"] == "该记录当前的状态不允许此操作，请刷新后查看。"
    assert len(events(setup)) == 1


def test_a_role_the_table_does_not_name_answers_403(setup):
    assert api(setup.enumerator_client, setup, "approve", version=1).status_code == 403
    assert events(setup) == []


def test_a_reviewer_of_another_area_does_not_see_the_record(setup, app):
    factories.user("reviewer_c", "village_reviewer", [setup.county.village_c])
    other = app.test_client()
    other.post("/login", data={"username": "reviewer_c", "password": factories.PASSWORD})
    assert api(other, setup, "approve", version=1).status_code == 404
    outsider = factories.user("reviewer_b", "village_reviewer", [setup.county.village_b])
    with pytest.raises(NotFound):
        services.approve_record(outsider, submission(setup), 1)
    assert events(setup) == []


def test_outside_their_area_a_reviewer_gets_404_whatever_the_body(setup, app):
    """Scope is checked before the body is read: a malformed request about a record in
    another village says nothing about whether the record exists (404, not 400)."""
    factories.user("reviewer_c", "village_reviewer", [setup.county.village_c])
    other = app.test_client()
    other.post("/login", data={"username": "reviewer_c", "password": factories.PASSWORD})
    for body in ({}, {"version": "one"}):
        assert api(other, setup, "approve", **body).status_code == 404
    assert api(setup.reviewer_client, setup, "approve").status_code == 400


def test_the_township_reopens_an_approved_record_with_a_reason(setup):
    services.approve_record(setup.reviewer, submission(setup), 1)
    with pytest.raises(InvalidInput, match="原因"):
        services.reopen_record(setup.township, submission(setup), " ", 2)
    services.reopen_record(setup.township, submission(setup), "收入漏报", 2)
    assert submission(setup).status == "submitted"
    assert events(setup)[-1] == ("reopen", "approved", "submitted", setup.township.id)


def test_return_correct_and_approve_the_whole_round(setup):
    api(setup.reviewer_client, setup, "return", version=1, comments={"household.phone": "请核实"})
    corrected = {**setup.record, "base_revision": 1, "answers": {
        **setup.record["answers"], "household": {**setup.record["answers"]["household"], "phone": "13800000000"}}}
    [result] = push(setup.enumerator_client, corrected).get_json()["results"]
    assert (result["result"], result["revision"]) == ("created", 2)
    version = submission(setup).version
    assert api(setup.reviewer_client, setup, "approve", version=version).status_code == 200
    assert [e[0] for e in events(setup)] == ["return", "resubmit", "approve"]
    assert count(ReviewEvent) == 3


# Copies kept beside a record: the village keeps the record or takes the copy -----------------

def second_record(setup, wage="30000"):
    """A second record of the same household (from another phone): kept as a conflict copy."""
    from app.records.models import SyncConflict

    copy = record(setup)
    copy["answers"]["income"] = {"wage_migrant": wage}
    [result] = push(setup.enumerator_client, copy).get_json()["results"]
    assert (result["result"], result["kind"]) == ("conflict", "household_recorded")
    db.session.expire_all()
    return db.session.scalar(select(SyncConflict).where(SyncConflict.record_id == copy["id"]))


def test_keeping_the_stored_record_resolves_the_copy_and_writes_one_event(setup):
    copy = second_record(setup)
    services.keep_stored(setup.reviewer, copy, submission(setup).version)
    db.session.expire_all()
    assert (copy.resolved, copy.resolution, copy.resolved_by_id) == (True, "kept", setup.reviewer.id)
    assert (submission(setup).revision, submission(setup).status) == (1, "submitted")
    assert events(setup) == [("keep_stored", "submitted", "submitted", setup.reviewer.id)]
    with pytest.raises(workflow.IllegalTransition):  # resolved once
        services.take_copy(setup.reviewer, copy, submission(setup).version)


def test_taking_the_copy_makes_it_the_next_revision_to_review_again(setup):
    copy = second_record(setup)
    services.take_copy(setup.reviewer, copy, submission(setup).version)
    taken = submission(setup)
    assert (taken.revision, taken.status, taken.per_capita_net_income) == (2, "submitted", 1_500_000)
    assert taken.revisions[-1].answers == copy.answers and taken.revisions[-1].base_revision == 1
    assert events(setup) == [("take_copy", "submitted", "submitted", setup.reviewer.id)]
    assert copy.resolution == "taken"


def test_an_approved_record_is_not_replaced_by_a_copy(setup):
    services.approve_record(setup.reviewer, submission(setup), 1)
    copy = second_record(setup)
    with pytest.raises(workflow.IllegalTransition):
        services.take_copy(setup.reviewer, copy, submission(setup).version)
    services.keep_stored(setup.reviewer, copy, submission(setup).version)
    assert submission(setup).status == "approved"


def test_only_the_village_resolves_a_copy_and_only_in_its_area(setup):
    copy = second_record(setup)
    with pytest.raises(workflow.RoleNotAllowed):
        services.keep_stored(setup.township, copy, submission(setup).version)
    outsider = factories.user("reviewer_b", "village_reviewer", [setup.county.village_b])
    with pytest.raises(NotFound):
        services.take_copy(outsider, copy, submission(setup).version)
    assert not copy.resolved and events(setup) == []


@pytest.mark.parametrize("body", ['{"version": 1, "reason": ' + "[" * 5000 + "]" * 5000 + "}",
                                  '{"version": 1, "comments": {"household.phone": "\\u0000"}}',
                                  '{"version": NaN}'])
def test_a_body_no_database_could_store_answers_400_and_changes_nothing(setup, body):
    client = setup.reviewer_client
    response = client.post(f"/api/review/records/{setup.record['id']}/return", data=body,
                           content_type="application/json", headers={"X-CSRFToken": client.csrf_token()}, csrf=False)
    assert response.status_code == 400 and response.get_json()["message"]
    assert submission(setup).status == "submitted" and events(setup) == []
