"""Pushing records: one result per record, each committed on its own, never overwritten."""
import uuid

import pytest
from sqlalchemy import select

from app import clock
from app.census import services as census
from app.extensions import db
from app.records import services as review
from app.records.models import ReviewEvent, Submission, SubmissionRevision, SyncConflict
from tests import factories
from tests.sync_setup import another_household, count, field, push, record


@pytest.fixture
def setup(county, login):
    built = field(county)
    built.client = login("enum")
    return built


def results(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["results"]


def stored(record_id: str) -> Submission:
    db.session.expire_all()
    return db.session.get(Submission, record_id)


def test_a_new_record_is_created_with_both_results(setup):
    sent = record(setup)
    [result] = results(push(setup.client, sent))
    assert result == {"id": sent["id"], "result": "created", "revision": 1, "status": "submitted", "complete": True,
                      "missing_attachments": []}
    submission = stored(sent["id"])
    assert (submission.household_id, submission.enumerator_id, submission.result_mismatch) == \
        (setup.household.id, setup.enumerator.id, False)
    [revision] = submission.revisions
    assert revision.answers == sent["answers"] and revision.client_result == sent["client_result"]
    assert revision.server_result["income"]["per_capita_net_income"] == 1800000
    assert set(revision.server_result) == {"income", "screening", "issues"}


def test_sending_again_is_a_duplicate_and_stores_nothing(setup):
    sent = record(setup)
    push(setup.client, sent)
    [again] = results(push(setup.client, sent))
    assert (again["result"], again["revision"], again["status"]) == ("duplicate", 1, "submitted")
    assert (count(Submission), count(SubmissionRevision), count(SyncConflict)) == (1, 1, 0)


def test_keys_in_another_order_are_the_same_content(setup):
    sent = record(setup)
    push(setup.client, sent)
    reordered = dict(reversed(list(sent["answers"].items())))
    assert results(push(setup.client, {**sent, "answers": reordered}))[0]["result"] == "duplicate"


def test_errors_make_a_record_invalid_with_a_message_per_field(setup):
    sent = record(setup)
    sent["answers"]["household"]["phone"] = "1391234"
    [result] = results(push(setup.client, sent))
    assert result == {"id": sent["id"], "result": "invalid", "issues": [
        {"path": "household.phone", "code": "phone_format", "message": "联系电话应为以 1 开头的 11 位数字。"}]}
    assert count(Submission) == 0


def test_an_unexplained_warning_only_the_server_sees_is_stored_for_the_reviewer(setup):
    """An ID registered in another household cannot be explained on the phone."""
    sent = record(setup)
    other_head = setup.other.members[0]
    sent["answers"]["members"][0].update(id_number=other_head.id_number, birth_date=other_head.birth_date.isoformat())
    [result] = results(push(setup.client, sent))
    assert result["result"] == "created"
    issues = stored(sent["id"]).revisions[0].server_result["issues"]
    assert {"path": "members[0].id_number", "code": "id_in_other_household", "severity": "warning"}.items() <= \
        next(i for i in issues if i["code"] == "id_in_other_household").items()


def test_a_superscript_digit_in_an_id_makes_the_record_invalid_not_an_error(setup):
    """An ``error`` would have the phone retry the same record for ever."""
    sent = record(setup)
    sent["answers"]["members"][1]["id_number"] = "²" + sent["answers"]["members"][1]["id_number"][1:]
    [result] = results(push(setup.client, sent))
    assert result["result"] == "invalid"
    assert [(i["path"], i["code"]) for i in result["issues"]] == [("members[1].id_number", "id_checksum")]
    assert count(Submission) == 0


def test_an_amount_above_the_bound_makes_the_record_invalid(setup):
    sent = record(setup)
    sent["answers"]["income"]["wage_migrant"] = "99999999999999999999"
    [result] = results(push(setup.client, sent))
    assert result["result"] == "invalid"
    assert [(i["path"], i["code"]) for i in result["issues"]] == [("income.wage_migrant", "money_too_large")]


@pytest.mark.parametrize("change, path", [
    ({"id": "not-a-uuid"}, "id"),
    ({"household_id": "7"}, "household_id"),
    ({"form_version": "1999.9"}, "form_version"),
    ({"base_revision": 0}, "base_revision"),
    ({"answers": {"members": ["x"]}}, "members[0]"),
    ({"answers": []}, "answers"),
    ({"client_result": [1]}, "client_result"),
    ({"attachments": [{"sha256": "abc", "kind": "photo"}]}, "attachments[0]"),
])
def test_malformed_records_are_invalid(setup, change, path):
    [result] = results(push(setup.client, {**record(setup), **change}))
    assert result["result"] == "invalid"
    assert path in [issue["path"] for issue in result["issues"]]
    assert all(issue["message"] for issue in result["issues"])


def test_a_record_that_is_not_an_object_is_invalid_alone(setup):
    sent = record(setup)
    assert [r["result"] for r in results(push(setup.client, "x", sent))] == ["invalid", "created"]


def test_one_bad_record_never_costs_the_others(setup):
    first, second = record(setup), record(setup, setup.second)
    bad = record(setup, another_household(setup, "A-3"))
    bad["answers"]["members"] = []
    assert [r["result"] for r in results(push(setup.client, first, bad, second))] == ["created", "invalid", "created"]
    assert count(Submission) == 2


def test_a_failure_while_storing_rolls_back_only_that_record(setup, monkeypatch):
    first, failing, last = record(setup), record(setup, setup.second), record(setup, another_household(setup, "A-3"))
    real = census.evaluate

    def evaluate(household, campaign, record_answers, definition, facts=None):
        if household.id == setup.second.id:
            raise RuntimeError("disk full")
        return real(household, campaign, record_answers, definition, facts)

    monkeypatch.setattr(census, "evaluate", evaluate)
    answered = results(push(setup.client, first, failing, last))
    assert [r["result"] for r in answered] == ["created", "error", "created"]
    assert answered[1]["message"]
    assert {s.id for s in db.session.scalars(select(Submission))} == {first["id"], last["id"]}


def test_a_different_result_on_the_phone_is_flagged_not_refused(setup):
    sent = record(setup)
    sent["client_result"]["income"]["per_capita_net_income"] += 1
    flags_differ = record(setup, setup.second)
    flags_differ["client_result"]["screening"]["flags"].append({"code": "below_threshold", "params": {}})
    unreadable = record(setup, another_household(setup, "A-3"))
    unreadable["client_result"] = {"income": "?"}
    outcome = results(push(setup.client, sent, flags_differ, unreadable))
    assert [r["result"] for r in outcome] == ["created"] * 3
    assert [stored(r["id"]).result_mismatch for r in outcome] == [True, True, True]


def test_another_villages_household_is_invalid(setup):
    [result] = results(push(setup.client, record(setup, setup.other)))
    assert (result["result"], result["issues"][0]["code"]) == ("invalid", "not_in_scope")
    assert result["issues"][0]["message"] == "该户不在您负责的范围内。"


def test_a_household_outside_the_current_campaign_is_invalid(setup, county):
    outside = factories.household(county.village_a, "A-9")
    [result] = results(push(setup.client, record(setup, outside)))
    assert (result["result"], result["issues"][0]["code"]) == ("invalid", "not_in_campaign")


def test_different_content_under_a_known_id_is_a_conflict_and_both_copies_are_kept(setup):
    sent = record(setup)
    push(setup.client, sent)
    changed = {**sent, "answers": {**sent["answers"], "income": {"wage_migrant": "30000"}}}
    [result] = results(push(setup.client, changed))
    assert (result["result"], result["revision"], result["status"]) == ("conflict", 1, "submitted")
    assert result["diff"] == [{"path": "income.wage_migrant", "stored": "36000", "received": "30000"}]
    submission = stored(sent["id"])
    assert [r.answers for r in submission.revisions] == [sent["answers"]]
    results(push(setup.client, changed))  # sent again: still one copy kept
    [conflict] = db.session.scalars(select(SyncConflict)).all()
    assert conflict.answers == changed["answers"] and not conflict.resolved


def test_the_same_id_for_another_household_is_invalid(setup):
    sent = record(setup)
    push(setup.client, sent)
    [result] = results(push(setup.client, {**record(setup, setup.second), "id": sent["id"]}))
    assert (result["result"], result["issues"][0]["code"]) == ("invalid", "id_taken")


def returned(setup, sent):
    reviewer = factories.user("reviewer", "village_reviewer", [setup.county.village_a])
    review.return_record(reviewer, stored(sent["id"]), {"household.phone": "请核实电话"}, expected_version=1)
    return reviewer


def test_a_correction_of_a_returned_record_is_a_new_revision(setup):
    sent = record(setup)
    push(setup.client, sent)
    reviewer = returned(setup, sent)
    corrected = {**sent, "base_revision": 1,
                 "answers": {**sent["answers"], "household": {**sent["answers"]["household"], "phone": "13800000000"}}}
    [result] = results(push(setup.client, corrected))
    assert (result["result"], result["revision"], result["status"]) == ("created", 2, "submitted")
    submission = stored(sent["id"])
    assert [(r.number, r.base_revision) for r in submission.revisions] == [(1, None), (2, 1)]
    assert submission.revisions[0].answers == sent["answers"]
    assert [(e.action, e.revision, e.actor_id) for e in db.session.scalars(select(ReviewEvent).order_by(ReviewEvent.id))] \
        == [("return", 1, reviewer.id), ("resubmit", 2, setup.enumerator.id)]
    assert results(push(setup.client, corrected))[0]["result"] == "duplicate"


def test_a_stale_base_revision_is_a_conflict_and_the_stored_revision_is_untouched(setup):
    sent = record(setup)
    push(setup.client, sent)
    returned(setup, sent)
    for phone in ("13800000000", "13700000000"):
        correction = {**sent, "base_revision": 1,
                      "answers": {**sent["answers"], "household": {**sent["answers"]["household"], "phone": phone}}}
        outcome = results(push(setup.client, correction))[0]["result"]
    assert outcome == "conflict"  # the second correction was based on revision 1, now 2
    submission = stored(sent["id"])
    assert [r.answers["household"]["phone"] for r in submission.revisions] == ["13912345678", "13800000000"]
    assert count(SyncConflict) == 1


def test_a_correction_of_a_record_that_is_not_returned_is_a_conflict(setup):
    sent = record(setup)
    push(setup.client, sent)
    changed = {**sent, "base_revision": 1, "answers": {**sent["answers"], "income": {}}}
    assert results(push(setup.client, changed))[0]["result"] == "conflict"


def test_a_correction_of_an_unknown_record_is_invalid(setup):
    [result] = results(push(setup.client, record(setup, base_revision=3)))
    assert (result["result"], result["issues"][0]["path"]) == ("invalid", "base_revision")


@pytest.mark.parametrize("listed, code", [
    ([("photo", i) for i in range(6)], "too_many_photos"),
    ([("signature", 1), ("signature", 2)], "too_many_signatures"),
    ([("photo", 1), ("signature", 1)], "attachment_repeated"),
])
def test_attachment_limits(setup, listed, code):
    files = [{"sha256": f"{n:064x}", "kind": kind, "size": 1000, "content_type": "image/jpeg"} for kind, n in listed]
    [result] = results(push(setup.client, record(setup, attachments=files)))
    assert result["result"] == "invalid"
    assert code in [issue["code"] for issue in result["issues"]]


def test_a_declared_oversized_file_is_refused_with_a_clear_message(setup):
    files = [{"sha256": "a" * 64, "kind": "photo", "size": 6 * 1024 * 1024, "content_type": "image/jpeg"}]
    [result] = results(push(setup.client, record(setup, attachments=files)))
    assert result["issues"] == [{"path": "attachments[0]", "code": "attachment_too_large",
                                 "message": "文件超过 5 MB，无法上传；请压缩或重新拍摄后再试。"}]


def test_not_a_batch_is_400_and_too_many_records_413(setup):
    assert setup.client.post("/api/sync/records", json=[record(setup)]).status_code == 400
    assert setup.client.post("/api/sync/records", json={"records": {}}).status_code == 400
    response = push(setup.client, *[record(setup) for _ in range(51)])
    assert response.status_code == 413 and response.get_json()["message"] == "一次最多同步 50 条记录。"
    assert count(Submission) == 0


def test_only_roles_that_collect_push(setup, app):
    factories.user("township", "township_approver", [setup.county.township_1])
    township = app.test_client()
    township.post("/login", data={"username": "township", "password": factories.PASSWORD})
    assert push(township, record(setup)).status_code == 403


def test_ids_are_stored_in_canonical_form(setup):
    record_id = uuid.uuid4()
    [result] = results(push(setup.client, record(setup, id=str(record_id).upper())))
    assert result["id"] == str(record_id) and stored(str(record_id)) is not None


def test_visit_dates_today_pass(setup):
    sent = record(setup)
    assert sent["answers"]["household"]["visit_date"] == clock.today().isoformat()
    assert results(push(setup.client, sent))[0]["result"] == "created"


# One census record per household per campaign ------------------------------------------------

def test_a_second_record_of_a_household_is_kept_as_a_conflict_beside_the_first(setup):
    first, second = record(setup), record(setup)
    second["answers"]["income"] = {"wage_migrant": "30000"}
    assert results(push(setup.client, first))[0]["result"] == "created"
    [result] = results(push(setup.client, second))
    assert (result["id"], result["result"], result["kind"], result["record"], result["status"]) == \
        (second["id"], "conflict", "household_recorded", first["id"], "submitted")
    assert result["diff"] == [{"path": "income.wage_migrant", "stored": "36000", "received": "30000"}]
    assert [submission.id for submission in db.session.scalars(select(Submission))] == [first["id"]]
    [copy] = db.session.scalars(select(SyncConflict)).all()
    assert (copy.submission_id, copy.kind, copy.record_id, copy.answers) == \
        (first["id"], "household_recorded", second["id"], second["answers"])
    assert copy.client_result == second["client_result"] and not copy.resolved
    # The phone sends it again (its answer was lost): the same answer, nothing stored twice.
    assert results(push(setup.client, second)) == [result]
    assert count(SyncConflict) == 1 and count(Submission) == 1


def test_two_new_records_of_a_household_in_one_batch_store_one_record(setup):
    first, second = record(setup), record(setup)
    second["answers"]["household"]["phone"] = "13800000000"
    assert [r["result"] for r in results(push(setup.client, first, second))] == ["created", "conflict"]
    assert count(Submission) == 1 and count(SyncConflict) == 1


def test_a_record_stored_after_its_batch_looked_is_a_duplicate_not_a_second_record(setup):
    """A resend racing the request whose answer the phone never got (bench/chaos.py found it):
    the record is stored after this batch looked for its ids. The same record twice in one
    batch meets the same order of events."""
    sent = record(setup)
    assert [r["result"] for r in results(push(setup.client, sent, sent))] == ["created", "duplicate"]
    assert (count(Submission), count(SubmissionRevision), count(SyncConflict)) == (1, 1, 0)


def test_the_database_refuses_a_second_record_of_a_household_in_a_campaign(setup):
    from sqlalchemy.exc import IntegrityError

    for sent in (record(setup), record(setup)):
        db.session.add(Submission(id=sent["id"], household_id=setup.household.id, campaign_id=setup.campaign.id,
                                  enumerator_id=setup.enumerator.id, revision=1, status="submitted"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
