"""A revision's summary columns say what its server result says (queues and dashboards
filter and add up on them)."""
from sqlalchemy import select

from app.extensions import db
from app.sync.models import SubmissionRevision, summary
from tests.sync_setup import answers, field, push, record


def test_summary_columns_follow_the_server_result(client, county, login):
    setup = field(county)
    login("enum")
    record_answers = answers(setup.household)
    record_answers["members"][0]["residents_medical_insurance"] = False  # a warning nobody explained
    record_answers["income"] = {"wage_migrant": "6000"}  # below the line: a flag
    setup.client = client
    assert push(client, record(setup, record_answers=record_answers)).status_code == 200
    revision = db.session.scalar(select(SubmissionRevision))
    result = revision.server_result
    assert revision.per_capita_net_income == result["income"]["per_capita_net_income"] == 300000
    assert revision.flag_count == len(result["screening"]["flags"]) >= 1
    assert revision.unexplained_warning_count == 1 and revision.error_count == 0
    assert summary(result) == {column: getattr(revision, column) for column in summary(result)}
