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
    cache = g.setdefault("scopes", {})
    if user.id not in cache:
        tree = area_tree()
        villages: set[int] = set()
        groups: set[int] = set()
        pending = [area.id for area in user.areas]
        while pending:
            area_id = pending.pop()
            level = tree.level.get(area_id)
            if level == "group":
                groups.add(area_id)
            elif level == "village":
                villages.add(area_id)
            else:
                pending.extend(tree.children.get(area_id, ()))
        cache[user.id] = Scope(frozenset(villages), frozenset(groups))
    return cache[user.id]


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
    return scope.village_ids | {area_tree().parent[group] for group in scope.group_ids}


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
    tree = area_tree()
    if tree.level.get(area_id) != level:
        abort(404)
    scope = scope_of(user)
    if level == "village" and area_id in user_villages(user):
        return area_id
    if level == "group" and (area_id in scope.group_ids or tree.parent[area_id] in scope.village_ids):
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
