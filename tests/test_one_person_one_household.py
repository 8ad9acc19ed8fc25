"""One person, one household (DOMAIN.md §4): a person living in a household's record who is
registered in another household's roster, or living in another household's current record,
is a warning on sync and on check, naming the other household; the phone cannot see it."""
import datetime as dt

import pytest
from sqlalchemy import select

from app.campaigns.models import Assignment, Campaign
from app.errors import InvalidInput
from app.extensions import db
from app.households.models import Member, RecordPerson
from app.records import services as review
from app.records.models import Submission
from tests import factories
from tests.sync_setup import answers, field, push, record

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@pytest.fixture
def setup(county, login):
    built = field(county)
    built.client = login("enum")
    return built


def warnings_of(result: dict) -> dict[str, list]:
    """path → the other households named, for every id_in_other_household warning."""
    return {issue["path"]: issue["params"]["households"] for issue in result["issues"]
            if issue["code"] == "id_in_other_household"}


def check(setup, household, record_answers) -> dict:
    response = setup.client.post(f"/api/households/{household.id}/check", json={"answers": record_answers})
    assert response.status_code in (200, 422), response.get_data(as_text=True)
    return response.get_json()


def pushed(setup, sent) -> dict:
    """The stored server result of a record that was created."""
    [result] = push(setup.client, sent).get_json()["results"]
    assert result["result"] == "created", result
    db.session.expire_all()
    return db.session.get(Submission, sent["id"]).revisions[-1].server_result


def with_person(household, person: Member, number: str | None = None) -> dict:
    """The household's record with ``person`` added as a son living there, under ``number``."""
    completed = answers(household)
    completed["members"].append({
        "key": "new", "name": person.name, "id_number": number or person.id_number, "sex": person.sex,
        "birth_date": person.birth_date.isoformat(), "relation": "son", "ethnicity": "01", "status": "present",
        "shares_income": True, "education_level": "junior_secondary", "labour_capacity": "ordinary",
        "residents_medical_insurance": True})
    return completed


@pytest.mark.parametrize("typed", [
    pytest.param(lambda number: number, id="as registered"),
    pytest.param(lambda number: f"{number[:6]} {number[6:14]}\u3000{number[14:]}", id="with spaces inside"),
    pytest.param(lambda number: number.translate(FULL_WIDTH), id="in full-width digits"),
    pytest.param(lambda number: number + "21", id="as the disability certificate number"),
])
def test_a_person_registered_in_another_household_is_a_warning_naming_it(setup, typed):
    person = setup.other.members[0]
    sent = record(setup, record_answers=with_person(setup.household, person, typed(person.id_number)))

    assert warnings_of(check(setup, setup.household, sent["answers"])) == {"members[2].id_number": ["B-1"]}
    assert warnings_of(pushed(setup, sent)) == {"members[2].id_number": ["B-1"]}


def test_the_roster_holding_the_certificate_number_finds_the_record_holding_the_id_number(setup, county):
    person = factories.member("head", name="Zhao", id_number=factories.id_number(dt.date(1960, 1, 1)) + "32",
                              birth_date=dt.date(1960, 1, 1))
    factories.household(county.village_b, "B-9", members=[person])
    sent = record(setup, record_answers=with_person(setup.household, person, person.id_number[:18]))

    assert warnings_of(pushed(setup, sent)) == {"members[2].id_number": ["B-9"]}


def test_the_message_names_the_other_household(setup):
    person = setup.other.members[0]
    issues = check(setup, setup.household, with_person(setup.household, person))["issues"]
    assert "户编号 B-1" in next(i["message"] for i in issues if i["code"] == "id_in_other_household")


def test_a_person_in_two_households_records_but_in_no_roster_is_found_both_ways(setup):
    stranger = factories.member("son", name="Liu", birth_date=dt.date(1999, 9, 9))  # never stored
    first = record(setup, record_answers=with_person(setup.household, stranger))
    assert warnings_of(pushed(setup, first)) == {}

    second = record(setup, household=setup.second, record_answers=with_person(setup.second, stranger))
    assert warnings_of(pushed(setup, second)) == {"members[2].id_number": ["A-1"]}
    # And the first household's record, checked again, now names the second.
    assert warnings_of(check(setup, setup.household, first["answers"])) == {"members[2].id_number": ["A-2"]}


def test_a_person_the_other_households_record_says_moved_out_is_no_warning(setup):
    person = setup.second.members[1]
    assert warnings_of(check(setup, setup.household, with_person(setup.household, person))) == \
        {"members[2].id_number": ["A-2"]}
    second_answers = answers(setup.second)
    second_answers["members"][1].update(status="moved_out", status_date="2026-03-01")
    pushed(setup, record(setup, household=setup.second, record_answers=second_answers))

    assert warnings_of(check(setup, setup.household, with_person(setup.household, person))) == {}


def test_a_member_who_moved_out_of_this_household_is_no_warning(setup):
    person = setup.other.members[0]
    moved = with_person(setup.household, person)
    moved["members"][2].update(status="moved_out", status_date="2026-03-01")
    assert warnings_of(check(setup, setup.household, moved)) == {}


def test_a_correction_that_removes_the_person_clears_the_other_households_warning(setup):
    stranger = factories.member("son", name="Liu", birth_date=dt.date(1999, 9, 9))
    first = record(setup, record_answers=with_person(setup.household, stranger))
    pushed(setup, first)
    reviewer = factories.user("village", "village_reviewer", [setup.county.village_a])
    review.return_record(reviewer, db.session.get(Submission, first["id"]),
                         {"members[2].id_number": "不是本户成员"}, expected_version=1)
    corrected = record(setup, record_answers=answers(setup.household), id=first["id"], base_revision=1)
    [result] = push(setup.client, corrected).get_json()["results"]
    assert result["result"] == "created" and result["revision"] == 2

    assert warnings_of(check(setup, setup.second, with_person(setup.second, stranger))) == {}
    assert sorted(db.session.scalars(select(RecordPerson.person_key).where(RecordPerson.submission_id == first["id"]))) \
        == sorted(member.id_number for member in setup.household.members)


def test_records_of_another_campaign_do_not_count(setup):
    stranger = factories.member("son", name="Liu", birth_date=dt.date(1999, 9, 9))
    pushed(setup, record(setup, record_answers=with_person(setup.household, stranger)))
    newer = Campaign(name="2027年收入普查", year=2027, form_version=setup.campaign.form_version)
    db.session.add(newer)
    db.session.add(Assignment(campaign=newer, household=setup.second, enumerator=setup.enumerator))
    db.session.commit()

    assert warnings_of(check(setup, setup.second, with_person(setup.second, stranger))) == {}


def test_a_warning_stored_before_the_households_were_named_still_reads(app):
    """Revisions are never changed: those stored before 0009 carry the warning without params."""
    from app.census import messages

    with app.test_request_context():
        assert messages.issue_message({"code": "id_in_other_household", "params": {}}) == \
            "该证件号码已登记在其他农户中，请说明情况。"


def test_a_record_with_a_person_of_another_household_is_not_approved_until_one_side_is_resolved(setup):
    """The warning is stored for the reviewer; approving waits until the other household's
    record says the person moved out (or this record is corrected), checked when approving."""
    person = setup.second.members[1]
    sent = record(setup, record_answers=with_person(setup.household, person))
    pushed(setup, sent)
    reviewer = factories.user("village", "village_reviewer", [setup.county.village_a])
    submission = db.session.get(Submission, sent["id"])
    with pytest.raises(InvalidInput, match="A-2"):
        review.approve_record(reviewer, submission, submission.version)
    outcome = review.bulk_approve(reviewer, {submission.id: submission.version})
    assert outcome.approved == [] and outcome.left == [("A-1", ["unexplained", "elsewhere"])]
    assert db.session.get(Submission, sent["id"]).status == "submitted"

    second_answers = answers(setup.second)
    second_answers["members"][1].update(status="moved_out", status_date="2026-03-01")
    pushed(setup, record(setup, household=setup.second, record_answers=second_answers))
    submission = db.session.get(Submission, sent["id"])
    review.approve_record(reviewer, submission, submission.version)
    assert db.session.get(Submission, sent["id"]).status == "approved"
