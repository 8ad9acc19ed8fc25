"""The one place that decides which people's data a user may see.

A user covers areas at any level. A county, township or village covers every household
in the villages beneath it; a group (村民小组) covers only that group's households.
Every query that returns households, members or anything hung on them is filtered with
``household_filter``; a record outside the scope answers 404, so its existence is not
revealed.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, g
from sqlalchemy import false, or_, select

from app.extensions import db
from app.geo.models import Area
from app.households.models import Household
from app.sql import id_in
from app.typed import whole_number


@dataclass(frozen=True)
class Scope:
    village_ids: frozenset[int]
    group_ids: frozenset[int]

    def covers(self, village_id: int, group_id: int | None) -> bool:
        return village_id in self.village_ids or (group_id is not None and group_id in self.group_ids)


@dataclass(frozen=True)
class AreaTree:
    """Every area's level, parent and children, read once per request."""

    level: dict[int, str]
    parent: dict[int, int | None]
    children: dict[int | None, list[int]]


def area_tree() -> AreaTree:
    if "area_tree" not in g:
        tree = AreaTree({}, {}, {})
        for area_id, parent_id, level in db.session.execute(select(Area.id, Area.parent_id, Area.level)):
            tree.level[area_id] = level
            tree.parent[area_id] = parent_id
            tree.children.setdefault(parent_id, []).append(area_id)
        g.area_tree = tree
    return g.area_tree


def scope_of(user) -> Scope:
    """The villages and groups the user's areas cover, read down from them level by level (a
    village's reviewer reads nothing more; the county's admin its townships, then villages),
    not from the whole area tree, which at 2,000,000 households holds some 19,000 areas."""
    cache = g.setdefault("scopes", {})
    if user.id not in cache:
        villages: set[int] = set()
        groups: set[int] = set()
        seen: set[int] = set()
        pending = [(area.id, area.level) for area in user.areas]
        while pending:
            above = []
            for area_id, level in pending:
                if area_id in seen:  # a loop in the data must not hang
                    continue
                seen.add(area_id)
                if level == "group":
                    groups.add(area_id)
                elif level == "village":
                    villages.add(area_id)
                else:
                    above.append(area_id)
            pending = db.session.execute(select(Area.id, Area.level).where(id_in(Area.parent_id, above))).all() \
                if above else []
        cache[user.id] = Scope(frozenset(villages), frozenset(groups))
    return cache[user.id]


def parents_of(area_ids) -> dict[int, int | None]:
    """These areas' parents, and their ancestors' up to the county: what an area's chain
    needs (a line in force, a group's village) without reading the whole tree; kept for the
    request, which asks again for the same villages."""
    known: dict[int, int | None] = g.setdefault("area_parents", {})
    wanted = set(area_ids)
    pending = wanted - known.keys()
    while pending:
        rows = db.session.execute(select(Area.id, Area.parent_id).where(id_in(Area.id, sorted(pending)))).all()
        known.update((area_id, parent_id) for area_id, parent_id in rows)
        pending = {parent_id for _area_id, parent_id in rows if parent_id is not None and parent_id not in known}
    chains: dict[int, int | None] = {}
    for area_id in wanted:
        while area_id in known and area_id not in chains:
            chains[area_id] = known[area_id]
            area_id = known[area_id]
    return chains


def household_filter(user, household=Household):
    """A WHERE clause limiting ``household`` (the model or an alias) to the user's scope."""
    scope = scope_of(user)
    clauses = []
    if scope.village_ids:
        clauses.append(id_in(household.village_id, scope.village_ids))
    if scope.group_ids:
        clauses.append(id_in(household.group_id, scope.group_ids))
    return or_(*clauses) if clauses else false()


def check_in_scope(user, household: Household) -> None:
    """A service's guard: a household outside the user's areas does not exist (404)."""
    if not scope_of(user).covers(household.village_id, household.group_id):
        abort(404)


def scoped_households(user):
    return select(Household).where(household_filter(user))


def get_household_or_404(user, household_id: int) -> Household:
    household = db.session.scalar(scoped_households(user).where(Household.id == household_id))
    if household is None:
        abort(404)
    return household


def user_villages(user) -> frozenset[int]:
    """The ids of the villages with households the user may see: theirs and those of their groups."""
    scope = scope_of(user)
    if not scope.group_ids:
        return scope.village_ids
    parents = parents_of(scope.group_ids)
    return scope.village_ids | {parents[group] for group in scope.group_ids}


def filter_area_or_404(user, value: str | None, level: str) -> int | None:
    """The area a list filter names (``?village=``, ``?group=``): None when the filter is
    absent or empty, its id when the user sees all or part of it; anything else answers 404,
    as a record outside the scope does (an empty list would tell that the area exists)."""
    if not value:
        return None
    try:
        area_id = whole_number(value)
    except ValueError:
        abort(404)
    area = db.session.get(Area, area_id)
    if area is None or area.level != level:
        abort(404)
    scope = scope_of(user)
    if level == "village" and area_id in user_villages(user):
        return area_id
    if level == "group" and (area_id in scope.group_ids or area.parent_id in scope.village_ids):
        return area_id
    abort(404)


def scoped_villages(user) -> list[Area]:
    """Villages the user sees all or part of, for filters and pickers."""
    scope = scope_of(user)
    village_ids = set(scope.village_ids)
    if scope.group_ids:
        village_ids |= set(db.session.scalars(select(Area.parent_id).where(Area.id.in_(scope.group_ids))))
    if not village_ids:
        return []
    return list(db.session.scalars(select(Area).where(Area.id.in_(village_ids)).order_by(Area.code)))
