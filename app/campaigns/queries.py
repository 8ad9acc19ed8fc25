"""Reads for campaigns: the lines in force (the monitoring threshold, the circle layers' line)
and assignment progress."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, func, select

from app.auth.models import User
from app.campaigns.models import Assignment, Campaign, MonitoringThreshold
from app.campaigns.thresholds import ThresholdMatch, ancestry, applicable_threshold
from app.extensions import db
from app.geo.models import Area
from app.households.models import Household
from app.households.scope import household_filter, parents_of


def campaigns() -> list[Campaign]:
    return list(db.session.scalars(select(Campaign).order_by(Campaign.year.desc(), Campaign.id.desc())))


def thresholds(campaign: Campaign) -> list[MonitoringThreshold]:
    """Every line set for the campaign, of either kind."""
    return list(db.session.scalars(
        select(MonitoringThreshold).join(MonitoringThreshold.area).where(MonitoringThreshold.campaign_id == campaign.id)
        .order_by(MonitoringThreshold.kind.desc(), MonitoringThreshold.year.desc(), Area.code)
    ))


def _threshold_map(campaign: Campaign, kind: str) -> dict[tuple[int, int], int]:
    return {(year, area_id): fen for year, area_id, fen in db.session.execute(
        select(MonitoringThreshold.year, MonitoringThreshold.area_id, MonitoringThreshold.amount_fen)
        .where(MonitoringThreshold.campaign_id == campaign.id, MonitoringThreshold.kind == kind)
    )}


def threshold_for(campaign: Campaign, area: Area, year: int | None = None,
                  kind: str = "monitoring") -> ThresholdMatch | None:
    """The line of ``kind`` in force for ``area`` in ``year`` (default: the campaign's year)."""
    return thresholds_for(campaign, [area], year, kind)[area.id]


def thresholds_for(campaign: Campaign, areas, year: int | None = None,
                   kind: str = "monitoring") -> dict[int, ThresholdMatch | None]:
    """threshold_for for many areas, reading the campaign's lines once."""
    table = _threshold_map(campaign, kind)
    found = {}
    for area in areas:
        chain = []
        current = area
        while current is not None:
            chain.append(current.id)
            current = current.parent
        found[area.id] = applicable_threshold(table, chain, campaign.year if year is None else year)
    return found


def thresholds_by_area_id(campaign: Campaign, area_ids, kind: str = "monitoring") -> dict[int, ThresholdMatch | None]:
    """thresholds_for the areas of these ids in the campaign's year, their chains of areas read
    once for the request (households.scope.parents_of) instead of loading each area and its
    parents."""
    table = _threshold_map(campaign, kind)
    parents = parents_of(area_ids)
    return {area_id: applicable_threshold(table, ancestry(area_id, parents), campaign.year) for area_id in area_ids}


@dataclass(frozen=True)
class VillageThreshold:
    village: Area
    match: ThresholdMatch | None
    source: Area | None  # the area whose threshold applies


def village_thresholds(campaign: Campaign, kind: str = "monitoring") -> list[VillageThreshold]:
    """The line of ``kind`` each village falls under in the campaign's year, read in two queries."""
    areas = {area.id: area for area in db.session.scalars(select(Area).order_by(Area.code))}
    parents = {area_id: area.parent_id for area_id, area in areas.items()}
    amounts = _threshold_map(campaign, kind)
    rows = []
    for area in areas.values():
        if area.level == "village":
            match = applicable_threshold(amounts, ancestry(area.id, parents), campaign.year)
            rows.append(VillageThreshold(area, match, areas[match.area_id] if match else None))
    return rows


def village_lines(campaign: Campaign, village_ids, kind: str) -> dict[int, int | None]:
    """The fen of the line of ``kind`` in force for each of these villages in the campaign's
    year (None where none is set), reading only the villages' chains of areas."""
    parents = parents_of(village_ids)
    amounts = _threshold_map(campaign, kind)
    found = {}
    for village in village_ids:
        match = applicable_threshold(amounts, ancestry(village, parents), campaign.year)
        found[village] = match.amount_fen if match else None
    return found


@dataclass(frozen=True)
class VillageProgress:
    village: Area
    households: int
    assigned: int
    by_enumerator: list[tuple[str, int]]  # (display name, households), largest first

    @property
    def unassigned(self) -> int:
        return self.households - self.assigned


def assignment_summary(user: User, campaign: Campaign) -> list[VillageProgress]:
    """Per village the user sees: households, how many are assigned in the campaign, and to whom."""
    counts = db.session.execute(
        select(Household.village_id, User.display_name, func.count())
        .outerjoin(Assignment, and_(Assignment.household_id == Household.id, Assignment.campaign_id == campaign.id))
        .outerjoin(User, User.id == Assignment.enumerator_id)
        .where(household_filter(user))
        .group_by(Household.village_id, User.id, User.display_name)
    ).all()
    households: dict[int, int] = defaultdict(int)
    by_enumerator: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for village_id, enumerator_name, count in counts:
        households[village_id] += count
        if enumerator_name is not None:
            by_enumerator[village_id].append((enumerator_name, count))
    villages = db.session.scalars(select(Area).where(Area.id.in_(list(households))).order_by(Area.code))
    return [
        VillageProgress(village, households[village.id], sum(count for _name, count in by_enumerator[village.id]),
                        sorted(by_enumerator[village.id], key=lambda item: (-item[1], item[0])))
        for village in villages
    ]


def active_enumerators() -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.role == "enumerator", User.active).order_by(User.display_name, User.username)
    ))
