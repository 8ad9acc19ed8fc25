"""Reads of the sample audits: a round's population, who may not audit a household, the
rounds and samples within the user's areas, and the figures by township."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from flask import abort
from sqlalchemy import and_, case, func, select, union
from sqlalchemy.orm import aliased

from app.audits.models import AuditRecord, AuditRound, AuditSample
from app.audits.sampling import Candidate
from app.extensions import db
from app.figures.bands import percent
from app.geo.models import Area
from app.households.models import Household, Member
from app.households.scope import area_tree, household_filter
from app.monitoring.models import NATIONAL, Proposal
from app.records.models import ReviewEvent, Submission, SubmissionRevision
from app.sql import id_in


@dataclass(frozen=True)
class Drawn:
    candidate: Candidate
    proposal_id: int
    submission_id: str | None  # the record the proposal rests on, else the household's latest approved


def population(county_id: int, code: str, start: dt.date, end: dt.date) -> list[Drawn]:
    """The households of the county in the population ``code`` for the period, one proposal each
    (the latest). Proposals of the national system were not made here and are left out."""
    village, township = aliased(Area), aliased(Area)
    if code == "approved":
        where = and_(Proposal.state == "approved", Proposal.decided_date.between(start, end))
    else:
        kind = "identification" if code == "proposed_identification" else "elimination"
        where = and_(Proposal.kind == kind, Proposal.state != "withdrawn", Proposal.clue_date.between(start, end))
    persons = select(func.count()).where(Member.household_id == Household.id).correlate(Household).scalar_subquery()
    rows = db.session.execute(
        select(Proposal.id, Proposal.household_id, township.id, persons, Proposal.source_submission_id)
        .join(Household, Household.id == Proposal.household_id)
        .join(village, village.id == Household.village_id).join(township, township.id == village.parent_id)
        .where(where, Proposal.channel != NATIONAL, township.parent_id == county_id)
        .order_by(Proposal.household_id, Proposal.id)).all()
    latest = {household_id: (proposal_id, township_id, count, source)
              for proposal_id, household_id, township_id, count, source in rows}
    approved = _latest_approved([household_id for household_id, (*_, source) in latest.items() if source is None])
    return [Drawn(Candidate(household_id, township_id, count), proposal_id, source or approved.get(household_id))
            for household_id, (proposal_id, township_id, count, source) in latest.items()]


def _latest_approved(household_ids: list[int]) -> dict[int, str]:
    found = {}
    for household_id, submission_id in db.session.execute(
            select(Submission.household_id, Submission.id).where(id_in(Submission.household_id, household_ids),
                                                                  Submission.status == "approved")
            .order_by(Submission.updated_at)):
        found[household_id] = submission_id
    return found


def involved(household_ids: list[int]) -> dict[int, set[int]]:
    """Who collected or reviewed each household's records: never its auditor."""
    found: dict[int, set[int]] = defaultdict(set)
    collected = select(Submission.household_id, Submission.enumerator_id)
    revised = (select(Submission.household_id, SubmissionRevision.enumerator_id)
               .join(SubmissionRevision, SubmissionRevision.submission_id == Submission.id))
    reviewed = select(Submission.household_id, ReviewEvent.actor_id).join(ReviewEvent,
                                                                        ReviewEvent.submission_id == Submission.id)
    for household_id, user_id in db.session.execute(union(*(query.where(id_in(Submission.household_id, household_ids))
                                                            for query in (collected, revised, reviewed)))):
        found[household_id].add(user_id)
    return found


def _counties(user) -> set[int]:
    """The counties the user's areas lie in."""
    tree, found = area_tree(), set()
    for area in user.areas:
        area_id = area.id
        while tree.parent.get(area_id) is not None:
            area_id = tree.parent[area_id]
        found.add(area_id)
    return found


def rounds(user) -> list[AuditRound]:
    """The rounds of the counties the user works in (their samples are still scoped)."""
    county_ids = list(_counties(user))
    return list(db.session.scalars(select(AuditRound).where(id_in(AuditRound.county_id, county_ids))
                                   .order_by(AuditRound.id.desc())))


def round_or_404(user, round_id: int) -> AuditRound:
    audit_round = db.session.get(AuditRound, round_id)
    if audit_round is None or audit_round.county_id not in _counties(user):
        abort(404)
    return audit_round


def sample_or_404(user, sample_id: int) -> AuditSample:
    sample = db.session.scalar(scoped_samples(user).where(AuditSample.id == sample_id))
    if sample is None:
        abort(404)
    return sample


def records_of(samples: list[AuditSample]) -> dict[int, AuditRecord]:
    return {record.sample_id: record for record in db.session.scalars(
        select(AuditRecord).where(id_in(AuditRecord.sample_id, [sample.id for sample in samples])))}


def scoped_samples(user):
    return select(AuditSample).join(Household, Household.id == AuditSample.household_id).where(household_filter(user))


@dataclass(frozen=True)
class TownshipFigures:
    township: Area
    sampled: int
    persons: int
    visited: int
    consistent: int
    discrepancy: int

    @property
    def discrepancy_rate(self) -> Decimal | None:
        return percent(self.discrepancy, self.visited)


def figures(audit_round: AuditRound) -> list[TownshipFigures]:
    """Sampled, visited (a copy received), consistent and discrepancy, per township."""
    rows = db.session.execute(
        select(AuditSample.township_id, func.count(), func.sum(AuditSample.persons), func.count(AuditRecord.id),
               func.sum(case((AuditSample.outcome == "consistent", 1), else_=0)),
               func.sum(case((AuditSample.outcome == "discrepancy", 1), else_=0)))
        .outerjoin(AuditRecord, AuditRecord.sample_id == AuditSample.id)
        .where(AuditSample.round_id == audit_round.id).group_by(AuditSample.township_id)).all()
    townships = {area.id: area for area in db.session.scalars(select(Area).where(
        id_in(Area.id, [row[0] for row in rows])))}
    return sorted((TownshipFigures(townships[township], sampled, persons or 0, visited, consistent or 0,
                                   discrepancy or 0)
                   for township, sampled, persons, visited, consistent, discrepancy in rows),
                  key=lambda line: line.township.code)
