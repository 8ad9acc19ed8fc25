"""Builders for test data. Every ID number they make passes the GB 11643 checksum."""
from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace

from app import identity
from app.auth.models import User
from app.extensions import db
from app.geo.models import Area
from app.households.models import Household, Member

PASSWORD = "correct horse 42"
COUNTY_CODE = "530102000000"
_sequence = itertools.count(1)


def area(code: str, name: str, level: str, parent: Area | None = None, code_year: int = 2026) -> Area:
    record = Area(code=code, name=name, level=level, parent=parent, code_year=code_year)
    db.session.add(record)
    return record


def county() -> SimpleNamespace:
    """County → townships T1, T2 → villages A, B (in T1) and C (in T2); A has groups 1 and 2."""
    c = area(COUNTY_CODE, "Test County", "county")
    t1 = area("530102100000", "Township One", "township", c)
    t2 = area("530102200000", "Township Two", "township", c)
    village_a = area("530102100201", "Village A", "village", t1)
    village_b = area("530102100202", "Village B", "village", t1)
    village_c = area("530102200201", "Village C", "village", t2)
    group_a1 = area("530102100201001", "Group A1", "group", village_a)
    group_a2 = area("530102100201002", "Group A2", "group", village_a)
    db.session.commit()
    return SimpleNamespace(county=c, township_1=t1, township_2=t2, village_a=village_a, village_b=village_b,
                           village_c=village_c, group_a1=group_a1, group_a2=group_a2)


def user(username: str, role: str, areas: list[Area], *, password: str = PASSWORD, active: bool = True,
         locale: str | None = None) -> User:
    record = User(username=username, display_name=username.title(), role=role, active=active, locale=locale)
    record.set_password(password)
    record.areas = list(areas)
    db.session.add(record)
    db.session.commit()
    return record


def id_number(birth_date: dt.date = dt.date(1980, 5, 17), sex: str = "male") -> str:
    """A fresh valid ID number for the given birth date and sex, never the same twice in a
    run: past 1,000 sequence numbers the area part moves on."""
    while True:
        count = next(_sequence)
        sequence = count % 1000
        if sequence and (sequence % 2 == 1) == (sex == "male"):
            return identity.make(f"53{(102 + count // 1000) % 10000:04d}", birth_date, sequence)


def member(relation: str = "head", *, name: str = "Zhang San", sex: str = "male",
           birth_date: dt.date = dt.date(1980, 5, 17), **fields) -> Member:
    return Member(name=name, id_number=fields.pop("id_number", None) or id_number(birth_date, sex), sex=sex,
                  birth_date=birth_date, relation=relation, labour_capacity=fields.pop("labour_capacity", "ordinary"),
                  residents_medical_insurance=True, **fields)


def household(village: Area, number: str, *, group: Area | None = None, members: list[Member] | None = None,
              household_type: str = "ordinary", poverty_subtype: str | None = None, **fields) -> Household:
    record = Household(household_number=number, village=village, group=group, household_type=household_type,
                       poverty_subtype=poverty_subtype, **fields)
    record.members = members if members is not None else [
        member("head"),
        member("spouse", name="Li Si", sex="female", birth_date=dt.date(1982, 3, 9)),
    ]
    db.session.add(record)
    db.session.commit()
    return record
