"""Sample audits end to end: a round drawn from the proposals (seeded, stratified, reproducible,
also on the command line), auditors per township who never audit a household whose record they
collected or reviewed, the audit task on the phone, the audit copy (never the household's record)
compared with the original, the figures by township and the village's answer."""
from __future__ import annotations

import copy
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.audits import queries, services
from app.audits.models import AuditRecord, AuditRound, AuditSample
from app.campaigns.models import Assignment
from app.errors import InvalidInput
from app.extensions import db
from app.jobs.models import Job
from app.records.models import SubmissionRevision
from app.records.queries import current_revision
from tests import factories
from tests.jobs_setup import queued_app as queued_app  # noqa: F401  (the fixture)
from tests.jobs_setup import run_a_consumer_until
from tests.monitoring_setup import LOW_INCOME, START, approved_record, lifecycle, propose, signed_in


@pytest.fixture
def proposed(county, app):
    """Four households proposed for identification on START: A-1, A-2, B-1 (township one) and
    C-1 (township two), each with an approved record."""
    setup = lifecycle(county, app)
    setup.reviewer_c = factories.user("reviewer_c", "village_reviewer", [county.village_c])
    setup.third = factories.household(county.village_c, "C-1")
    collector_c = factories.user(f"enum-{county.village_c.id}", "enumerator", [county.village_c])
    db.session.add(Assignment(campaign=setup.campaign, household=setup.third, enumerator=collector_c))
    db.session.commit()
    setup.flagged_c = approved_record(app, setup, setup.third, setup.reviewer_c, income=LOW_INCOME)
    for household, reviewer in ((setup.household, setup.reviewer), (setup.second, setup.reviewer),
                                (setup.other, setup.reviewer_b), (setup.third, setup.reviewer_c)):
        propose(_as(setup, reviewer), household)  # each by its own village
    setup.admin = factories.user("admin", "county_admin", [county.county])
    return setup


def _as(setup, reviewer):
    """The setup with another village's reviewer acting."""
    other = copy.copy(setup)
    other.reviewer = reviewer
    return other


def _draw(setup, seed=42, **size):
    return services.draw_round(setup.admin, setup.county.county, "proposed_identification", START, START,
                               seed=seed, **({"share": Decimal("0.5"), "count": None} | size))


def test_the_draw_is_stratified_by_township_and_the_same_seed_draws_it_again(proposed):
    first = _draw(proposed)
    drawn = [(sample.township_id, sample.household_id) for sample in first.samples]
    assert sorted(township for township, _ in drawn) == sorted(
        [proposed.county.township_1.id] * 2 + [proposed.county.township_2.id])  # 3 × 0.5 → 2; 1 × 0.5 → 1
    again = _draw(proposed)
    assert [(sample.township_id, sample.household_id) for sample in again.samples] == drawn
    assert (first.seed, first.population_households) == (42, 4)
    report = services.round_report(first)
    assert (report.households, report.persons, report.share_percent) == (3, 6, Decimal("75.00"))
    assert all(sample.submission_id for sample in first.samples)  # each compared with its original


def test_a_count_and_a_period_without_proposals(proposed):
    assert len(_draw(proposed, share=None, count=1).samples) == 1
    with pytest.raises(InvalidInput):
        services.draw_round(proposed.admin, proposed.county.county, "proposed_elimination", START, START,
                            share=Decimal("0.2"), count=None, seed=1)


def test_the_command_line_draws_the_same_households_for_the_same_seed(proposed, app):
    result = app.test_cli_runner().invoke(args=[
        "audits", "draw", "--population", "proposed_identification", "--share", "0.5", "--seed", "42",
        "--from", START.isoformat(), "--to", START.isoformat(), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "3 households / 6 persons (75.00%)" in result.output
    rounds = db.session.scalars(select(AuditRound).order_by(AuditRound.id)).all()
    assert rounds[-1].created_by_id is None
    assert [sample.household_id for sample in rounds[-1].samples] == [
        sample.household_id for sample in _draw(proposed).samples]
    result = app.test_cli_runner().invoke(args=["audits", "draw", "--population", "approved", "--share", "two",
                                                "--seed", "1"])
    assert result.exit_code == 1 and "0.2" in result.output


def _auditors(proposed):
    """enum (who collected village A's records, now covering the whole township) and a fresh auditor."""
    township = proposed.county.township_1
    proposed.enumerator.areas = [township]
    db.session.commit()
    fresh = factories.user("auditor", "enumerator", [township])
    return proposed.enumerator, fresh


def test_an_auditor_never_audits_a_household_they_collected_or_reviewed(proposed):
    audit_round = _draw(proposed, share=Decimal("1"))
    collector, fresh = _auditors(proposed)
    township = proposed.county.township_1
    services.assign_auditor(proposed.admin, audit_round, township, collector)
    services.assign_auditor(proposed.admin, audit_round, township, fresh)
    samples = db.session.scalars(select(AuditSample).where(AuditSample.township_id == township.id)).all()
    involved = queries.involved([sample.household_id for sample in samples])
    assert all(sample.auditor_id is not None and sample.auditor_id not in involved[sample.household_id]
               for sample in samples)
    by_household = {sample.household_id: sample.auditor_id for sample in samples}
    assert by_household[proposed.household.id] == by_household[proposed.second.id] == fresh.id
    # Someone whose areas do not cover the township cannot audit it.
    with pytest.raises(InvalidInput):
        services.assign_auditor(proposed.admin, audit_round, township, proposed.reviewer)


def test_the_auditor_gets_audit_tasks_and_a_copy_is_compared_never_replacing_the_record(proposed, app):
    audit_round = _draw(proposed, share=Decimal("1"))
    _, fresh = _auditors(proposed)
    services.assign_auditor(proposed.admin, audit_round, proposed.county.township_1, fresh)
    client = signed_in(app, fresh)
    tasks = [task for task in client.get("/api/sync/tasks").get_json()["tasks"] if task["kind"] == "audit"]
    assert {task["household_id"] for task in tasks} == {proposed.household.id, proposed.second.id,
                                                        proposed.other.id}
    samples = {task["household_id"]: task["details"]["sample_id"] for task in tasks}
    # What the phone's census form needs offline comes with the task: the auditor is not the
    # household's enumerator, so the household is not among theirs.
    details, = [task["details"] for task in tasks if task["household_id"] == proposed.household.id]
    assert (details["form_version"], details["threshold"]) == (proposed.campaign.form_version, 870000)
    assert [member["name"] for member in details["prefill"]["members"]] == [
        member.name for member in proposed.household.ordered_members]
    revisions_before = db.session.scalar(select(func.count()).select_from(SubmissionRevision))
    same = copy.deepcopy(current_revision(proposed.plain).answers)
    changed = copy.deepcopy(current_revision(proposed.flagged).answers)
    changed["income"] = {"wage_migrant": "60000"}  # 30,000 a head instead of 3,000
    sent = [{"id": str(uuid.uuid4()), "sample_id": samples[proposed.second.id], "answers": same},
            {"id": str(uuid.uuid4()), "sample_id": samples[proposed.household.id], "answers": changed},
            {"id": str(uuid.uuid4()), "sample_id": 999999, "answers": same}]
    results = client.post("/api/sync/audits", json={"copies": sent}).get_json()["results"]
    assert [(item["result"], item.get("outcome")) for item in results] == [
        ("created", "consistent"), ("created", "discrepancy"), ("invalid", None)]
    assert client.post("/api/sync/audits", json={"copies": sent[:1]}).get_json()["results"][0]["result"] == \
        "duplicate"
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(SubmissionRevision)) == revisions_before
    assert current_revision(proposed.flagged).answers["income"] == LOW_INCOME
    discrepancy = db.session.get(AuditSample, samples[proposed.household.id])
    fields = {difference["field"] for difference in db.session.scalar(
        select(AuditRecord.differences).where(AuditRecord.sample_id == discrepancy.id))}
    assert {"income:wage_migrant", "per_capita_net_income", "flags"} <= fields
    # Done: no longer a task.
    tasks = [task for task in client.get("/api/sync/tasks").get_json()["tasks"] if task["kind"] == "audit"]
    assert {task["household_id"] for task in tasks} == {proposed.other.id}
    lines = {line.township.name: (line.sampled, line.visited, line.consistent, line.discrepancy,
                                  line.discrepancy_rate) for line in queries.figures(audit_round)}
    assert lines == {"Township One": (3, 2, 1, 1, Decimal("50.00")), "Township Two": (1, 0, 0, 0, None)}
    # The village answers the differences; a consistent one has nothing to answer.
    with pytest.raises(InvalidInput):
        services.answer_discrepancy(proposed.reviewer, discrepancy, "")
    services.answer_discrepancy(proposed.reviewer, discrepancy, "复核时外出务工收入已更新，重新入户核实")
    assert db.session.get(AuditSample, samples[proposed.household.id]).village_answer.startswith("复核时")
    with pytest.raises(InvalidInput):
        services.answer_discrepancy(proposed.reviewer, db.session.get(AuditSample, samples[proposed.second.id]),
                                    "x")


def test_a_copy_for_someone_elses_sample_is_invalid(proposed, app):
    audit_round = _draw(proposed, share=Decimal("1"))
    _, fresh = _auditors(proposed)
    services.assign_auditor(proposed.admin, audit_round, proposed.county.township_1, fresh)
    sample = db.session.scalar(select(AuditSample).where(AuditSample.auditor_id == fresh.id))
    other = factories.user("other", "enumerator", [proposed.county.township_1])
    result, = signed_in(app, other).post("/api/sync/audits", json={"copies": [
        {"id": str(uuid.uuid4()), "sample_id": sample.id, "answers": {}}]}).get_json()["results"]
    assert result["result"] == "invalid"


def test_the_county_draws_in_the_browser_and_the_village_answers_its_discrepancy(proposed, app):
    admin = signed_in(app, proposed.admin)
    response = admin.post("/audits/rounds", data={
        "county": proposed.county.county.id, "population": "proposed_identification", "share": "50%",
        "period_start": START.isoformat(), "period_end": START.isoformat(), "seed": "42"})
    # The draw is a job: its page shows samples written of samples and links to the round.
    assert response.status_code == 303 and "/jobs/" in response.location
    job = db.session.scalar(select(Job))
    assert (job.kind, job.state, job.rows_done, job.rows_total) == ("audit_draw", "done", 3, 3)
    audit_round = db.session.scalar(select(AuditRound))
    shown = admin.get(response.location).get_data(as_text=True)
    assert "已抽样：3 户 / 6 人（75.00%）" in shown and f"/audits/rounds/{audit_round.id}" in shown
    assert [sample.household_id for sample in audit_round.samples] == [
        sample.household_id for sample in _draw(proposed).samples]  # the seed shows the same draw again
    assert "3 户 / 6 人（75.00%）" in admin.get(f"/audits/rounds/{audit_round.id}").get_data(as_text=True)
    assert admin.post("/audits/rounds", data={"county": proposed.county.county.id, "population": "approved",
                                              "share": "2", "seed": "1"}).status_code == 422
    sample = audit_round.samples[0]
    sample.outcome = "discrepancy"
    db.session.commit()
    village = signed_in(app, proposed.reviewer if sample.household.village_id == proposed.county.village_a.id
                        else proposed.reviewer_b)
    page = village.get(f"/audits/rounds/{audit_round.id}").get_data(as_text=True)
    assert sample.household.household_number in page and f'answer-{sample.id}' in page
    assert village.post(f"/audits/samples/{sample.id}/answer", data={"answer": ""}).status_code == 422
    assert village.post(f"/audits/samples/{sample.id}/answer", data={"answer": "已重新核实"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(AuditSample, sample.id).village_answer == "已重新核实"
    # Another village's reviewer does not see this household's sample.
    stranger = signed_in(app, proposed.reviewer_c)
    assert stranger.post(f"/audits/samples/{sample.id}/answer", data={"answer": "x"}).status_code == 404


def test_a_draw_job_with_nothing_to_draw_fails_with_the_reason_and_is_the_owners_only(proposed, app):
    admin = signed_in(app, proposed.admin)
    response = admin.post("/audits/rounds", data={
        "county": proposed.county.county.id, "population": "proposed_elimination", "share": "0.2",
        "period_start": START.isoformat(), "period_end": START.isoformat(), "seed": "7"})
    assert response.status_code == 303
    assert db.session.scalar(select(Job.state)) == "failed" and db.session.scalar(select(AuditRound)) is None
    assert "作业失败：这一期间没有符合抽样范围的户。" in admin.get(response.location).get_data(as_text=True)
    admin.post("/locale", data={"locale": "en"})
    assert "The job failed: No household" in admin.get(response.location).get_data(as_text=True)
    other = factories.user("admin2", "county_admin", [proposed.county.county])
    assert signed_in(app, other).get(response.location).status_code == 404


def test_the_same_draw_asked_twice_while_it_waits_is_one_job(proposed, queued_app):
    web = queued_app()
    admin = signed_in(web, proposed.admin)
    asked = {"county": proposed.county.county.id, "population": "proposed_identification", "count": "2",
             "share": "", "period_start": START.isoformat(), "period_end": START.isoformat(), "seed": "42"}
    first = admin.post("/audits/rounds", data=asked)
    assert "排队中" in admin.get(first.location).get_data(as_text=True)
    assert admin.post("/audits/rounds", data=asked).location == first.location
    assert admin.post("/audits/rounds", data={**asked, "seed": "43"}).location != first.location
    assert run_a_consumer_until(web, int(first.location.rsplit("/", 1)[1])) == "done"
    with web.app_context():
        assert db.session.scalars(select(AuditRound.seed).where(AuditRound.seed == 42)).all() == [42]  # drawn once
        assert db.session.scalar(select(func.count()).select_from(AuditSample).join(AuditRound)
                                 .where(AuditRound.seed == 42)) == 2
