"""Reads of census records that the packages above share: the current-revision join, a record
fetched within the user's areas, and the approved records other pages weigh (last year's, the
latest, the day it was approved). Always scoped where they return a user's view of records."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from werkzeug.exceptions import NotFound

from app import clock
from app.campaigns.models import Campaign
from app.extensions import db
from app.households.models import Household
from app.households.scope import household_filter
from app.records.models import ReviewEvent, Submission, SubmissionRevision, SyncConflict


def is_current_revision(submission_id=Submission.id, number=Submission.revision):
    """The join condition of a record and its current revision (``submission_id`` and
    ``number`` may be a subquery's columns instead of the record's)."""
    return and_(SubmissionRevision.submission_id == submission_id, SubmissionRevision.number == number)


def current_revision(submission: Submission) -> SubmissionRevision:
    """The revision a record shows now."""
    return db.session.scalar(select(SubmissionRevision).where(
        is_current_revision(submission.id, submission.revision)))


def scoped(user):
    """Records of households within the user's areas."""
    return select(Submission).join(Household, Household.id == Submission.household_id).where(household_filter(user))


def record_or_404(user, record_id: str) -> Submission:
    """The one way a page or API fetches a record by id: outside the user's areas it does
    not exist (404), as for any household."""
    submission = db.session.scalar(scoped(user).where(Submission.id == record_id))
    if submission is None:
        raise NotFound()
    return submission


def conflict_or_404(user, record_id: str, conflict_id: int) -> SyncConflict:
    """A copy kept beside a record within the user's areas (404 otherwise)."""
    submission = record_or_404(user, record_id)
    conflict = db.session.scalar(select(SyncConflict).where(SyncConflict.id == conflict_id,
                                                            SyncConflict.submission_id == submission.id))
    if conflict is None:
        raise NotFound()
    return conflict


def household_record(household_id: int, campaign_id: int) -> Submission | None:
    """The household's census record in the campaign (there is at most one)."""
    return db.session.scalar(select(Submission).where(Submission.household_id == household_id,
                                                      Submission.campaign_id == campaign_id))


def approved_earlier(campaign: Campaign, household_ids) -> dict[int, tuple[int, SubmissionRevision]]:
    """Each household's latest approved record from an earlier campaign ("last year"): that
    campaign's year and the approved revision."""
    ids = list(household_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Submission.household_id, Campaign.year, SubmissionRevision)
        .join(Campaign, Campaign.id == Submission.campaign_id)
        .join(SubmissionRevision, is_current_revision())
        .where(Submission.household_id.in_(ids), Submission.status == "approved", Campaign.year < campaign.year)
        .order_by(Campaign.year, SubmissionRevision.id))
    return {household_id: (year, revision) for household_id, year, revision in rows}  # the latest wins


def last_year(campaign: Campaign | None, household: Household) -> SubmissionRevision | None:
    """One household's latest approved revision from an earlier campaign than ``campaign``."""
    if campaign is None:
        return None
    _year, revision = approved_earlier(campaign, [household.id]).get(household.id, (None, None))
    return revision


def per_capita(revision: SubmissionRevision | None) -> int | None:
    """The server's per-capita net income of a stored revision."""
    return ((revision.server_result or {}).get("income") or {}).get("per_capita_net_income") if revision else None


def latest_approved(household: Household) -> Submission | None:
    """The household's most recently approved record, whatever its campaign."""
    return db.session.scalar(
        select(Submission).join(ReviewEvent, ReviewEvent.submission_id == Submission.id)
        .where(Submission.household_id == household.id, Submission.status == "approved",
               ReviewEvent.action == "approve")
        .order_by(ReviewEvent.id.desc()).limit(1))


def approved_on(submission: Submission) -> dt.date:
    """When the record was approved (the clue date of a proposal made from it)."""
    at = db.session.scalar(select(func.max(ReviewEvent.at)).where(ReviewEvent.submission_id == submission.id,
                                                                  ReviewEvent.action == "approve"))
    return clock.county_date(at or current_revision(submission).received_at)


@dataclass(frozen=True)
class Candidate:
    """A record selected for bulk approval, with what would keep it from it."""

    submission: Submission
    household_number: str

    @property
    def flags(self) -> int:
        return self.submission.flag_count

    @property
    def unexplained(self) -> int:
        return self.submission.unexplained_warning_count

    @property
    def errors(self) -> int:
        return self.submission.error_count


def approval_candidates(user, record_ids: list[str]) -> list[Candidate]:
    """The selected records in the user's areas (others are not found), by household number."""
    if not record_ids:
        return []
    rows = db.session.execute(
        select(Submission, Household.household_number)
        .join(Household, Household.id == Submission.household_id)
        .where(Submission.id.in_(record_ids), household_filter(user))
        .order_by(Household.household_number))
    return [Candidate(*row) for row in rows]
