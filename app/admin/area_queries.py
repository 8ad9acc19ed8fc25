"""Reads of the area tree, for the admin pages and their pickers."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.codes import AREA_LEVEL
from app.extensions import db
from app.geo.models import Area
from app.households.models import Household
from app.households.scope import household_filter


@dataclass(frozen=True)
class TreeRow:
    area: Area
    depth: int
    households: int | None  # villages and groups only


def area_tree(user) -> list[TreeRow]:
    """Every area in tree order (a code sorts after its parent's and before its next
    sibling's), with the households the user may see in each village and group."""
    areas = list(db.session.scalars(select(Area).order_by(Area.code)))
    counts = Counter()
    for village_id, group_id, count in db.session.execute(
        select(Household.village_id, Household.group_id, func.count())
        .where(household_filter(user))
        .group_by(Household.village_id, Household.group_id)
    ):
        counts[village_id] += count
        if group_id is not None:
            counts[group_id] += count
    return [TreeRow(area, AREA_LEVEL.values.index(area.level),
                    counts[area.id] if area.level in ("village", "group") else None) for area in areas]


@dataclass(frozen=True)
class AreaOption:
    id: int
    label: str
    level: str


def area_options(levels: tuple[str, ...]) -> list[AreaOption]:
    """Areas at ``levels`` for a picker, level by level. Villages and groups carry their
    parent's name, since names repeat across townships."""
    parent = aliased(Area)
    rows = db.session.execute(
        select(Area.id, Area.name, Area.level, parent.name)
        .outerjoin(parent, parent.id == Area.parent_id)
        .where(Area.level.in_(levels))
        .order_by(Area.code)
    )
    options = [AreaOption(area_id, f"{parent_name} · {name}" if level in ("village", "group") else name, level)
               for area_id, name, level, parent_name in rows]
    return sorted(options, key=lambda option: levels.index(option.level))  # stable: code order within a level


def villages() -> list[Area]:
    return list(db.session.scalars(select(Area).where(Area.level == "village").order_by(Area.code)))
