"""A batch of records is one transaction with a savepoint per record (docs/sync.md, Push):
one failing record costs only itself, and nothing is acknowledged before the commit."""
import json

import pytest
from sqlalchemy import event, insert, select, text
from sqlalchemy.exc import OperationalError

from app.census import services as census
from app.extensions import db
from app.figures.models import VillageFigures
from app.records.canonical import content_sha256
from app.records.models import Submission, SubmissionRevision
from app.sync import ingest
from tests.sync_setup import another_household, count, field, push, record

BATCH = 50


@pytest.fixture
def setup(county, login):
    built = field(county)
    built.client = login("enum")
    built.households = [built.household, built.second,
                        *(another_household(built, f"A-{n}") for n in range(3, BATCH + 1))]
    return built


def results(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    answered = [answer["result"] for answer in response.get_json()["results"]]
    response.close()  # as a server does: the villages changed are counted again then
    return answered


@pytest.fixture
def failing_commit(app):
    """The database connection breaks as the next transaction commits (once)."""
    armed = [True]

    def lost_connection(_connection):
        if armed:
            armed.pop()
            raise OperationalError("COMMIT", None, ConnectionError("server closed the connection unexpectedly"))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "commit", lost_connection)
    yield
    event.remove(engine, "commit", lost_connection)


def test_a_failure_in_record_17_of_50_stores_the_other_49(setup, monkeypatch):
    sent = [record(setup, household) for household in setup.households]
    failing = setup.households[16].id
    real = census.evaluate

    def evaluate(household, campaign, record_answers, definition, facts=None):
        if household.id == failing:
            # A statement the database refuses: on PostgreSQL it aborts the whole transaction
            # unless the record's savepoint is rolled back.
            db.session.execute(text("SELECT no_such_column FROM submission"))
        return real(household, campaign, record_answers, definition, facts)

    monkeypatch.setattr(census, "evaluate", evaluate)
    answered = results(push(setup.client, *sent))
    assert answered == ["created"] * 16 + ["error"] + ["created"] * 33
    stored = set(db.session.scalars(select(Submission.id)))
    assert stored == {one["id"] for one in sent} - {sent[16]["id"]}
    assert count(SubmissionRevision) == 49


def test_a_fault_that_sends_no_statement_in_record_17_of_50_costs_only_that_record(setup, monkeypatch):
    """New records are checked without a savepoint; a fault there (here: in the engine, no
    statement involved) starts the batch again with savepoints, and the other 49 are stored once."""
    sent = [record(setup, household) for household in setup.households]
    failing = setup.households[16].id
    real = census.evaluate
    calls = []

    def evaluate(household, campaign, record_answers, definition, facts=None):
        calls.append(household.id)
        if household.id == failing:
            raise RuntimeError("a fault in the engine")
        return real(household, campaign, record_answers, definition, facts)

    monkeypatch.setattr(census, "evaluate", evaluate)
    answered = results(push(setup.client, *sent))
    assert answered == ["created"] * 16 + ["error"] + ["created"] * 33
    assert set(db.session.scalars(select(Submission.id))) == {one["id"] for one in sent} - {sent[16]["id"]}
    assert (count(Submission), count(SubmissionRevision)) == (49, 49)
    assert calls.count(setup.households[0].id) == 2  # the batch was received again, from its start


def test_a_crash_before_the_commit_acknowledges_none_and_the_retry_stores_all_once(setup, failing_commit):
    sent = [record(setup, household) for household in setup.households]
    assert results(push(setup.client, *sent)) == ["error"] * BATCH
    assert count(Submission) == 0
    assert results(push(setup.client, *sent)) == ["created"] * BATCH
    assert results(push(setup.client, *sent)) == ["duplicate"] * BATCH
    assert (count(Submission), count(SubmissionRevision)) == (BATCH, BATCH)


def test_an_invalid_record_stays_invalid_when_the_commit_fails(setup, failing_commit):
    good, bad = record(setup), record(setup, setup.second)
    bad["answers"]["household"]["phone"] = "1391234"
    assert results(push(setup.client, good, bad)) == ["error", "invalid"]
    assert count(Submission) == 0


def test_the_villages_of_new_records_are_counted_again(setup):
    """New records are written without the ORM's flush: the batch moves their village's data
    version on itself, and the figures stored after the answer count them."""
    village = setup.county.village_a
    db.session.refresh(village)
    before = village.data_version
    assert results(push(setup.client, record(setup), record(setup, setup.second))) == ["created", "created"]
    db.session.expire_all()
    assert db.session.get(type(village), village.id).data_version > before
    figures = db.session.get(VillageFigures, (setup.campaign.id, village.id))
    assert figures is not None and figures.data_version == db.session.get(type(village), village.id).data_version


def test_records_stored_by_another_request_after_the_batch_looked_are_received_again(setup, monkeypatch):
    """New records are written together after the others; one stored meanwhile by another
    request (a resend racing its first copy) fails that write, and each is received again
    on its own: it is a duplicate, the others are created."""
    first, raced, last = (record(setup, household) for household in setup.households[:3])
    real = ingest._prepare

    def prepare_then_the_first_copy_commits(user, records):
        prepared = real(user, records)
        with db.engine.begin() as connection:  # the other request, on a connection of its own
            connection.execute(insert(Submission.__table__), {
                "id": raced["id"], "household_id": raced["household_id"], "campaign_id": setup.campaign.id,
                "enumerator_id": setup.enumerator.id, "revision": 1, "status": "submitted", "version": 1})
            connection.execute(insert(SubmissionRevision.__table__), {
                "submission_id": raced["id"], "number": 1, "answers": raced["answers"],
                "content_sha256": content_sha256(raced["answers"]), "form_version": raced["form_version"],
                "server_result": {}, "enumerator_id": setup.enumerator.id})
        return prepared

    monkeypatch.setattr(ingest, "_prepare", prepare_then_the_first_copy_commits)
    assert results(push(setup.client, first, raced, last)) == ["created", "duplicate", "created"]
    assert (count(Submission), count(SubmissionRevision)) == (3, 3)


def test_a_new_records_answers_are_encoded_and_its_people_found_once(setup, monkeypatch):
    """The canonical JSON made for the content hash is what is stored (the same value read
    back), and the people of each record are found once for the facts and for record_person."""
    from app.households import people
    from app.households.models import RecordPerson
    from app.records import canonical

    sent = [record(setup, household) for household in setup.households[:3]]
    encoded, found = [], []
    real_text, real_people = canonical.canonical_text, people.people_of
    monkeypatch.setattr("app.records.services.canonical_text", lambda value: encoded.append(value) or real_text(value))
    monkeypatch.setattr(people, "people_of", lambda value: found.append(value) or real_people(value))
    monkeypatch.setattr("app.records.models.people_of", people.people_of)
    assert results(push(setup.client, *sent)) == ["created"] * 3
    assert len(encoded) == len(found) == 3
    db.session.expire_all()
    for item in sent:
        revision = db.session.scalars(select(SubmissionRevision).filter_by(submission_id=item["id"])).one()
        assert revision.answers == item["answers"] and revision.content_sha256 == content_sha256(item["answers"])
        stored_text = db.session.execute(select(SubmissionRevision.answers.cast(db.Text))
                                         .where(SubmissionRevision.id == revision.id)).scalar()
        assert json.loads(stored_text) == item["answers"]
        assert {row.person_key: row.present for row in db.session.scalars(
            select(RecordPerson).filter_by(submission_id=item["id"]))} == real_people(item["answers"])


def test_each_record_of_a_batch_meets_the_line_of_its_own_area(setup):
    """The batch reads its households' areas as ids: a group's line wins over its village's,
    a village's over the county's, and a household of a village with none has the county's."""
    from app.campaigns.models import MonitoringThreshold
    from tests.sync_setup import THRESHOLD

    county = setup.county
    setup.campaign.thresholds.append(MonitoringThreshold(year=2026, area=county.group_a1, amount_fen=500000))
    db.session.commit()
    in_group = record(setup)  # A-1 is of group A1
    in_village = record(setup, setup.second)
    assert results(push(setup.client, in_group, in_village)) == ["created", "created"]
    setup.campaign.thresholds.append(MonitoringThreshold(year=2026, area=county.village_a, amount_fen=600000))
    db.session.commit()
    of_the_village = record(setup, setup.households[2])
    assert results(push(setup.client, of_the_village)) == ["created"]
    db.session.expire_all()
    lines = {revision.submission_id: revision.server_result["income"]["threshold"]
             for revision in db.session.scalars(select(SubmissionRevision))}
    assert lines == {in_group["id"]: 500000, in_village["id"]: THRESHOLD, of_the_village["id"]: 600000}
