"""Builders for the monitoring tests: census records pushed through ingest and approved by
the village (with or without flags), and proposals moved along the workflow."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.monitoring import services
from app.records.models import Submission
from app.records.queries import household_record
from app.records.services import approve_record, reopen_record, return_record
from tests import factories
from tests.sync_setup import answers, push, record

LOW_INCOME = {"wage_migrant": "6000"}  # 3,000 yuan a head for two: below the 8,700 threshold


def _enumerator_for(setup, household):
    if household.village_id == setup.county.village_a.id:
        return setup.enumerator
    username = f"enum-{household.village_id}"
    return db.session.scalar(select(User).where(User.username == username)) or \
        factories.user(username, "enumerator", [household.village])


def approved_record(app, setup, household, reviewer, *, income=None) -> Submission:
    """A record of ``household`` sent by its enumerator and approved by ``reviewer``. A
    household has one record per campaign: when it has one already, these answers come as its
    correction (reopened by the township if approved, returned by the village, corrected)."""
    record_answers = answers(household)
    if income is not None:
        record_answers["income"] = income
    existing = household_record(household.id, setup.campaign.id)
    if existing is None:
        sent = record(setup, household, record_answers)
    else:
        if existing.status == "approved":
            township = factories.user(f"township-{existing.id[:8]}", "township_approver",
                                      [household.village.parent])
            reopen_record(township, existing, "收入有变化", existing.version)
        return_record(reviewer, existing, {"income": "请按最新收入更新"}, existing.version)
        sent = record(setup, household, record_answers, id=existing.id, base_revision=existing.revision)
    client = app.test_client()
    client.post("/login", data={"username": _enumerator_for(setup, household).username,
                                "password": factories.PASSWORD})
    [result] = push(client, sent).get_json()["results"]
    assert result["result"] == "created", result
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
