"""A record's summary columns say what its current revision's server result says (queues
and dashboards filter and add up on them)."""
from sqlalchemy import select

from app.extensions import db
from app.records import services as review
from app.records.models import Submission, SubmissionRevision, summary
from tests import factories
from tests.sync_setup import answers, field, push, record


def test_summary_columns_follow_the_server_result(client, county, login):
    setup = field(county)
    login("enum")
    record_answers = answers(setup.household)
    record_answers["members"][0]["residents_medical_insurance"] = False  # a warning nobody explained
    record_answers["guarantees"].update(basic_medical=False, basic_medical_note="户主未参保，正在补办")  # as it must then say
    record_answers["income"] = {"wage_migrant": "6000"}  # below the line: a flag
    setup.client = client
    assert push(client, record(setup, record_answers=record_answers)).status_code == 200
    stored = db.session.scalar(select(Submission))
    result = db.session.scalar(select(SubmissionRevision.server_result))
    assert stored.per_capita_net_income == result["income"]["per_capita_net_income"] == 300000
    assert stored.flag_count == len(result["screening"]["flags"]) >= 1
    assert stored.unexplained_warning_count == 1 and stored.error_count == 0
    assert summary(result) == {column: getattr(stored, column) for column in summary(result)}


def test_a_correction_brings_its_own_figures_to_the_record(client, county, login):
    setup = field(county)
    login("enum")
    setup.client = client
    sent = record(setup, record_answers={**answers(setup.household), "income": {"wage_migrant": "6000"}})
    assert push(client, sent).status_code == 200
    reviewer = factories.user("reviewer", "village_reviewer", [county.village_a])
    review.return_record(reviewer, db.session.get(Submission, sent["id"]), {"income.wage_migrant": "请核实"},
                         expected_version=1)
    login("enum")
    corrected = {**sent, "base_revision": 1, "answers": {**sent["answers"], "income": {"wage_migrant": "60000"}}}
    assert push(client, corrected).get_json()["results"][0]["result"] == "created"
    db.session.expire_all()
    stored = db.session.get(Submission, sent["id"])
    current = stored.revisions[-1]
    assert (stored.revision, stored.per_capita_net_income) == (2, current.server_result["income"]["per_capita_net_income"])
    assert stored.per_capita_net_income == 3_000_000 and stored.flag_count == 0
    assert summary(current.server_result) == {column: getattr(stored, column) for column in summary({})}
