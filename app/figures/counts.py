"""What is counted per village and group, and how: the counts dashboards and the review queue
add up (``Counts``, typed, with the one JSON form they are stored in), and the queries that
count them (``village_counts``), in SQL (GROUP BY on indexed columns and on the records'
summary columns, never a revision's JSON). Only the counts come back to Python.

Persons are the household's roster members (``Member``), not the present members of its
latest record: the roster is what the county register counts, and it is one indexed join.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field, fields
from typing import NamedTuple

from sqlalchemy import String, and_, case, cast, exists, func, or_, select, true, tuple_
from sqlalchemy.sql.elements import ColumnElement

from app.campaigns.models import Campaign
from app.extensions import db
from app.figures import bands
from app.households.models import Household, Member
from app.monitoring.models import AssessmentDecision, Proposal
from app.records.models import Submission
from app.sql import id_in

SAFETY_NET_SUBTYPES = ("minimum_living", "extreme_poverty")


@dataclass(frozen=True)
class Headcount:
    households: int = 0
    persons: int = 0

    def __add__(self, other: Headcount) -> Headcount:
        return Headcount(self.households + other.households, self.persons + other.persons)


class QueueKey(NamedTuple):
    """The review queue's filters a record is counted under: who sent it, its status, and
    whether it has a flag or an unexplained warning."""

    enumerator_id: int
    status: str
    flagged: bool
    unexplained: bool


@dataclass
class Counts:
    """One village's, group's or place's counts in a campaign."""

    households: int = 0  # registered
    visited: int = 0  # with a record in the campaign
    flagged: int = 0  # approved records with a flag
    unresolved: int = 0  # … of which the village has neither proposed nor decided not to propose
    statuses: Counter = field(default_factory=Counter)  # records by review status
    bins: Counter = field(default_factory=Counter)  # approved records by income bin (bands.bin_bounds)
    growth: Counter = field(default_factory=Counter)  # approved records by growth band
    # out-of-poverty and monitored households by circle layer, "none" (in no layer) and
    # "unrecorded" (no approved record in the campaign)
    layers: Counter = field(default_factory=Counter)
    monitored: dict[str, Headcount] = field(default_factory=dict)  # by category
    risks: dict[str, Headcount] = field(default_factory=dict)  # by risk type of the identification
    eliminated: Headcount = field(default_factory=Headcount)
    queue: Counter = field(default_factory=Counter)  # records by QueueKey

    def add(self, other: Counts) -> Counts:
        """Add ``other`` into these counts (and return them)."""
        for name in ("households", "visited", "flagged", "unresolved"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("statuses", "bins", "growth", "layers", "queue"):
            getattr(self, name).update(getattr(other, name))
        for name in ("monitored", "risks"):
            mine = getattr(self, name)
            for key, headcount in getattr(other, name).items():
                mine[key] = mine.get(key, Headcount()) + headcount
        self.eliminated += other.eliminated
        return self

    @classmethod
    def total(cls, many) -> Counts:
        """The sum of ``many`` counts, in new counts."""
        found = cls()
        for counts in many:
            found.add(counts)
        return found

    # The stored form (JSON): zeros and empty parts left out, keys as JSON allows.
    def to_json(self) -> dict:
        stored = {name: getattr(self, name) for name in ("households", "visited", "flagged", "unresolved")}
        stored.update({name: {str(key): n for key, n in getattr(self, name).items() if n}
                       for name in ("statuses", "bins", "growth", "layers")})
        stored.update({name: {key: [count.households, count.persons] for key, count in getattr(self, name).items()}
                       for name in ("monitored", "risks")})
        stored["eliminated"] = [self.eliminated.households, self.eliminated.persons]
        stored["queue"] = [[*key, n] for key, n in sorted(self.queue.items()) if n]
        return {name: value for name, value in stored.items() if value and value != [0, 0]}

    @classmethod
    def from_json(cls, stored: dict) -> Counts:
        known = {item.name for item in fields(cls)}
        unknown = set(stored) - known
        if unknown:
            raise ValueError(f"unknown counts {sorted(unknown)}")  # a format change needs a migration
        return cls(
            **{name: stored.get(name, 0) for name in ("households", "visited", "flagged", "unresolved")},
            **{name: Counter(stored.get(name, {})) for name in ("statuses", "growth", "layers")},
            bins=Counter({int(key): n for key, n in stored.get("bins", {}).items()}),
            **{name: {key: Headcount(*pair) for key, pair in stored.get(name, {}).items()}
               for name in ("monitored", "risks")},
            eliminated=Headcount(*stored.get("eliminated", (0, 0))),
            queue=Counter({QueueKey(enumerator, status, bool(flagged), bool(unexplained)): n
                           for enumerator, status, flagged, unexplained, n in stored.get("queue", ())}))


def village_counts(campaign: Campaign, village_ids, layer_threshold_fen: int) -> dict[tuple[int, int | None], Counts]:
    """The campaign's counts in these villages by (village, group)."""
    households = id_in(Household.village_id, village_ids)
    counts: dict[tuple[int, int | None], Counts] = defaultdict(Counts)
    for count in (_coverage, _records, _monitoring):
        count(counts, households, campaign)
    _layers(counts, households, campaign, layer_threshold_fen)
    return counts


def _count_by(*columns, where_from, summed=()):
    """Rows of (columns…, count, sum of each of ``summed``…), grouped outside a subquery:
    PostgreSQL cannot match an expression with bound values (a CASE, a comparison) in SELECT
    to the same one in GROUP BY."""
    inner = where_from(*(column.label(f"c{index}") for index, column in enumerate(columns)),
                       *(column.label(f"s{index}") for index, column in enumerate(summed))).subquery()
    keys = list(inner.c)[:len(columns)]
    sums = (func.sum(column) for column in list(inner.c)[len(columns):])
    return db.session.execute(select(*keys, func.count(), *sums).group_by(*keys))


def _coverage(counts, households: ColumnElement, campaign: Campaign) -> None:
    """Households registered, and visited (with a record in the campaign)."""
    # EXISTS, so that PostgreSQL probes the index for a few villages' households and hashes
    # the campaign's records for many (an IN list was hashed whole even for one village).
    # A household with two records counts once.
    visited = exists().where(Submission.household_id == Household.id, Submission.campaign_id == campaign.id)
    for village, group, total, counted in db.session.execute(
            select(Household.village_id, Household.group_id, func.count(), func.sum(case((visited, 1), else_=0)))
            .where(households).group_by(Household.village_id, Household.group_id)):
        found = counts[(village, group)]
        found.households += total
        found.visited += counted or 0


def _records(counts, households: ColumnElement, campaign: Campaign) -> None:
    """In one pass over the campaign's records: by review status and the queue's filters; the
    approved ones with a flag (flagged), and those the village has not yet resolved
    (unresolved): neither proposed for identification nor decided not to propose; and the
    approved ones' per-capita net income, by histogram bin and by growth over last year's
    approved record."""
    # Uncorrelated IN lists: each is read once and hashed, not asked again per record.
    resolved = or_(
        tuple_(Submission.id, Submission.revision).in_(
            select(AssessmentDecision.submission_id, AssessmentDecision.revision)),
        Submission.household_id.in_(
            select(Proposal.household_id).where(Proposal.campaign_id == campaign.id, Proposal.kind == "identification",
                                                Proposal.state != "withdrawn")))
    approved = Submission.status == "approved"
    flagged = and_(approved, Submission.flag_count > 0)
    per_capita, last = Submission.per_capita_net_income, Submission.last_year_per_capita_net_income
    counted = and_(approved, per_capita.is_not(None))  # what the histogram and growth count
    width, count = bands.BIN_WIDTH_FEN, bands.BIN_COUNT
    bin_index = case((~counted, None), (per_capita < width, 0), (per_capita >= width * (count - 1), count - 1),
                     else_=per_capita // width)
    tenths = bands.GROWTH_LIMIT_TENTHS
    band = case(
        (~counted, None),
        (or_(last.is_(None), last <= 0), "no_last_year"),
        ((per_capita - last) * 10 < -tenths * last, "fell_over_30"),
        (per_capita < last, "fell_up_to_30"),
        ((per_capita - last) * 10 <= tenths * last, "rose_up_to_30"),
        else_="rose_over_30")
    rows = _count_by(Household.village_id, Household.group_id, Submission.status, bin_index, band,
                     Submission.enumerator_id, Submission.flag_count > 0, Submission.unexplained_warning_count > 0,
                     summed=(case((flagged, 1), else_=0), case((flagged, case((resolved, 0), else_=1)), else_=0)),
                     where_from=lambda *columns: select(*columns).select_from(Submission)
                     .join(Household, Household.id == Submission.household_id)
                     .where(households, Submission.campaign_id == campaign.id))
    for (village, group, status, bin_found, band_code, enumerator, with_flag, unexplained, records_counted,
         flagged_count, unresolved) in rows:
        found = counts[(village, group)]
        found.statuses[status] += records_counted
        found.queue[QueueKey(enumerator, status, bool(with_flag), bool(unexplained))] += records_counted
        found.flagged += flagged_count
        found.unresolved += unresolved
        if bin_found is not None:
            found.bins[int(bin_found)] += records_counted
            found.growth[band_code] += records_counted


def _layers(counts, households: ColumnElement, campaign: Campaign, threshold_fen: int) -> None:
    """Out-of-poverty and monitored households by circle layer (§12), from the per-capita net
    income of their approved record in the campaign; SQL counts each combination of the
    facts the layers depend on, ``bands.circle_layer`` names its layer."""
    layered = or_(Household.monitored_category.is_not(None), Household.household_type == "out_of_poverty")
    # Only the layered households' records are read (a minority of the households).
    recorded = (select(Submission.household_id, func.max(Submission.per_capita_net_income).label("per_capita"))
                .join(Household, Household.id == Submission.household_id)
                .where(households, layered, Submission.campaign_id == campaign.id,
                       Submission.status == "approved")
                .group_by(Submission.household_id).subquery())
    safety_net = or_(Household.poverty_subtype.in_(SAFETY_NET_SUBTYPES), exists().where(
        Member.household_id == Household.id,
        or_(Member.minimum_living_allowance == true(), Member.extreme_poverty_support == true())))
    facts = (Household.village_id, Household.group_id,
             Household.monitored_category.is_not(None), Household.household_type == "out_of_poverty",
             case((safety_net, True), else_=False), Household.without_labour,
             recorded.c.per_capita >= threshold_fen, recorded.c.per_capita.is_(None))
    rows = _count_by(*facts, where_from=lambda *columns: select(*columns).select_from(Household)
                     .outerjoin(recorded, recorded.c.household_id == Household.id)
                     .where(households, layered))
    for village, group, monitored, out_of_poverty, safety, without_labour, reaches, no_record, counted in rows:
        if no_record:
            counts[(village, group)].layers["unrecorded"] += counted
            continue
        layer = bands.circle_layer(monitored=bool(monitored), out_of_poverty=bool(out_of_poverty),
                                   safety_net=bool(safety), has_labour=not without_labour,
                                   reaches_threshold=bool(reaches))
        counts[(village, group)].layers[layer or "none"] += counted


def _headcount(households: ColumnElement, *columns):
    """Households and their roster members by (village, group, ``columns``…)."""
    keys = (Household.village_id, Household.group_id, *columns)
    return (select(*keys, func.count(func.distinct(Household.id)), func.count(Member.id))
            .select_from(Household).outerjoin(Member, Member.household_id == Household.id).where(households)
            .group_by(*keys))


def _monitoring(counts, households: ColumnElement, _campaign: Campaign) -> None:
    """Monitored households and persons by category, by the risk types of the identification
    their monitoring rests on, the latest approved (a household with two risks counts in
    both), and the households no longer monitored after an approved, not reversed,
    elimination."""
    monitored = Household.monitored_category.is_not(None)
    for village, group, category, household_count, person_count in db.session.execute(
            _headcount(households, Household.monitored_category).where(monitored)):
        found = counts[(village, group)].monitored
        found[category] = found.get(category, Headcount()) + Headcount(household_count, person_count)
    latest = (select(func.max(Proposal.id).label("id")).where(Proposal.kind == "identification",
                                                              Proposal.state == "approved")
              .group_by(Proposal.household_id).subquery())
    identification = (select(Proposal.household_id, Proposal.risk_types)
                      .join(latest, latest.c.id == Proposal.id).subquery())
    codes = cast(identification.c.risk_types, String)
    for village, group, combination, household_count, person_count in db.session.execute(
            _headcount(households, codes).join(identification, identification.c.household_id == Household.id)
            .where(monitored)):
        found = counts[(village, group)].risks
        for code in json.loads(combination):
            found[code] = found.get(code, Headcount()) + Headcount(household_count, person_count)
    ended = exists().where(Proposal.household_id == Household.id, Proposal.kind == "elimination",
                           Proposal.state == "approved")
    for village, group, household_count, person_count in db.session.execute(
            _headcount(households).where(~monitored, ended)):
        counts[(village, group)].eliminated += Headcount(household_count, person_count)
