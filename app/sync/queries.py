"""Reads for sync, always scoped by the user's areas."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased, selectinload

from app import clock
from app.campaigns.models import Assignment, Campaign
from app.campaigns.queries import village_thresholds
from app.census import services as census
from app.extensions import db
from app.geo.models import Area
from app.households.models import Household, Member
from app.households.scope import household_filter
from app.records.attachments import missing_by_revision
from app.records.models import ReviewComment, ReviewEvent, Submission, SubmissionRevision, SyncConflict
from app.records.queries import approved_earlier, is_current_revision, per_capita

FORMS_PER_REQUEST = 200  # households' forms asked for in one request


def _assigned(user, campaign: Campaign):
    return (Assignment.campaign_id == campaign.id, Assignment.enumerator_id == user.id, household_filter(user))


def assigned_households(user, campaign: Campaign) -> list[dict]:
    """The phone's list: households assigned to ``user`` in ``campaign``, with only what the
    list shows (one query, no members loaded); their forms come apart (household_forms)."""
    village, group = aliased(Area), aliased(Area)
    head = (select(Member.name).where(Member.household_id == Household.id, Member.relation == "head")
            .order_by(Member.id).limit(1).scalar_subquery())
    rows = db.session.execute(
        select(Household.id, Household.household_number, village.name, group.name, head,
               Household.monitored_category.is_not(None))
        .join(Assignment, Assignment.household_id == Household.id)
        .join(village, village.id == Household.village_id).outerjoin(group, group.id == Household.group_id)
        .where(*_assigned(user, campaign)).order_by(Household.household_number))
    # "monitored": the phone offers the household's visit log.
    return [{"id": id_, "household_number": number, "village": village_name, "group": group_name, "head_name": head,
             "monitored": monitored} for id_, number, village_name, group_name, head, monitored in rows]


def household_forms(user, campaign: Campaign, today: dt.date, ids: list[int]) -> list[dict]:
    """What the form of each of ``ids`` needs offline: the village's threshold, the prefilled
    roster and last year's figure. A household not assigned to ``user`` in ``campaign`` (or
    outside their areas) is left out."""
    households = db.session.scalars(
        select(Household).join(Assignment, Assignment.household_id == Household.id)
        .where(*_assigned(user, campaign), Household.id.in_(ids))
        .options(selectinload(Household.members)).order_by(Household.id)).all()
    # Thresholds are set down to villages, so a group's is its village's: one read for all.
    thresholds = {row.village.id: row.match.amount_fen if row.match else None for row in village_thresholds(campaign)}
    earlier = approved_earlier(campaign, (household.id for household in households))
    found = []
    for household in households:
        year, last_year = earlier.get(household.id, (None, None))
        found.append({
            "id": household.id, "threshold": thresholds.get(household.village_id),
            "prefill": census.prefill(household, today, last_year and last_year.answers),
            "last_year": last_year and {"year": year, "per_capita_net_income": per_capita(last_year)},
        })
    return found


def user_records(user, campaign: Campaign) -> list[dict]:
    """The state of every record the phone needs to know about in ``campaign``: those ``user``
    sent, and any of the households assigned to them (recorded on another phone or by an
    earlier assignee: the household is done or under review, not to be recorded again). Each
    with its files still missing, the comments of the latest return, the latest answers when
    it is returned to ``user`` for correcting, and when approved, the day and the per-capita
    income (the phone's "done" mark). Then the second records of a household ``user`` sent,
    kept beside its record: their id and whether the village has resolved them."""
    assigned = select(Assignment.household_id).where(Assignment.campaign_id == campaign.id,
                                                     Assignment.enumerator_id == user.id)
    # Of the current revision only its id: its answers go to the phone for a record returned to
    # this user alone, read below for those; the rest of its JSON is never sent.
    rows = db.session.execute(
        select(Submission, SubmissionRevision.id)
        .join(SubmissionRevision, is_current_revision())
        .join(Household, Household.id == Submission.household_id)
        .where(Submission.campaign_id == campaign.id, household_filter(user),
               or_(Submission.enumerator_id == user.id, Submission.household_id.in_(assigned)))
        .order_by(Submission.created_at, Submission.id)).all()
    ids = [submission.id for submission, _revision in rows]
    missing = missing_by_revision([revision_id for _submission, revision_id in rows])
    to_correct = [revision_id for submission, revision_id in rows
                  if submission.status == "returned" and submission.enumerator_id == user.id]
    answers = dict(db.session.execute(select(SubmissionRevision.id, SubmissionRevision.answers)
                                      .where(SubmissionRevision.id.in_(to_correct))).all()) if to_correct else {}
    comments = _latest_return_comments(ids)
    conflicts = dict(db.session.execute(
        select(SyncConflict.submission_id, func.count()).where(SyncConflict.submission_id.in_(ids),
                                                               SyncConflict.resolved.is_(False))
        .group_by(SyncConflict.submission_id)).all())
    approved_at = dict(db.session.execute(
        select(ReviewEvent.submission_id, func.max(ReviewEvent.at)).where(
            ReviewEvent.submission_id.in_(ids), ReviewEvent.action == "approve")
        .group_by(ReviewEvent.submission_id)).all()) if ids else {}
    found = [{
        "id": submission.id, "household_id": submission.household_id, "revision": submission.revision,
        "status": submission.status, "version": submission.version, "mine": submission.enumerator_id == user.id,
        "complete": submission.complete, "missing_attachments": missing.get(revision_id, []),
        "comments": comments.get(submission.id, []),
        "answers": answers.get(revision_id),
        "conflicts": conflicts.get(submission.id, 0),
        "approved_on": clock.county_date(approved_at[submission.id]).isoformat()
        if submission.status == "approved" and submission.id in approved_at else None,
        "per_capita_net_income": submission.per_capita_net_income,
    } for submission, revision_id in rows]
    copies = db.session.execute(
        select(SyncConflict.record_id, Submission.household_id, Submission.id, SyncConflict.resolved)
        .join(Submission, Submission.id == SyncConflict.submission_id)
        .where(SyncConflict.kind == "household_recorded", SyncConflict.enumerator_id == user.id,
               Submission.campaign_id == campaign.id)
        .order_by(SyncConflict.id))
    found += [{"id": record_id, "household_id": household_id, "status": "second_record", "record": kept_id,
               "resolved": resolved} for record_id, household_id, kept_id, resolved in copies]
    return found


def _latest_return_comments(submission_ids: list[str]) -> dict[str, list[dict]]:
    """Comments are written on the revision returned, so the latest return's are those of
    the highest revision that has any."""
    found: dict[str, tuple[int, list[dict]]] = {}
    comments = db.session.scalars(
        select(ReviewComment).where(ReviewComment.submission_id.in_(submission_ids))
        .options(selectinload(ReviewComment.reviewer)).order_by(ReviewComment.revision, ReviewComment.id))
    for comment in comments:
        revision, listed = found.get(comment.submission_id, (comment.revision, []))
        if comment.revision > revision:
            revision, listed = comment.revision, []
        listed.append({"path": comment.path, "text": comment.text, "reviewer": comment.reviewer.display_name,
                       "at": comment.at.isoformat()})
        found[comment.submission_id] = (revision, listed)
    return {submission_id: listed for submission_id, (_revision, listed) in found.items()}
