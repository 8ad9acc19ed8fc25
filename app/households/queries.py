"""Reads of households, always within the user's scope."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.geo.models import Area
from app.households.models import Household, Member
from app.households.scope import household_filter

PAGE_SIZE = 50


@dataclass(frozen=True)
class HouseholdRow:
    id: int
    household_number: str
    head_name: str | None
    member_count: int
    village_name: str
    group_name: str | None
    household_type: str
    poverty_subtype: str | None
    monitored_category: str | None


def list_households(user, *, search: str = "", village_id: int | None = None, after: str | None = None,
                    page_size: int = PAGE_SIZE) -> tuple[list[HouseholdRow], str | None]:
    """One page, ordered by household number; returns the rows and the key of the next page.

    ``search`` matches a member's name, the end of a member's ID number, or the start of
    the household number.
    """
    head = aliased(Member)
    village = aliased(Area)
    group = aliased(Area)
    member_count = (
        select(func.count(Member.id)).where(Member.household_id == Household.id).correlate(Household).scalar_subquery()
    )
    query = (
        select(Household.id, Household.household_number, head.name, member_count, village.name, group.name,
               Household.household_type, Household.poverty_subtype, Household.monitored_category)
        .join(village, village.id == Household.village_id)
        .outerjoin(group, group.id == Household.group_id)
        .outerjoin(head, and_(head.household_id == Household.id, head.relation == "head"))
        .where(household_filter(user))
        .order_by(Household.household_number)
        .limit(page_size + 1)
    )
    if village_id:
        query = query.where(Household.village_id == village_id)
    if after:
        query = query.where(Household.household_number > after)
    search = search.strip()
    if search:
        pattern = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(
            Household.household_number.like(f"{pattern}%", escape="\\")
            | exists().where(
                Member.household_id == Household.id,
                Member.name.like(f"%{pattern}%", escape="\\")
                | Member.id_number.like(f"%{pattern.upper()}", escape="\\"),
            )
        )
    rows = [HouseholdRow(*row) for row in db.session.execute(query)]
    next_key = rows[page_size - 1].household_number if len(rows) > page_size else None
    return rows[:page_size], next_key
