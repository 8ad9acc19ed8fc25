"""Builders for the monitoring tests: census records pushed through ingest and approved by
the village (with or without flags), and proposals moved along the workflow."""
from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.monitoring import services
from app.monitoring.models import MonitoringEvent, Proposal
from app.records.models import Submission, SubmissionRevision
from app.records.queries import household_record
from app.records.services import approve_record, reopen_record, return_record
from tests import factories
from tests.sync_setup import answers, assign_to, field, push, record

LOW_INCOME = {"wage_migrant": "6000"}  # 3,000 yuan a head for two: below the 8,700 threshold


def _enumerator_for(setup, household):
    if household.village_id == setup.county.village_a.id:
        return setup.enumerator
    username = f"enum-{household.village_id}"
    return db.session.scalar(select(User).where(User.username == username)) or \
        factories.user(username, "enumerator", [household.village])


def signature_file() -> bytes:
    """A PNG no other record has."""
    return b"\x89PNG\r\n\x1a\n" + uuid.uuid4().bytes


def approved_record(app, setup, household, reviewer, *, income=None, consent: bool = True,
                    signature: str = "uploaded") -> Submission:
    """A record of ``household`` sent by its enumerator and approved by ``reviewer``: the
    household's consent answered ``consent``, its signature "uploaded", "declared" (the file not
    yet on the server) or "none". A household has one record per campaign: when it has one
    already, these answers come as its correction (reopened by the township if approved,
    returned by the village, corrected)."""
    record_answers = answers(household)
    if income is not None:
        record_answers["income"] = income
    record_answers["consent"] = {"consent_given": True, "consent_signer": "王五"} if consent \
        else {"consent_given": False}
    data = signature_file()
    digest = hashlib.sha256(data).hexdigest()
    files = [] if signature == "none" else [{"sha256": digest, "kind": "signature", "size": len(data),
                                             "content_type": "image/png"}]
    existing = household_record(household.id, setup.campaign.id)
    if existing is None:
        sent = record(setup, household, record_answers, attachments=files)
    else:
        if existing.status == "approved":
            username = f"township-{household.village.parent_id}"
            township = db.session.scalar(select(User).where(User.username == username)) or \
                factories.user(username, "township_approver", [household.village.parent])
            reopen_record(township, existing, "收入有变化", existing.version)
        return_record(reviewer, existing, {"income": "请按最新收入更新"}, existing.version)
        # A correction differs from what it corrects (the same answers again would be a duplicate).
        record_answers["notes"] = {"enumerator_notes": f"第 {existing.revision + 1} 次修订"}
        sent = record(setup, household, record_answers, attachments=files, id=existing.id,
                      base_revision=existing.revision)
    enumerator = _enumerator_for(setup, household)
    assign_to(setup, household, enumerator)
    client = app.test_client()
    client.post("/login", data={"username": enumerator.username, "password": factories.PASSWORD})
    [result] = push(client, sent).get_json()["results"]
    assert result["result"] == "created", result
    if signature == "uploaded":
        uploaded = client.put(f"/api/attachments/{digest}", data=data, csrf=False,
                              headers={"X-CSRFToken": client.csrf_token(), "Content-Type": "image/png"})
        assert uploaded.status_code in (200, 201), uploaded.get_json()
    db.session.expire_all()
    submission = db.session.get(Submission, sent["id"])
    approve_record(reviewer, submission, submission.version)
    return submission


def to_township(village_reviewer, proposal, start: dt.date, notice_days: int = 5):
    """Appraise on ``start``, put on notice the same day and submit once the notice has run."""
    services.act(village_reviewer, proposal, "appraise", proposal.version, on_date=start, today=start)
    services.act(village_reviewer, proposal, "start_notice", proposal.version, on_date=start, today=start)
    services.act(village_reviewer, proposal, "submit", proposal.version,
                 today=start + dt.timedelta(days=notice_days))


START = dt.date(2026, 3, 2)


def lifecycle(county, app):
    """Village A's A-1 (flagged: low income) and A-2 (plain), village B's B-1 (flagged), each with
    an approved record; a reviewer for each village, the township and the county approver."""
    built = field(county)
    built.reviewer = factories.user("reviewer", "village_reviewer", [county.village_a])
    built.reviewer_b = factories.user("reviewer_b", "village_reviewer", [county.village_b])
    built.township = factories.user("township", "township_approver", [county.township_1])
    built.county_approver = factories.user("county", "county_approver", [county.county])
    built.flagged = approved_record(app, built, built.household, built.reviewer, income=LOW_INCOME)
    built.plain = approved_record(app, built, built.second, built.reviewer)
    built.flagged_b = approved_record(app, built, built.other, built.reviewer_b, income=LOW_INCOME)
    return built


def signed_in(app, user):
    client = app.test_client()
    client.post("/login", data={"username": user.username, "password": factories.PASSWORD})
    return client


def events(proposal=None) -> list[tuple]:
    db.session.expire_all()
    query = select(MonitoringEvent).order_by(MonitoringEvent.id)
    if proposal is not None:
        query = query.where(MonitoringEvent.proposal_id == proposal.id)
    return [(e.action, e.from_state, e.to_state) for e in db.session.scalars(query)]


def fresh(record):
    db.session.expire_all()
    return db.session.get(type(record), record.id)


def propose(setup, household=None, **fields) -> Proposal:
    household = household or setup.household
    values = {"channel": "self_application", "clue_date": START, "category": "marginal", "risk_types": ["01"],
              "note": "因病支出大", "today": START, **fields}
    event = services.propose_identification(setup.reviewer, household, setup.campaign, **values)
    return db.session.get(Proposal, event.proposal_id)


def identified(setup, since=dt.date(2025, 6, 2)) -> Proposal:
    """Village A's A-1 identified on ``since``; its latest approved record is setup.flagged (low income)."""
    proposal = propose(setup, clue_date=since, today=since)
    to_township(setup.reviewer, proposal, since)
    services.act(setup.township, proposal, "approve", proposal.version, today=since + dt.timedelta(days=5))
    return fresh(proposal)


def carried_out(setup, household, day: dt.date, *, measure_type="employment", note="介绍到县城务工",
                declared_on: dt.date | None = None):
    """A measure declared (on ``declared_on``, else ``day``) and carried out on ``day``, by the village."""
    measure = services.declare_measure(setup.reviewer, household, measure_type=measure_type,
                                       declared_on=declared_on or day, note=note, today=day)
    services.carry_out_measure(setup.reviewer, measure, day, today=day)
    return measure


def recorded_on(submission, day: dt.date):
    """The record's visit was on ``day`` (its income figure is of that day)."""
    revision = db.session.scalar(select(SubmissionRevision).where(SubmissionRevision.submission_id == submission.id))
    revision.answers = {**revision.answers, "household": {**revision.answers["household"],
                                                          "visit_date": day.isoformat()}}
    db.session.commit()
