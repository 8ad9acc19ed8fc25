"""The demo county (演示县), generated from a seed: pure data, no Flask, no database.

What always holds, for any seed and size:
- the same seed and household count give identical data (one ``random.Random(seed)``
  drives everything; ages are counted on ``REFERENCE_DATE``, never on today);
- every ID number is valid (GB 11643), unique in the county, and carries the member's
  sex and birth date; its area prefix is the county's first 6 digits;
- each household has exactly one head and at most one spouse, of the other sex;
- a member has an education level or a current schooling, never both;
- ``without_labour`` is true exactly when no member has labour capacity;
- an out-of-poverty household has a sub-type and an ordinary one has none; a monitored
  category fits the household type;
- villages have a real village's size (about ``HOUSEHOLDS_PER_VILLAGE``): beyond what the
  six named villages hold, the county grows more townships and villages, never bigger ones.

云岭县 (532339) is fictional: its code is unused in Chuxiong prefecture (5323), so demo
data can never be mistaken for a real county's.
"""
from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass

from app import identity

REFERENCE_DATE = dt.date(2026, 6, 30)  # ages are counted on this day
CODE_YEAR = 2026
PASSWORD = "ruhu2026"  # every demo login; documented, printed by `flask demo logins`

COUNTY_CODE = "532339000000"
COUNTY_NAME = "云岭县"
# (township code, name, its villages as (code, name)); digits 7–9: 100–199 town, 200–399 township.
TOWNSHIPS = (
    ("532339100000", "青山镇", (("532339100201", "大坪村"), ("532339100202", "小河村"), ("532339100203", "松林村"))),
    ("532339200000", "石门乡", (("532339200201", "石门村"), ("532339200202", "龙潭村"), ("532339200203", "新街村"))),
)
GROUP_NUMERALS = "一二三四五六七八"
# A real administrative village has 300–1,000 households; a bigger county has more of them.
HOUSEHOLDS_PER_VILLAGE = 700
VILLAGES_PER_TOWNSHIP = 15
# Names for the townships and villages a big county adds: two characters, one from each list.
PLACE_FIRST = "白红金青碧黄双永太长凤梅平安和顺兴隆富民东西南北上下中"
PLACE_SECOND = ("沙", "岩", "溪", "桥", "冲", "坝", "田", "营", "哨", "铺", "箐", "坡", "寨", "湾", "塘", "厂", "庄",
                "村", "屯", "堡")

# (username, display name, role, area codes); the enumerator covers the first two villages.
LOGINS = (
    ("enumerator", "李春燕", "enumerator", ("532339100201", "532339100202")),
    ("village", "杨国华", "village_reviewer", ("532339100201",)),
    ("township", "张志刚", "township_approver", ("532339100000",)),
    ("countyapprover", "赵丽萍", "county_approver", (COUNTY_CODE,)),
    ("admin", "王建明", "county_admin", (COUNTY_CODE,)),
)

CAMPAIGN = {
    "name": "2026年农村居民收入普查",
    "year": 2026,
    "form_version": "2026.2",
    "public_notice_days": 5,
    "county_approval_enabled": False,
}
# (kind, year, area code, per-capita line in fen): the county's monitoring threshold and a
# higher one in 石门乡; the circle layers' line of 10,000 yuan (DOMAIN §12).
THRESHOLDS = (
    ("monitoring", 2025, COUNTY_CODE, 870000),
    ("monitoring", 2025, "532339200000", 890000),
    ("monitoring", 2026, COUNTY_CODE, 870000),
    ("monitoring", 2026, "532339200000", 900000),
    ("circle_layer", 2026, COUNTY_CODE, 1000000),
)

LABOUR = frozenset({"ordinary", "skilled", "weak"})  # what counts as having labour capacity


@dataclass(frozen=True)
class AreaPlan:
    code: str
    name: str
    level: str
    parent_code: str | None


@dataclass(frozen=True)
class LoginPlan:
    username: str
    display_name: str
    role: str
    area_codes: tuple[str, ...]


@dataclass(frozen=True)
class CountyPlan:
    areas: tuple[AreaPlan, ...]
    logins: tuple[LoginPlan, ...]
    campaign: dict
    thresholds: tuple[tuple[str, int, str, int], ...]

    @property
    def assigned_village_codes(self) -> frozenset[str]:
        """The villages whose households are all assigned to the enumerator."""
        return frozenset(code for login in self.logins if login.role == "enumerator" for code in login.area_codes)


def generate(seed: int, household_count: int) -> tuple[CountyPlan, Iterator[dict]]:
    """The county plan and a lazy stream of ``household_count`` households.

    The stream shares the plan's random generator, so consume it once, after the plan.
    Each household is a dict of Household columns plus ``village_code``, ``group_code``
    and ``members`` (dicts of Member columns).
    """
    rng = random.Random(seed)
    plan = plan_county(rng, household_count)
    return plan, _households(rng, plan, household_count)


def _place_name(index: int) -> str:
    """A two-character name; consecutive indexes differ in both characters, and indexes
    less than ``len(PLACE_FIRST) * len(PLACE_SECOND)`` apart give different names."""
    names = len(PLACE_FIRST) * len(PLACE_SECOND)
    spread = (index * 29) % names  # 29 shares no factor with 28 × 20
    return PLACE_FIRST[spread % len(PLACE_FIRST)] + PLACE_SECOND[spread // len(PLACE_FIRST)]


def _townships(household_count: int) -> tuple:
    """The named townships, then as many more as the county's size asks for: towns (镇,
    codes 101–199) and townships (乡, 201–399) in turn, ``VILLAGES_PER_TOWNSHIP`` villages each."""
    named_villages = sum(len(villages) for *_township, villages in TOWNSHIPS)
    extra = max(0, -(-household_count // HOUSEHOLDS_PER_VILLAGE) - named_villages)
    townships = list(TOWNSHIPS)
    for number, first in enumerate(range(0, extra, VILLAGES_PER_TOWNSHIP)):
        town = number % 2 == 0
        serial = (101 if town else 201) + number // 2
        code = f"{COUNTY_CODE[:6]}{serial:03d}000"
        name = _place_name(7 * number + 5) + ("镇" if town else "乡")
        villages = tuple((f"{code[:9]}{200 + index:03d}", _place_name(37 * number + index) + "村")
                         for index in range(1, min(VILLAGES_PER_TOWNSHIP, extra - first) + 1))
        townships.append((code, name, villages))
    return tuple(townships)


def plan_county(rng: random.Random, household_count: int = 0) -> CountyPlan:
    areas = [AreaPlan(COUNTY_CODE, COUNTY_NAME, "county", None)]
    for township_code, township_name, villages in _townships(household_count):
        areas.append(AreaPlan(township_code, township_name, "township", COUNTY_CODE))
        for village_code, village_name in villages:
            areas.append(AreaPlan(village_code, village_name, "village", township_code))
            for number in range(1, rng.randint(3, 8) + 1):
                areas.append(AreaPlan(f"{village_code}{number:03d}", f"第{GROUP_NUMERALS[number - 1]}村民小组",
                                      "group", village_code))
    return CountyPlan(tuple(areas), tuple(LoginPlan(*login) for login in LOGINS), dict(CAMPAIGN), THRESHOLDS)


# --- people -------------------------------------------------------------------------

class _Weighted:
    """Draws items with fixed relative weights; much faster than ``rng.choices``, which
    accumulates the weights again on every call."""

    def __init__(self, weights: dict):
        self.items = tuple(weights)
        self.cumulative = tuple(itertools.accumulate(weights.values()))

    def pick(self, rng: random.Random):
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


SURNAMES = _Weighted(dict(zip(
    "李王张杨刘陈赵黄周吴罗段普字鲁施毕自何马朱胡高郭孙徐林起者",
    (12, 10, 9, 9, 7, 6, 5, 4, 4, 4, 4, 3, 3, 2, 2, 2, 2, 1, 3, 3, 3, 3, 2, 2, 2, 2, 2, 1, 1),
)))
GIVEN = {
    ("male", False): "国福祥贵荣发文武兴德成永光春云金忠建志龙明华平刚峰林波涛斌海军勇强伟",
    ("female", False): "芳丽娟敏静秀英燕霞琴梅兰红玉艳萍珍凤丹婷花琼莲美仙菊月慧",
    ("male", True): "浩宇轩子梓博俊杰睿泽航晨逸鑫宏磊嘉豪",
    ("female", True): "涵欣怡雨萱佳诗琪悦思可馨彤玥雪蕊语晴",
}
# GB/T 3304 codes: mostly 汉族, with the larger minorities of central Yunnan
# (彝族, 白族, 哈尼族, 苗族, 傣族, 回族, 傈僳族).
ETHNICITY = _Weighted({"01": 72, "07": 14, "14": 5, "16": 3, "06": 2, "18": 1.5, "03": 1.5, "20": 1})
PHONE_PREFIXES = ("130", "131", "133", "135", "136", "137", "138", "139", "150", "151", "153", "155", "158",
                  "159", "166", "177", "180", "182", "183", "187", "188", "189", "198", "199")
WORK_LOCATION = _Weighted({"within_county": 40, "within_province": 30, "outside_province": 28, "abroad": 2})
HOUSEHOLD_SIZE = _Weighted({1: 9, 2: 19, 3: 25, 4: 23, 5: 13, 6: 7, 7: 2, 8: 2})  # mean ≈ 3.5
HEAD_AGE_BAND = _Weighted({(25, 34): 10, (35, 44): 18, (45, 54): 27, (55, 64): 24, (65, 74): 15, (75, 85): 6})
MAX_CHILDREN = 4
EDUCATION_BY_AGE = (  # (youngest age, education levels of adults out of school)
    (65, _Weighted({"illiterate": 35, "primary": 45, "junior_secondary": 17, "senior_secondary": 3})),
    (45, _Weighted({"illiterate": 10, "primary": 40, "junior_secondary": 40, "senior_secondary": 7,
                    "secondary_vocational": 3})),
    (0, _Weighted({"primary": 10, "junior_secondary": 50, "senior_secondary": 15, "secondary_vocational": 12,
                   "higher_vocational": 8, "bachelor_or_above": 5})),
)
DISABILITY_CLASS = _Weighted({"1": 10, "2": 20, "3": 35, "4": 35})
PENSION_ELDERLY = _Weighted({"residents": 92, "employees": 4, "none": 4})
PENSION_ADULT = _Weighted({"residents": 85, "employees": 3, "none": 12})
# 特困供养 is for people with no labour and no one to support them: small households only.
SUBTYPE_WITHOUT_LABOUR = _Weighted({"general": 30, "minimum_living": 45, "extreme_poverty": 25})
SUBTYPE_WITHOUT_LABOUR_LARGE = _Weighted({"general": 30, "minimum_living": 45})


class _IdNumbers:
    """Hands out ID numbers unique in the county. Per birth date, one integer is a bitmap of
    the sequences used: a few MB for 700,000 people, where a set of the numbers takes 70."""

    def __init__(self, area: str):
        self.area = area
        self.used: dict[int, int] = {}

    def allocate(self, rng: random.Random, birth_date: dt.date, sex: str) -> str:
        first = 1 if sex == "male" else 2  # odd sequences are men
        key = birth_date.toordinal()
        used = self.used.get(key, 0)
        sequence = start = rng.randrange(first, 1000, 2)
        while used >> sequence & 1:
            sequence = sequence + 2 if sequence + 2 < 1000 else first
            if sequence == start:
                raise ValueError(f"no ID sequence left for {birth_date} {sex}")
        self.used[key] = used | 1 << sequence
        return identity.make(self.area, birth_date, sequence)

    def allocate_near(self, rng: random.Random, birth_date: dt.date, age: int, sex: str) -> tuple[dt.date, str]:
        """The birthday and an ID number for it. Where that day's 500 sequences of the sex are
        taken (a county of millions), the birthday moves a day earlier within the same year of
        age, so every age keeps its people."""
        latest = _latest_birthday(age)
        for shift in range(365):
            day = latest - dt.timedelta(days=((latest - birth_date).days + shift) % 365)
            try:
                return day, self.allocate(rng, day, sex)
            except ValueError:
                continue
        raise ValueError(f"no ID sequence left in the year of age of {birth_date} {sex}")


def _latest_birthday(age: int) -> dt.date:
    """The last birthday giving exactly ``age`` on REFERENCE_DATE (30 June: no leap-day edge)."""
    return REFERENCE_DATE.replace(year=REFERENCE_DATE.year - age)


def _birth_date(rng: random.Random, age: int) -> dt.date:
    """A birthday giving exactly ``age`` on REFERENCE_DATE."""
    return _latest_birthday(age) - dt.timedelta(days=rng.randrange(365))


def _given_name(rng: random.Random, sex: str, age: int) -> str:
    pool = GIVEN[(sex, age < 25)]
    return "".join(rng.choice(pool) for _ in range(1 if rng.random() < 0.25 else 2))


def _other_ethnicity(rng: random.Random, ethnicity: str, keep: float) -> str:
    return ethnicity if rng.random() < keep else ETHNICITY.pick(rng)


@dataclass
class _Person:
    relation: str
    sex: str
    age: int
    surname: str
    ethnicity: str
    partner: _Person | None = None  # a married child's spouse, living here too


def _roster(rng: random.Random, size: int) -> list[_Person]:
    """Who lives together: relations, sexes and ages that fit one another."""
    if size == 1:
        age = rng.randint(45, 85)  # people living alone are mostly older
    else:
        low, high = HEAD_AGE_BAND.pick(rng)
        age = rng.randint(low, high)
    head_sex = "male" if rng.random() < 0.82 else "female"
    head = _Person("head", head_sex, age, SURNAMES.pick(rng), ETHNICITY.pick(rng))
    people = [head]
    family_surname = head.surname
    married_chance = (0.9 if age < 70 else 0.7) if head_sex == "male" else 0.55
    if size > 1 and rng.random() < married_chance:
        spouse_sex = "female" if head_sex == "male" else "male"
        gap = rng.randint(-1, 5) if head_sex == "male" else -rng.randint(-1, 5)
        spouse = _Person("spouse", spouse_sex, max(20, min(95, age - gap)), SURNAMES.pick(rng),
                         _other_ethnicity(rng, head.ethnicity, 0.85))
        people.append(spouse)
        if spouse_sex == "male":
            family_surname = spouse.surname
    children: list[_Person] = []
    parents: list[_Person] = []
    while len(people) < size:
        options = []  # (kind of relative, weight), only those that fit this household
        if len(children) < MAX_CHILDREN:
            options.append(("child", 6))
        if age <= 60 and len(parents) < 2:
            options.append(("parent", 1.5))
        if any(child.age >= 22 and child.partner is None for child in children):
            options.append(("child_in_law", 4))
        if any(child.age >= 20 for child in children):
            options.append(("grandchild", 4))
        kinds, weights = zip(*options) if options else (("sibling",), (1,))
        choice = rng.choices(kinds, weights)[0]
        if choice == "child":
            sex = rng.choice(("male", "female"))
            surname = family_surname if rng.random() < 0.92 else SURNAMES.pick(rng)
            child = _Person("son" if sex == "male" else "daughter", sex, age - rng.randint(20, min(38, age)), surname,
                            head.ethnicity)
            children.append(child)
            people.append(child)
        elif choice == "parent":
            sex = "female" if parents and parents[0].sex == "male" else rng.choice(("male", "female"))
            surname = head.surname if sex == "male" else SURNAMES.pick(rng)
            parent = _Person("father" if sex == "male" else "mother", sex, min(92, age + rng.randint(22, 35)),
                             surname, head.ethnicity)
            parents.append(parent)
            people.append(parent)
        elif choice == "child_in_law":
            child = rng.choice([child for child in children if child.age >= 22 and child.partner is None])
            sex = "female" if child.sex == "male" else "male"
            partner = _Person("daughter_in_law" if sex == "female" else "son_in_law", sex,
                              max(20, child.age + rng.randint(-3, 3)), SURNAMES.pick(rng),
                              _other_ethnicity(rng, head.ethnicity, 0.8))
            child.partner = partner
            people.append(partner)
        elif choice == "grandchild":
            married = [child for child in children if child.age >= 20 and child.partner is not None]
            link = rng.choice(married or [child for child in children if child.age >= 20])
            sex = rng.choice(("male", "female"))
            through_son = link.sex == "male"
            relation = {(True, "male"): "grandson", (True, "female"): "granddaughter",
                        (False, "male"): "daughters_son", (False, "female"): "daughters_daughter"}[through_son, sex]
            surname = link.surname if through_son or link.partner is None else link.partner.surname
            people.append(_Person(relation, sex, link.age - rng.randint(20, min(35, link.age)), surname,
                                  head.ethnicity))
        else:
            sex = rng.choice(("male", "female"))
            people.append(_Person("sibling", sex, max(18, min(92, age + rng.randint(-10, 10))), head.surname,
                                  head.ethnicity))
    return people


def _school(rng: random.Random, age: int) -> tuple[str | None, str | None]:
    """(schooling, education level): one or neither, never both."""
    if age < 3:
        return None, None
    if age < 6:
        return ("preschool" if rng.random() < 0.85 else None), None
    if age <= 15:
        if rng.random() < 0.003:  # a rare child out of school, for the 3+1 screening to find
            return None, "primary" if age >= 12 else None
        return ("primary" if age <= 11 else "junior_secondary"), None
    if age <= 18:
        if rng.random() < 0.75:
            return ("senior_secondary" if rng.random() < 0.6 else "secondary_vocational"), None
        return None, "junior_secondary"
    if age <= 22 and rng.random() < 0.3:
        return ("undergraduate" if rng.random() < 0.4 else "higher_vocational"), None
    levels = next(levels for youngest, levels in EDUCATION_BY_AGE if age >= youngest)
    return None, levels.pick(rng)


def _health(rng: random.Random, age: int) -> tuple[bool, bool, str | None]:
    """(chronic illness, serious illness, disability class or None)."""
    chronic = rng.random() < (0.03 if age < 40 else 0.12 if age < 60 else 0.30)
    serious = rng.random() < (0.01 if age < 50 else 0.03)
    disabled = rng.random() < (0.015 if age < 40 else 0.04 if age < 65 else 0.08)
    disability_class = DISABILITY_CLASS.pick(rng) if disabled else None
    return chronic, serious, disability_class


def _labour(rng: random.Random, age: int, in_school: bool, chronic: bool, serious: bool,
            disability_class: str | None) -> str:
    if age < 16 or in_school or age >= 75:
        return "none"
    if disability_class in ("1", "2"):
        return "lost"
    if serious:
        return "lost" if rng.random() < 0.5 else "weak"
    if age >= 65:
        return "weak" if rng.random() < 0.5 else "none"
    if age >= 60 or disability_class or (chronic and rng.random() < 0.4):
        return "weak"
    return "skilled" if rng.random() < 0.15 else "ordinary"


def _member(rng: random.Random, ids: _IdNumbers, person: _Person) -> dict:
    birth_date = _birth_date(rng, person.age)
    schooling, education_level = _school(rng, person.age)
    chronic, serious, disability_class = _health(rng, person.age)
    labour = _labour(rng, person.age, schooling is not None, chronic, serious, disability_class)
    months_worked = None
    if labour in LABOUR and rng.random() < (0.8 if labour != "weak" else 0.4):
        months_worked = rng.randint(3, 12) if labour != "weak" else rng.randint(1, 8)
    insurance = rng.random()
    if person.age < 16 or schooling is not None:
        pension = None
    else:
        pension = (PENSION_ELDERLY if person.age >= 60 else PENSION_ADULT).pick(rng)
    return {
        "name": person.surname + _given_name(rng, person.sex, person.age),
        **dict(zip(("birth_date", "id_number"), ids.allocate_near(rng, birth_date, person.age, person.sex))),
        "sex": person.sex,
        "ethnicity": person.ethnicity,
        "relation": person.relation,
        "education_level": education_level,
        "schooling": schooling,
        "chronic_illness": chronic,
        "serious_illness": serious,
        "disabled": disability_class is not None,
        "disability_class": disability_class,
        "labour_capacity": labour,
        "months_worked": months_worked,
        "work_location": WORK_LOCATION.pick(rng) if months_worked else None,
        "public_welfare_job": False,
        "residents_medical_insurance": insurance < 0.975,
        "employees_medical_insurance": 0.975 <= insurance < 0.995,
        "pension_insurance": pension,
        "minimum_living_allowance": False,
        "extreme_poverty_support": False,
    }


def _classify(rng: random.Random, members: list[dict]) -> dict:
    """Household type, sub-type, monitored category and the safety-net flags they imply."""
    without_labour = not any(member["labour_capacity"] in LABOUR for member in members)
    hardship = without_labour or any(member["serious_illness"] or member["disability_class"] in ("1", "2")
                                     for member in members)
    out_of_poverty = rng.random() < (0.45 if hardship else 0.21)
    subtype = None
    if out_of_poverty:
        if without_labour:
            subtype = (SUBTYPE_WITHOUT_LABOUR if len(members) <= 2 else SUBTYPE_WITHOUT_LABOUR_LARGE).pick(rng)
        else:
            subtype = "general" if rng.random() < 0.78 else "minimum_living"
    category = None
    if rng.random() < (0.06 if hardship else 0.025):
        if out_of_poverty:
            category = "unstable_out_of_poverty" if rng.random() < 0.8 else "sudden_hardship"
        else:
            category = "marginal" if rng.random() < 0.75 else "sudden_hardship"
    minimum_living = subtype == "minimum_living" or (category is not None and rng.random() < 0.3)
    for member in members:
        member["minimum_living_allowance"] = minimum_living
        member["extreme_poverty_support"] = subtype == "extreme_poverty"
        # Public-welfare jobs go to people with some labour in supported households, near home.
        if (out_of_poverty or category) and member["labour_capacity"] in LABOUR and rng.random() < 0.08:
            member.update(public_welfare_job=True, months_worked=12, work_location="within_county")
    return {
        "household_type": "out_of_poverty" if out_of_poverty else "ordinary",
        "poverty_subtype": subtype,
        "monitored_category": category,
        "without_labour": without_labour,
    }


def _households(rng: random.Random, plan: CountyPlan, count: int) -> Iterator[dict]:
    villages = [area for area in plan.areas if area.level == "village"]
    village_weights = _Weighted({village.code: rng.uniform(0.7, 1.3) for village in villages})
    group_weights = {
        village.code: _Weighted({area.code: rng.uniform(0.6, 1.4) for area in plan.areas
                                 if area.parent_code == village.code})
        for village in villages
    }
    serials = dict.fromkeys(group_weights, 0)
    width = max(4, len(str(count)))  # household number = village code + serial
    ids = _IdNumbers(COUNTY_CODE[:6])
    for _ in range(count):
        village = village_weights.pick(rng)
        serials[village] += 1
        members = [_member(rng, ids, person) for person in _roster(rng, HOUSEHOLD_SIZE.pick(rng))]
        yield {
            "household_number": f"{village}{serials[village]:0{width}d}",
            "village_code": village,
            "group_code": group_weights[village].pick(rng),
            "phone": (rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10 ** 8):08d}") if rng.random() < 0.93 else None,
            "relocation_site": rng.random() < 0.05,
            **_classify(rng, members),
            "members": members,
        }
