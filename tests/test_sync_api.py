"""The phone's session, pull and the locks that stop another site from submitting."""
import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from app.campaigns.models import Assignment
from app.census import definitions
from app.extensions import db
from app.records import services as review
from app.records.models import Submission
from tests import factories
from tests.sync_setup import THRESHOLD, count, field, push, record


@pytest.fixture
def setup(county, login):
    built = field(county)
    built.client = login("enum")
    return built


def test_the_session_names_the_user_and_carries_the_csrf_token(setup):
    body = setup.client.get("/api/session").get_json()
    assert body["user"] == {"id": setup.enumerator.id, "username": "enum", "display_name": "Enum",
                            "role": "enumerator", "locale": "zh_Hans"}
    assert body["csrf_token"]
    response = setup.client.post("/api/sync/records", json={"records": [record(setup)]}, csrf=False,
                                 headers={"X-CSRFToken": body["csrf_token"]})
    assert response.status_code == 200


@pytest.mark.parametrize("method, path", [("GET", "/api/session"), ("GET", "/api/sync/households"),
                                          ("GET", "/api/sync/households/forms?ids=1"),
                                          ("GET", "/api/sync/records"), ("GET", "/api/attachments/" + "a" * 64)])
def test_without_a_session_the_api_answers_401_json(client, app_context, method, path):
    response = client.open(path, method=method)
    assert response.status_code == 401
    assert response.get_json() == {"error": 401, "message": "请先登录。"}


def test_pages_still_send_the_visitor_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_session_that_expires_offline_loses_nothing(setup, app):
    """The outbox meets a 401, keeps its records, and continues after signing in again."""
    setup.client.post("/logout")
    setup.client.delete_cookie("session")
    pending = record(setup)
    assert push(setup.client, pending).status_code == 401
    assert count(Submission) == 0
    setup.client.post("/login", data={"username": "enum", "password": factories.PASSWORD})
    [result] = push(setup.client, pending).get_json()["results"]
    assert result["result"] == "created"


def test_cross_site_requests_cannot_submit(setup):
    """Without the token from /api/session: 400. With it, but from another site: 403."""
    no_token = setup.client.post("/api/sync/records", json={"records": [record(setup)]}, csrf=False)
    assert no_token.status_code == 400
    other_site = push(setup.client, record(setup), headers={"Origin": "https://evil.example"})
    assert other_site.status_code == 403
    assert count(Submission) == 0
    same_site = push(setup.client, record(setup), headers={"Origin": "http://localhost"})
    assert same_site.status_code == 200 and count(Submission) == 1


def test_the_session_cookie_is_not_sent_on_cross_site_posts(setup):
    cookie = setup.client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def forms(client, *households):
    response = client.get("/api/sync/households/forms?ids=" + ",".join(str(h.id) for h in households))
    assert response.status_code == 200
    return {form["id"]: form for form in response.get_json()["forms"]}


def test_the_household_list_carries_only_what_the_list_shows(setup):
    body = setup.client.get("/api/sync/households").get_json()
    assert body["campaign"] == {"id": setup.campaign.id, "name": "2026年收入普查", "year": 2026,
                                "form_version": definitions.DEFAULT_VERSION}
    assert [h["household_number"] for h in body["households"]] == ["A-1", "A-2"]  # not B-1: outside the area
    first = body["households"][0]
    # The list shows number, head, village and group (static/js/app.js); the form's data is
    # fetched apart, after the list is drawn.
    # "monitored" offers the household's visit log.
    assert first == {"id": setup.household.id, "household_number": "A-1", "village": "Village A", "group": "Group A1",
                     "head_name": "王五", "monitored": False}


def test_each_households_form_carries_what_it_needs_offline(setup):
    head, spouse = setup.household.ordered_members
    form = forms(setup.client, setup.household)[setup.household.id]
    assert set(form) == {"id", "threshold", "prefill", "last_year"}
    assert (form["threshold"], form["last_year"]) == (THRESHOLD, None)
    # The search reads names and ID numbers from the prefilled roster (static/js/core/search.js).
    assert [(m["name"], m["id_number"]) for m in form["prefill"]["members"]] == [("王五", head.id_number),
                                                                                   ("李梅", spouse.id_number)]


def test_forms_are_given_only_for_the_users_assigned_households(setup):
    unassigned = factories.household(setup.county.village_a, "A-3")
    assert set(forms(setup.client, setup.household, setup.second, unassigned, setup.other)) == \
        {setup.household.id, setup.second.id}  # A-3 is nobody's, B-1 lies outside the area


def test_an_unchanged_chunk_of_forms_answers_304_and_a_changed_roster_does_not(setup):
    url = f"/api/sync/households/forms?ids={setup.household.id},{setup.second.id}"
    etag = setup.client.get(url).headers["ETag"]
    assert setup.client.get(url, headers={"If-None-Match": etag}).status_code == 304
    setup.household.ordered_members[1].name = "李美"
    db.session.commit()
    changed = setup.client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert [m["name"] for m in changed.get_json()["forms"][0]["prefill"]["members"]] == ["王五", "李美"]


@pytest.mark.parametrize("ids", ["", "1,,2", "x", "١", "1.5", "99999999999", ",".join(["1"] * 201)])
def test_a_bad_list_of_ids_is_answered_with_a_message(setup, ids):
    response = setup.client.get(f"/api/sync/households/forms?ids={ids}")
    assert response.status_code == 400 and response.get_json()["message"]


def test_an_unchanged_household_list_answers_304(setup):
    first = setup.client.get("/api/sync/households")
    etag = first.headers["ETag"]
    again = setup.client.get("/api/sync/households", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    factories.household(setup.county.village_a, "A-3")  # not assigned: the list is the same
    assert setup.client.get("/api/sync/households", headers={"If-None-Match": etag}).status_code == 304
    setup.household.phone = "13900000000"  # the form's, not the list's
    db.session.commit()
    assert setup.client.get("/api/sync/households", headers={"If-None-Match": etag}).status_code == 304
    setup.household.head.name = "王武"
    db.session.commit()
    assert setup.client.get("/api/sync/households", headers={"If-None-Match": etag}).status_code == 200


def _etag_of_list(setup):
    return setup.client.get("/api/sync/households").headers["ETag"]


def _second_assignment(setup):
    return db.session.scalar(select(Assignment).where(Assignment.household_id == setup.second.id))


def _rename_group(setup):
    setup.county.group_a1.name = "Group One"


def _another_assignment(setup):
    db.session.add(Assignment(campaign=setup.campaign, enumerator=setup.enumerator,
                              household=factories.household(setup.county.village_a, "A-3")))


def _reassign(setup):
    _second_assignment(setup).enumerator = factories.user("enum2", "enumerator", [setup.county.village_a])


def _assign_another_household(setup):
    """The same count of assignments, another household: A-2's assignment removed, A-3 assigned."""
    db.session.delete(_second_assignment(setup))
    _another_assignment(setup)


def _leave_the_area(setup):
    setup.enumerator.areas = [setup.county.group_a1]  # A-2 is in no group of village A


@pytest.mark.parametrize("change", [
    lambda setup: setattr(setup.household.head, "name", "王武"),
    lambda setup: setattr(setup.household, "household_number", "A-01"),
    lambda setup: setattr(setup.household, "monitored_category", "unstable_out_of_poverty"),
    lambda setup: setattr(setup.second, "group", setup.county.group_a1),
    lambda setup: setup.household.members.remove(setup.household.head),
    _rename_group, _another_assignment, _reassign, _assign_another_household, _leave_the_area,
    lambda setup: setattr(setup.campaign, "form_version", "2026.1"),
], ids=["head name", "number", "monitored", "group", "head gone", "group renamed", "assigned", "reassigned",
        "another household", "areas", "form version"])
def test_every_change_to_the_list_changes_its_etag(setup, change):
    """A change to what the list shows, to who is assigned or to what the user covers gives a
    new ETag (the phone would keep an old list on a 304), and the list as it is now."""
    etag = _etag_of_list(setup)
    before = setup.client.get("/api/sync/households").get_json()
    change(setup)
    db.session.commit()
    again = setup.client.get("/api/sync/households", headers={"If-None-Match": etag})
    assert again.status_code == 200
    assert again.headers["ETag"] != etag and again.get_json() != before
    assert setup.client.get("/api/sync/households", headers={"If-None-Match": again.headers["ETag"]}).status_code == 304


def test_records_show_state_comments_and_the_answers_to_correct(setup):
    sent, other = record(setup), record(setup, setup.second)
    push(setup.client, sent, other)
    reviewer = factories.user("reviewer", "village_reviewer", [setup.county.village_a])
    review.return_record(reviewer, db.session.get(Submission, sent["id"]), {"household.phone": "请核实"}, 1)
    listed = {r["id"]: r for r in setup.client.get("/api/sync/records").get_json()["records"]}
    returned = listed[sent["id"]]
    assert (returned["status"], returned["revision"], returned["household_id"], returned["conflicts"]) == \
        ("returned", 1, setup.household.id, 0)
    assert [(c["path"], c["text"], c["reviewer"]) for c in returned["comments"]] == [("household.phone", "请核实", "Reviewer")]
    assert returned["answers"] == sent["answers"]
    assert (listed[other["id"]]["status"], listed[other["id"]]["answers"], listed[other["id"]]["comments"]) == \
        ("submitted", None, [])


def test_the_records_pull_reads_answers_only_of_records_returned_to_the_phone(setup, app):
    """Of a revision the pull sends only the answers of a record returned for correcting: it
    reads no record's results, and the answers of those returned only (every other record's
    JSON was read and decoded at each pull; docs/benchmarks.md, "Many users at once")."""
    sent, other = record(setup), record(setup, setup.second)
    push(setup.client, sent, other)
    reviewer = factories.user("reviewer", "village_reviewer", [setup.county.village_a])
    review.return_record(reviewer, db.session.get(Submission, sent["id"]), {"household.phone": "请核实"}, 1)
    statements = []

    def seen(_connection, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        listed = {r["id"]: r for r in setup.client.get("/api/sync/records").get_json()["records"]}
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    assert listed[sent["id"]]["answers"] == sent["answers"] and listed[other["id"]]["answers"] is None
    assert not [statement for statement in statements if "_result" in statement]
    answers_read = [statement for statement in statements if "submission_revision.answers" in statement]
    assert len(answers_read) == 1 and "submission_revision.id IN" in answers_read[0]


def test_records_of_another_enumerator_are_not_listed(setup, app):
    push(setup.client, record(setup))
    factories.user("enum2", "enumerator", [setup.county.village_a])
    second = app.test_client()
    second.post("/login", data={"username": "enum2", "password": factories.PASSWORD})
    assert second.get("/api/sync/records").get_json() == {"records": []}


def test_records_carry_the_done_mark_and_what_the_phone_must_not_record_again(setup, app):
    """An approved record: the day (the county's) and per-capita income. A record of an
    assigned household made by someone else: listed, not for correcting. A second record of a
    household: its id, the record it is kept beside, and whether the village resolved it."""
    import datetime as dt

    from app.campaigns.models import Assignment
    from app.records.models import ReviewEvent, SyncConflict

    sent = record(setup)
    push(setup.client, sent)
    reviewer = factories.user("reviewer", "village_reviewer", [setup.county.village_a])
    review.approve_record(reviewer, db.session.get(Submission, sent["id"]), 1)
    approval = db.session.scalar(db.select(ReviewEvent).where(ReviewEvent.action == "approve"))
    approval.at = dt.datetime(2026, 7, 1, 18, 30, tzinfo=dt.UTC)  # 2 July in the county
    db.session.commit()
    second = record(setup)
    push(setup.client, second)
    earlier = factories.user("enum0", "enumerator", [setup.county.village_a])
    their = record(setup, setup.second)
    db.session.execute(db.update(Assignment).where(Assignment.household_id == setup.second.id)
                       .values(enumerator_id=earlier.id))
    db.session.commit()
    other_phone = app.test_client()
    other_phone.post("/login", data={"username": "enum0", "password": factories.PASSWORD})
    push(other_phone, their)
    db.session.execute(db.update(Assignment).where(Assignment.household_id == setup.second.id)
                       .values(enumerator_id=setup.enumerator.id))  # reassigned to enum
    db.session.commit()
    listed = {r["id"]: r for r in setup.client.get("/api/sync/records").get_json()["records"]}
    assert (listed[sent["id"]]["status"], listed[sent["id"]]["approved_on"],
            listed[sent["id"]]["per_capita_net_income"], listed[sent["id"]]["mine"]) == \
        ("approved", "2026-07-02", 1_800_000, True)
    assert (listed[their["id"]]["household_id"], listed[their["id"]]["mine"], listed[their["id"]]["answers"]) == \
        (setup.second.id, False, None)
    assert listed[second["id"]] == {"id": second["id"], "household_id": setup.household.id,
                                    "status": "second_record", "record": sent["id"], "resolved": False}
    copy = db.session.scalar(db.select(SyncConflict))
    review.keep_stored(reviewer, copy, db.session.get(Submission, sent["id"]).version)
    listed = {r["id"]: r for r in setup.client.get("/api/sync/records").get_json()["records"]}
    assert listed[second["id"]]["resolved"] is True
