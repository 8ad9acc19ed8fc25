"""Dashboard figures: aggregate queries (one per widget, or one for widgets that count the
same rows), counted in SQL (GROUP BY on indexed columns and on the records' summary
columns, never a revision's JSON), always within the user's scope and the area shown. Only
the counts come back to Python.

Persons are the household's roster members (``Member``), not the present members of its
latest record: the roster is what the county register counts, and it is one indexed join.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain

from flask import abort
from sqlalchemy import String, and_, case, cast, exists, false, func, or_, select, true, tuple_
from sqlalchemy.sql.elements import ColumnElement

from app.auth.scope import area_tree, household_filter, scope_of
from app.campaigns.models import Campaign
from app.campaigns.queries import thresholds_for
from app.extensions import db
from app.geo.models import Area
from app.households.models import Household, Member
from app.monitoring import workflow as monitoring_workflow
from app.monitoring.models import AssessmentDecision, Proposal
from app.reports import dashboard
from app.review import workflow as review_workflow
from app.sql import id_in
from app.sync.models import Submission

SAFETY_NET_SUBTYPES = ("minimum_living", "extreme_poverty")
WHOLE_VILLAGE = "*"  # the group of a village's totals (every group, and households in none)


# Where: the area shown, what it splits into, and the households it covers --------------------

@dataclass(frozen=True)
class Place:
    """The area shown (None: all the user's areas), the areas its figures are split by, and
    the user's scope within it: as a clause limiting ``Household``, and as the villages and
    the test of a (village, group) that stored counts are summed by."""

    area: Area | None
    trail: list[Area]  # the areas above it that the user may open, top first
    parts: list[Area]
    households: ColumnElement
    parent: dict[int, int | None]  # every area's parent
    villages: frozenset[int]  # villages with households in the place
    includes: Callable[[int, int | None], bool]  # whether a (village, group)'s households are
    # villages the place takes whole, with no group a part of its own: their totals will do
    whole_villages: frozenset[int] = frozenset()


def _chain(area_id: int | None, parent: dict[int, int | None]) -> list[int]:
    """The area and its ancestors, nearest first."""
    chain = []
    while area_id is not None:
        chain.append(area_id)
        area_id = parent.get(area_id)
    return chain


def place(user, area_id: int | None) -> Place:
    """The user's own area (or all of them) when ``area_id`` is None; else that area, which
    must be one of the user's or lie beneath one (404 otherwise, as for any record)."""
    tree = area_tree()
    parent, level = tree.parent, tree.level
    own = {area.id for area in user.areas}
    if not own:
        abort(404)
    user_scope = scope_of(user)
    scope, covers, whole = household_filter(user), user_scope.covers, user_scope.village_ids
    if area_id is None and len(user.areas) != 1:
        villages = _villages_of(covers, level, parent)
        return Place(None, [], list(user.areas), scope, parent, villages, covers, villages & whole)
    area = user.areas[0] if area_id is None else db.session.get(Area, area_id)
    if area is None or own.isdisjoint(_chain(area.id, parent)):
        abort(404)
    reachable = [ancestor for ancestor in _chain(area.parent_id, parent)
                 if not own.isdisjoint(_chain(ancestor, parent))]
    above = {found.id: found for found in db.session.scalars(select(Area).where(Area.id.in_(reachable)))}
    trail = [above[ancestor] for ancestor in reversed(reachable)]
    if area.level == "group":
        within, inside = Household.group_id == area.id, lambda _village, group: group == area.id
    elif area.level == "village":
        within, inside = Household.village_id == area.id, lambda village, _group: village == area.id
    else:
        villages = [village for village, kind in level.items()
                    if kind == "village" and area.id in _chain(village, parent)]
        within = id_in(Household.village_id, villages) if villages else false()
        inside = lambda village, _group: village in villages  # noqa: E731
    includes = lambda village, group: covers(village, group) and inside(village, group)  # noqa: E731
    villages = _villages_of(includes, level, parent)
    return Place(area, trail, list(area.children) or [area], and_(scope, within), parent, villages, includes,
                 villages & whole if area.level in ("county", "township") else frozenset())


def user_villages(user) -> frozenset[int]:
    """The villages with households the user may see: theirs and those of their groups."""
    scope = scope_of(user)
    return scope.village_ids | {area_tree().parent[group] for group in scope.group_ids}


def _villages_of(includes, level: dict[int, str], parent: dict[int, int | None]) -> frozenset[int]:
    """The villages with a group, or households in no group, that ``includes`` takes."""
    return frozenset(village for area_id, kind in level.items() if kind in ("village", "group")
                     for village in [area_id if kind == "village" else parent[area_id]]
                     if includes(village, area_id if kind == "group" else None))


def _count_by(*columns, where_from, summed=()):
    """Rows of (columns…, count, sum of each of ``summed``…), grouped outside a subquery:
    PostgreSQL cannot match an expression with bound values (a CASE, a comparison) in SELECT
    to the same one in GROUP BY."""
    inner = where_from(*(column.label(f"c{index}") for index, column in enumerate(columns)),
                       *(column.label(f"s{index}") for index, column in enumerate(summed))).subquery()
    keys = list(inner.c)[:len(columns)]
    sums = (func.sum(column) for column in list(inner.c)[len(columns):])
    return db.session.execute(select(*keys, func.count(), *sums).group_by(*keys))


# Counts stored per village: coverage, records, income, circle layers -------------------------------
# app/reports/figures.py keeps them per village and group (VillageFigures) and counts again
# only the villages changed since; ``Tallies`` sums them for the place shown.

def village_counts(campaign: Campaign, village_ids, layer_threshold_fen: int) -> dict[tuple[int, int | None], Counter]:
    """The campaign's counts in these villages by (village, group), under the names ``Tallies`` reads:
    households, visited; status:<state>, flagged, unresolved; bin:<index>, growth:<band>;
    layer:<layer>, layer:none, layer:unrecorded; monitored:…, risk:…, eliminated:… (``_monitoring``);
    and the review queue's (``queue_key``)."""
    households = id_in(Household.village_id, village_ids)
    counts: dict[tuple[int, int | None], Counter] = defaultdict(Counter)
    for village, group, name, count in chain(_coverage(households, campaign), _records(households, campaign),
                                             _layers(households, campaign, layer_threshold_fen),
                                             _monitoring(households)):
        counts[(village, group)][name] += count
    return counts


def _coverage(households: ColumnElement, campaign: Campaign):
    """Households registered, and visited (with a record in the campaign)."""
    # EXISTS, so that PostgreSQL probes the index for a few villages' households and hashes
    # the campaign's records for many (an IN list was hashed whole even for one village:
    # 126 ms instead of 3 ms). A household with two records counts once.
    visited = exists().where(Submission.household_id == Household.id, Submission.campaign_id == campaign.id)
    for village, group, total, counted in db.session.execute(
            select(Household.village_id, Household.group_id, func.count(), func.sum(case((visited, 1), else_=0)))
            .where(households).group_by(Household.village_id, Household.group_id)):
        yield village, group, "households", total
        yield village, group, "visited", counted or 0


def _records(households: ColumnElement, campaign: Campaign):
    """In one pass over the campaign's records: by review status; the approved ones with a
    flag (flagged), and those the village has not yet resolved (unresolved): neither
    proposed for identification nor decided not to propose; and the approved ones' per-capita
    net income, by histogram bin and by growth over last year's approved record."""
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
    width, count = dashboard.BIN_WIDTH_FEN, dashboard.BIN_COUNT
    bin_index = case((~counted, None), (per_capita < width, 0), (per_capita >= width * (count - 1), count - 1),
                     else_=per_capita // width)
    tenths = dashboard.GROWTH_LIMIT_TENTHS
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
        yield village, group, f"status:{status}", records_counted
        yield village, group, queue_key(enumerator, status, bool(with_flag), bool(unexplained)), records_counted
        yield village, group, "flagged", flagged_count
        yield village, group, "unresolved", unresolved
        if bin_found is not None:
            yield village, group, f"bin:{int(bin_found)}", records_counted
            yield village, group, f"growth:{band_code}", records_counted


def queue_key(enumerator_id: int, status: str, flagged: bool, unexplained: bool) -> str:
    """The name the review queue's counts are stored under: records by who sent them, their
    status, and whether they have a flag or an unexplained warning (the queue's filters)."""
    return f"queue:{enumerator_id}:{status}:{int(flagged)}:{int(unexplained)}"


@functools.lru_cache(maxsize=4096)  # the same few names in every village and group
def parse_queue_key(name: str) -> tuple[int, str, bool, bool] | None:
    if not name.startswith("queue:"):
        return None
    _queue, enumerator_id, status, flagged, unexplained = name.split(":")
    return int(enumerator_id), status, flagged == "1", unexplained == "1"


def _layers(households: ColumnElement, campaign: Campaign, threshold_fen: int):
    """Out-of-poverty and monitored households by circle layer (§12), from the per-capita net
    income of their approved record in the campaign; SQL counts each combination of the
    facts the layers depend on, ``dashboard.circle_layer`` names its layer."""
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
            yield village, group, "layer:unrecorded", counted
            continue
        layer = dashboard.circle_layer(monitored=bool(monitored), out_of_poverty=bool(out_of_poverty),
                                       safety_net=bool(safety), has_labour=not without_labour,
                                       reaches_threshold=bool(reaches))
        yield village, group, f"layer:{layer or 'none'}", counted


@dataclass(frozen=True)
class PartCount:
    """Two counts of one part of the area (``area`` None: households in no group)."""

    area: Area | None
    total: int
    counted: int

    @property
    def rate(self) -> Decimal | None:
        return dashboard.percent(self.counted, self.total)


@dataclass(frozen=True)
class Income:
    bins: list[int]  # records per histogram bin (dashboard.bin_bounds)
    growth: dict[str, int]  # records per growth band
    threshold_fen: int | None


@dataclass(frozen=True)
class Layers:
    counts: dict[str, int]  # households per layer
    unlayered: int  # out-of-poverty or monitored, approved record, but in no layer
    unrecorded: int  # out-of-poverty or monitored without an approved record in the campaign


@dataclass(frozen=True)
class Tallies:
    """The place's counts (``village_counts``) summed by part (None: households in no part,
    such as a village's households in no group)."""

    place: Place
    campaign: Campaign
    by_part: dict[int | None, Counter]

    @classmethod
    def of(cls, place: Place, campaign: Campaign, counts: dict[tuple[int, int | None], dict[str, int]]) -> Tallies:
        part_ids = {part.id for part in place.parts}
        by_part: dict[int | None, Counter] = defaultdict(Counter)
        for (village, group), named in counts.items():
            whole = group == WHOLE_VILLAGE
            if whole or place.includes(village, group):
                # The part is the first of the group, village, township … that is one.
                part = next((area_id for area_id in _chain(village if whole else group or village, place.parent)
                             if area_id in part_ids), None)
                by_part[part].update(named)
        return cls(place, campaign, dict(by_part))

    @property
    def total(self) -> Counter:
        return sum(self.by_part.values(), Counter())

    def _by_part(self, total: str, counted: str) -> list[PartCount]:
        """Parts with nothing are kept (a village nobody visited is the point of the table)."""
        def of(part_id):
            named = self.by_part.get(part_id, Counter())
            return named[total], named[counted]
        found = [PartCount(part, *of(part.id)) for part in self.place.parts]
        if None in self.by_part:
            found.append(PartCount(None, *of(None)))
        return found

    def coverage(self) -> list[PartCount]:
        """Households registered (``total``) and visited (``counted``)."""
        return self._by_part("households", "visited")

    def flags(self) -> list[PartCount]:
        """Approved records with a flag (``total``), and those the village has not resolved (``counted``)."""
        return self._by_part("flagged", "unresolved")

    def statuses(self) -> list[tuple[str, int]]:
        """Every status listed."""
        total = self.total
        return [(status, total[f"status:{status}"]) for status in review_workflow.STATES]

    def income(self) -> Income:
        total = self.total
        # The threshold of the area shown (of the user's first area when showing several).
        shown = self.place.area or self.place.parts[0]
        match = thresholds_for(self.campaign, [shown])[shown.id]
        return Income([total[f"bin:{index}"] for index in range(dashboard.BIN_COUNT)],
                      {band: total[f"growth:{band}"] for band in dashboard.GROWTH_BANDS},
                      match.amount_fen if match else None)

    def layers(self) -> Layers:
        total = self.total
        return Layers({layer: total[f"layer:{layer}"] for layer in dashboard.LAYERS}, total["layer:none"],
                      total["layer:unrecorded"])

    def _headcounts(self, kind: str) -> dict[str, Headcount]:
        """``kind:<key>:households`` and ``…:persons`` as a Headcount per key (a key with none left out)."""
        found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for name, count in self.total.items():
            prefix, _colon, rest = name.partition(":")
            if prefix == kind and count:
                key, _colon, what = rest.rpartition(":")
                found[key][what == "persons"] += count
        return {key: Headcount(households, persons) for key, (households, persons) in found.items()}

    def monitored_by_category(self) -> dict[str, Headcount]:
        return self._headcounts("monitored")

    def monitored_by_risk_type(self) -> dict[str, Headcount]:
        return self._headcounts("risk")

    def eliminated(self) -> Headcount:
        total = self.total
        return Headcount(total["eliminated:households"], total["eliminated:persons"])


# Proposals -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Waiting:
    """Proposals under way: counts by (state, age bucket index)."""

    counts: dict[tuple[str, int], int]

    def by_state(self) -> list[tuple[str, list[int], int]]:
        buckets = range(len(dashboard.AGE_BUCKETS))
        return [(state, [self.counts.get((state, b), 0) for b in buckets],
                 sum(self.counts.get((state, b), 0) for b in buckets)) for state in monitoring_workflow.OPEN_STATES]

    def by_age(self) -> list[int]:
        return [sum(count for (_state, b), count in self.counts.items() if b == bucket)
                for bucket in range(len(dashboard.AGE_BUCKETS))]


def waiting(place: Place, today: dt.date) -> Waiting:
    """Open proposals (either kind) by state and by days since the clue."""
    bucket = case(*((Proposal.clue_date >= today - dt.timedelta(days=most), index)
                    for index, (_label, most) in enumerate(dashboard.AGE_BUCKETS) if most is not None),
                  else_=len(dashboard.AGE_BUCKETS) - 1)
    rows = _count_by(Proposal.state, bucket, where_from=lambda *columns: select(*columns).join(
        Household, Household.id == Proposal.household_id)
        .where(place.households, Proposal.state.in_(monitoring_workflow.OPEN_STATES)))
    return Waiting({(state, index): count for state, index, count in rows})


# Monitored and eliminated households (counted per village, stored with the rest) ------------

@dataclass(frozen=True)
class Headcount:
    households: int
    persons: int


def _headcount(households: ColumnElement, *columns):
    """Households and their roster members by (village, group, ``columns``…)."""
    keys = (Household.village_id, Household.group_id, *columns)
    return (select(*keys, func.count(func.distinct(Household.id)), func.count(Member.id))
            .select_from(Household).outerjoin(Member, Member.household_id == Household.id).where(households)
            .group_by(*keys))


def _monitoring(households: ColumnElement):
    """Monitored households and persons by category (monitored:<category>:households|persons),
    by the risk types of the identification their monitoring rests on, the latest approved
    (risk:<code>:…; a household with two risks counts in both), and the households no
    longer monitored after an approved, not reversed, elimination (eliminated:…)."""
    monitored = Household.monitored_category.is_not(None)
    for village, group, category, household_count, person_count in db.session.execute(
            _headcount(households, Household.monitored_category).where(monitored)):
        yield village, group, f"monitored:{category}:households", household_count
        yield village, group, f"monitored:{category}:persons", person_count
    latest = (select(func.max(Proposal.id).label("id")).where(Proposal.kind == "identification",
                                                              Proposal.state == "approved")
              .group_by(Proposal.household_id).subquery())
    identification = (select(Proposal.household_id, Proposal.risk_types)
                      .join(latest, latest.c.id == Proposal.id).subquery())
    codes = cast(identification.c.risk_types, String)
    for village, group, combination, household_count, person_count in db.session.execute(
            _headcount(households, codes).join(identification, identification.c.household_id == Household.id)
            .where(monitored)):
        for code in json.loads(combination):
            yield village, group, f"risk:{code}:households", household_count
            yield village, group, f"risk:{code}:persons", person_count
    ended = exists().where(Proposal.household_id == Household.id, Proposal.kind == "elimination",
                           Proposal.state == "approved")
    for village, group, household_count, person_count in db.session.execute(
            _headcount(households).where(~monitored, ended)):
        yield village, group, "eliminated:households", household_count
        yield village, group, "eliminated:persons", person_count
