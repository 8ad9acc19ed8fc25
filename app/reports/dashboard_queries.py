"""The dashboard's figures for the place shown: which area, what it splits into and which
households it covers (``Place``, always within the user's scope), the stored village counts
summed by part (``Tallies``, from app.figures), and the proposals under way and the
assistance measures declared and carried out (counted live: they are few).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from flask import abort
from sqlalchemy import and_, false, func, select
from sqlalchemy.sql.elements import ColumnElement

from app.campaigns.models import Campaign
from app.campaigns.queries import thresholds_for, village_lines
from app.extensions import db
from app.figures import bands
from app.figures.counts import Counts, Headcount
from app.figures.store import WHOLE_VILLAGE, village_figures
from app.geo.models import Area
from app.households.models import Household
from app.households.scope import area_tree, household_filter, scope_of
from app.monitoring import workflow as monitoring_workflow
from app.monitoring.models import AssistanceMeasure, Proposal
from app.records import workflow as review_workflow
from app.sql import id_in

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
    includes: Callable[[int, int | None], bool]  # whether a (village, group)'s households are in the place
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
        villages = {village for village, kind in level.items()
                    if kind == "village" and area.id in _chain(village, parent)}  # a set: asked per area below
        within = id_in(Household.village_id, villages) if villages else false()
        inside = lambda village, _group: village in villages  # noqa: E731
    includes = lambda village, group: covers(village, group) and inside(village, group)  # noqa: E731
    villages = _villages_of(includes, level, parent)
    return Place(area, trail, list(area.children) or [area], and_(scope, within), parent, villages, includes,
                 villages & whole if area.level in ("county", "township") else frozenset())


def _part_of(place: Place, part_ids: set[int], area_id: int) -> int | None:
    """The part an area's households are counted in: the first of the area, its village,
    township … that is one (None: households in no part, such as a village's in no group)."""
    return next((found for found in _chain(area_id, place.parent) if found in part_ids), None)


def _villages_of(includes, level: dict[int, str], parent: dict[int, int | None]) -> frozenset[int]:
    """The villages with a group, or households in no group, that ``includes`` takes."""
    return frozenset(village for area_id, kind in level.items() if kind in ("village", "group")
                     for village in [area_id if kind == "village" else parent[area_id]]
                     if includes(village, area_id if kind == "group" else None))



# What: the stored counts summed for the place, by part --------------------------------------

@dataclass(frozen=True)
class PartCount:
    """Two counts of one part of the area (``area`` None: households in no group)."""

    area: Area | None
    total: int
    counted: int

    @property
    def rate(self) -> Decimal | None:
        return bands.percent(self.counted, self.total)


@dataclass(frozen=True)
class Income:
    bins: list[int]  # records per histogram bin (bands.bin_bounds)
    growth: dict[str, int]  # records per growth band
    threshold_fen: int | None


@dataclass(frozen=True)
class Layers:
    counts: dict[str, int]  # households per layer
    unlayered: int  # out-of-poverty or monitored, approved record, but in no layer
    unrecorded: int  # out-of-poverty or monitored without an approved record in the campaign
    lines: tuple[int, ...]  # the circle-layer lines in force over the place's villages, lowest first
    unlined: int  # villages of the place with no line set: not layered


@dataclass(frozen=True)
class Tallies:
    """The place's stored counts summed by part (None: households in no part, such as a
    village's households in no group)."""

    place: Place
    campaign: Campaign
    by_part: dict[int | None, Counts]
    counted_at: dt.datetime | None  # when the oldest figure added up was counted
    recounting: bool  # some are being counted again (app.figures.jobs)

    @classmethod
    def of(cls, place: Place, campaign: Campaign) -> Tallies:
        """The place's counts from the stored village figures (app.figures.store)."""
        part_ids = {part.id for part in place.parts}
        by_part: dict[int | None, Counts] = {}
        stored = village_figures(campaign, place.villages, whole=place.whole_villages)
        for (village, group), counts in stored.counts.items():
            whole = group == WHOLE_VILLAGE
            if whole or place.includes(village, group):
                part = _part_of(place, part_ids, village if whole else group or village)
                by_part.setdefault(part, Counts()).add(counts)
        return cls(place, campaign, by_part, stored.counted_at, stored.recounting)

    @property
    def total(self) -> Counts:
        return Counts.total(self.by_part.values())

    def _by_part(self, total: str, counted: str) -> list[PartCount]:
        """Parts with nothing are kept (a village nobody visited is the point of the table)."""
        def of(part_id):
            counts = self.by_part.get(part_id, Counts())
            return getattr(counts, total), getattr(counts, counted)
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
        statuses = self.total.statuses
        return [(status, statuses[status]) for status in review_workflow.STATES]

    def income(self) -> Income:
        total = self.total
        # The threshold of the area shown (of the user's first area when showing several).
        shown = self.place.area or self.place.parts[0]
        match = thresholds_for(self.campaign, [shown])[shown.id]
        return Income([total.bins[index] for index in range(bands.BIN_COUNT)],
                      {band: total.growth[band] for band in bands.GROWTH_BANDS},
                      match.amount_fen if match else None)

    def layers(self) -> Layers:
        layers = self.total.layers
        lines = village_lines(self.campaign, self.place.villages, "circle_layer")
        return Layers({layer: layers[layer] for layer in bands.LAYERS}, layers["none"], layers["unrecorded"],
                      tuple(sorted({line for line in lines.values() if line is not None})),
                      sum(1 for line in lines.values() if line is None))

    def monitored_by_category(self) -> dict[str, Headcount]:
        return self.total.monitored

    def monitored_by_risk_type(self) -> dict[str, Headcount]:
        return self.total.risks

    def eliminated(self) -> Headcount:
        return self.total.eliminated


# Proposals -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Waiting:
    """Proposals under way: counts by (state, age bucket index), in the campaign's buckets."""

    counts: dict[tuple[str, int], int]
    buckets: tuple[bands.AgeBucket, ...]

    def by_state(self) -> list[tuple[str, list[int], int]]:
        buckets = range(len(self.buckets))
        return [(state, [self.counts.get((state, b), 0) for b in buckets],
                 sum(self.counts.get((state, b), 0) for b in buckets)) for state in monitoring_workflow.OPEN_STATES]

    def by_age(self) -> list[int]:
        return [sum(count for (_state, b), count in self.counts.items() if b == bucket)
                for bucket in range(len(self.buckets))]


def waiting(place: Place, today: dt.date, campaign: Campaign) -> Waiting:
    """Open proposals (either kind) by state and by days since the clue, counted as the
    campaign counts its clue-to-decision limit (calendar or working days). They are few: SQL
    counts them by state and clue day, the workflow's day count buckets them."""
    buckets = bands.age_buckets(campaign.decision_days_limit, campaign.decision_day_count)
    inner = (select(Proposal.state.label("state"), Proposal.clue_date.label("clue_date"))
             .join(Household, Household.id == Proposal.household_id)
             .where(place.households, Proposal.state.in_(monitoring_workflow.OPEN_STATES)).subquery())
    counts: dict[tuple[str, int], int] = {}
    for state, clue_date, count in db.session.execute(
            select(inner.c.state, inner.c.clue_date, func.count()).group_by(inner.c.state, inner.c.clue_date)):
        days = monitoring_workflow.days_from_clue(clue_date, None, today, campaign.decision_day_count)
        key = (state, bands.bucket_of(buckets, days))
        counts[key] = counts.get(key, 0) + count
    return Waiting(counts, buckets)


def measures(place: Place) -> list[PartCount]:
    """帮扶措施 of the place's households by part, as counties report them (DOMAIN §12: "750
    declared, 594 carried out"): every measure declared (``total``, whether carried out or not)
    and those carried out by today (``counted``)."""
    part_ids = {part.id for part in place.parts}
    by_part: dict[int | None, list[int]] = {}
    for village, group, declared, carried_out in db.session.execute(
            select(Household.village_id, Household.group_id, func.count(), func.count(AssistanceMeasure.carried_out_on))
            .join(Household, Household.id == AssistanceMeasure.household_id)
            .where(place.households).group_by(Household.village_id, Household.group_id)):
        counts = by_part.setdefault(_part_of(place, part_ids, group or village), [0, 0])
        counts[0] += declared
        counts[1] += carried_out
    found = [PartCount(part, *by_part.get(part.id, (0, 0))) for part in place.parts]
    if None in by_part:
        found.append(PartCount(None, *by_part[None]))
    return found
