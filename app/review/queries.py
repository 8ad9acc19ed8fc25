"""Reads for record review, always within the user's areas (app.households.scope): the queue
with its filters and counts, and one record with everything a reviewer weighs.

The queue filters on a record's summary columns (flag count, unexplained warnings, errors;
see app.records.models.summary), so that a filtered queue still pages by key."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased, selectinload

from app.auth.models import User
from app.campaigns.models import Campaign
from app.extensions import db
from app.figures.store import WHOLE_VILLAGE, village_figures
from app.geo.models import Area
from app.households.models import Household, Member
from app.households.scope import household_filter, scope_of, scoped_villages, user_villages
from app.records import queries as records
from app.records.canonical import field_diff
from app.records.models import ReviewComment, ReviewEvent, Submission, SubmissionRevision, SyncConflict
from app.sql import id_in

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    village_id: int | None = None
    group_id: int | None = None
    enumerator_id: int | None = None
    flagged: bool = False
    unexplained: bool = False


@dataclass(frozen=True)
class QueueRow:
    id: str
    household_number: str
    head_name: str | None
    village_name: str
    group_name: str | None
    enumerator_name: str
    status: str
    revision: int
    version: int
    result_mismatch: bool
    received_at: dt.datetime
    flag_codes: list[str]
    unexplained: int
    key: int  # the current revision's id: revisions are numbered in the order they arrive


def _scoped(user, campaign: Campaign, filters: Filters, *, with_status: bool = True):
    """The WHERE clauses of the queue: the campaign, the user's areas and the filters."""
    clauses = [Submission.campaign_id == campaign.id, household_filter(user)]
    if with_status and filters.status:
        clauses.append(Submission.status == filters.status)
    if filters.village_id:
        clauses.append(Household.village_id == filters.village_id)
    if filters.group_id:
        clauses.append(Household.group_id == filters.group_id)
    if filters.enumerator_id:
        clauses.append(Submission.enumerator_id == filters.enumerator_id)
    if filters.flagged:
        clauses.append(Submission.flag_count > 0)
    if filters.unexplained:
        clauses.append(Submission.unexplained_warning_count > 0)
    return clauses


def queue(user, campaign: Campaign, filters: Filters, *, after: int | None = None,
          page_size: int | None = None) -> tuple[list[QueueRow], int | None]:
    """One page of the campaign's records in the user's areas, oldest arrival first; returns
    the rows and the key of the next page (None on the last)."""
    page_size = page_size or PAGE_SIZE
    # The page's keys first, over narrow rows; the names, head and flags then for those
    # rows alone, not joined and read for every record of a village before the sort
    # (docs/benchmarks.md, "Reports at 200,000 households": review queue).
    keys = (select(Submission.id, SubmissionRevision.id.label("key"))
            .join(SubmissionRevision, records.is_current_revision())
            .join(Household, Household.id == Submission.household_id)
            .where(*_scoped(user, campaign, filters)))
    if after is not None:
        keys = keys.where(SubmissionRevision.id > after)
    page = keys.order_by(SubmissionRevision.id).limit(page_size + 1).subquery()
    head, village, group = aliased(Member), aliased(Area), aliased(Area)
    query = (
        select(Submission.id, Household.household_number, head.name, village.name, group.name, User.display_name,
               Submission.status, Submission.revision, Submission.version, Submission.result_mismatch,
               SubmissionRevision.received_at, SubmissionRevision.server_result[("screening", "flags")],
               Submission.unexplained_warning_count, page.c.key)
        .select_from(page)
        .join(Submission, Submission.id == page.c.id)
        .join(SubmissionRevision, SubmissionRevision.id == page.c.key)
        .join(Household, Household.id == Submission.household_id)
        .join(village, village.id == Household.village_id)
        .outerjoin(group, group.id == Household.group_id)
        .outerjoin(head, and_(head.household_id == Household.id, head.relation == "head"))
        .join(User, User.id == Submission.enumerator_id)
        .order_by(page.c.key))
    rows = [QueueRow(*row[:11], [flag["code"] for flag in row[11] or ()], *row[12:])
            for row in db.session.execute(query)]
    next_key = rows[page_size - 1].key if len(rows) > page_size else None
    return rows[:page_size], next_key


@dataclass(frozen=True)
class QueueCounts:
    by_status: dict[str, int]  # records per status under the areas and filters, whatever status is chosen
    enumerators: list[tuple[int, str]]  # who sent the records counted, whoever is chosen
    counted_at: dt.datetime | None  # when the oldest figure added up was counted
    recounting: bool  # some are being counted again (app.figures.jobs)


def queue_counts(user, campaign: Campaign, filters: Filters) -> QueueCounts:
    """The queue's counts and its enumerator choices, added up from the counts stored per
    village and group (app.figures): counting the records again was the costly part of the
    page in a county of 200,000 households."""
    scope = scope_of(user)
    villages = user_villages(user)
    if filters.village_id:
        villages &= {filters.village_id}
    stored = village_figures(campaign, villages,
                             whole=frozenset() if filters.group_id else villages & scope.village_ids)
    by_status: dict[str, int] = {}
    senders = {filters.enumerator_id} if filters.enumerator_id else set()
    for (village, group), counts in stored.counts.items():
        if group != WHOLE_VILLAGE and (not scope.covers(village, group) or filters.group_id not in (None, group)):
            continue
        for key, sent in counts.queue.items():
            if not sent or (filters.flagged and not key.flagged) or (filters.unexplained and not key.unexplained):
                continue
            senders.add(key.enumerator_id)
            if filters.enumerator_id in (None, key.enumerator_id):
                by_status[key.status] = by_status.get(key.status, 0) + sent
    enumerators = [tuple(row) for row in db.session.execute(
        select(User.id, User.display_name).where(User.id.in_(sorted(senders))).order_by(User.display_name, User.id))]
    return QueueCounts(by_status, enumerators, stored.counted_at, stored.recounting)


@dataclass(frozen=True)
class PlaceChoices:
    villages: list[tuple[int, str]]  # offered when the user sees several villages
    groups: list[tuple[int, str]]  # of the user's one village, or of the village chosen


def place_choices(user, village_id: int | None) -> PlaceChoices:
    """What the queue can be narrowed to: a village first when the user sees several (a
    county has thousands of groups, no list to pick from), then that village's groups."""
    scope = scope_of(user)
    villages = [(village.id, village.name) for village in scoped_villages(user)]
    several = villages if len(villages) > 1 else []
    chosen = village_id if several else next((village for village, _name in villages), None)
    if chosen is None:
        return PlaceChoices(several, [])
    groups = db.session.execute(
        select(Area.id, Area.name).where(Area.level == "group", Area.parent_id == chosen)
        .where(or_(id_in(Area.parent_id, scope.village_ids), id_in(Area.id, scope.group_ids)))
        .order_by(Area.code)).all()
    return PlaceChoices(several, [tuple(group) for group in groups])


@dataclass(frozen=True)
class ConflictCopy:
    conflict: SyncConflict
    diff: list[dict]


@dataclass(frozen=True)
class RecordDetail:
    submission: Submission
    current: SubmissionRevision
    previous: SubmissionRevision | None
    changes: list[dict]  # field_diff(previous, current): {path, stored (before), received (after)}
    last_year: SubmissionRevision | None  # the household's latest approved record of an earlier campaign
    conflicts: list[ConflictCopy]
    events: list[ReviewEvent]
    comments: list[ReviewComment]


def record_detail(user, record_id: str) -> RecordDetail:
    submission = records.record_or_404(user, record_id)
    revisions = {revision.number: revision for revision in submission.revisions}
    current, previous = revisions[submission.revision], revisions.get(submission.revision - 1)
    conflicts = db.session.scalars(select(SyncConflict).where(
        SyncConflict.submission_id == submission.id, SyncConflict.resolved.is_(False)).order_by(SyncConflict.id))
    return RecordDetail(
        submission=submission, current=current, previous=previous,
        changes=field_diff(previous.answers, current.answers) if previous else [],
        last_year=records.last_year(db.session.get(Campaign, submission.campaign_id), submission.household),
        conflicts=[ConflictCopy(conflict, field_diff(current.answers, conflict.answers)) for conflict in conflicts],
        events=list(db.session.scalars(select(ReviewEvent).where(ReviewEvent.submission_id == submission.id)
                                       .options(selectinload(ReviewEvent.actor)).order_by(ReviewEvent.id))),
        comments=list(db.session.scalars(select(ReviewComment).where(ReviewComment.submission_id == submission.id)
                                         .options(selectinload(ReviewComment.reviewer))
                                         .order_by(ReviewComment.revision, ReviewComment.id))),
    )
