"""What importing a roster would do, and the problems that need the database to see.

``build(parsed, facts)`` takes the rows read by app.roster.checks and plain facts loaded
from the database (known villages and groups, the admin's scope, the stored households and
members the file names) and returns a ``Plan``: rows to insert and update, counts, and
every problem. The import applies a plan only when it has no problems.

What must always hold:
- keyed by household number and person (identity.person_key: an ID number and the
  disability certificate number starting with it are one person, who may be in one
  household only): a stored row is updated only when a value the file gives differs, so
  importing the same file twice writes nothing the second time;
- a column the file does not have leaves the stored value alone (a new row gets the default);
- members stored but absent from the file are left alone and counted as "not in file";
  they still count towards their household's head and spouse;
- the import never writes identification state: a household the file lists as monitored
  (监测对象类别, 纳入监测时间) enters the monitoring lifecycle as the national system's
  identification (``national_entries``) only when the lifecycle has decided nothing about it
  (not monitored here, no proposal); otherwise the file's category is ignored ("kept").

Pure module: no Flask, no database.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from app import identity
from app.codes import CATEGORY_HOUSEHOLD_TYPES, HOUSEHOLD_TYPE, MONITORED_CATEGORY, N_
from app.files.cells import Msgid, Problem
from app.roster.checks import HouseholdDraft, MemberRow, Parsed

HOUSEHOLD_DEFAULTS = {
    "village_id": None, "group_id": None, "phone": None, "household_type": None, "poverty_subtype": None,
    "without_labour": False, "relocation_site": False,
}
MEMBER_DEFAULTS = {
    "name": None, "sex": None, "birth_date": None, "ethnicity": "01", "relation": None, "education_level": None,
    "schooling": None, "chronic_illness": False, "serious_illness": False, "disabled": False,
    "disability_class": None, "labour_capacity": None, "months_worked": None, "work_location": None,
    "public_welfare_job": False, "residents_medical_insurance": False, "employees_medical_insurance": False,
    "pension_insurance": None, "minimum_living_allowance": False, "extreme_poverty_support": False,
}
HOUSEHOLD_FIELDS = tuple(HOUSEHOLD_DEFAULTS)
MEMBER_FIELDS = tuple(MEMBER_DEFAULTS)
# A stored member's ID number follows the file: the certificate number may replace the ID number.
MEMBER_UPDATED = ("id_number", *MEMBER_FIELDS)
HEALTH_FLAGS = ("chronic_illness", "serious_illness", "disabled")
# Columns the file may lack: the model fields each one sets.
OPTIONAL_HOUSEHOLD_COLUMNS = {"group_code": ("group_id",), "phone": ("phone",), "without_labour": ("without_labour",),
                              "relocation_site": ("relocation_site",)}
ALWAYS_SET_MEMBER = ("name", "sex", "birth_date", "ethnicity", "relation", "labour_capacity")


@dataclass(frozen=True)
class Facts:
    villages: dict[str, int]  # village code → area id
    groups: dict[str, tuple[int, int]]  # group code → (area id, its village's area id)
    covers: Callable[[int, int | None], bool] | None  # the admin's scope; None: every village
    households: dict[str, dict]  # household number → stored values (HOUSEHOLD_FIELDS and id)
    # person key → stored values (MEMBER_FIELDS, id, id_number, household_number, village_id, group_id)
    members: dict[str, dict]
    households_in_scope: int = 0
    members_in_scope: int = 0
    # household numbers whose monitoring the lifecycle decided or is deciding (monitored here,
    # or with a proposal): the file's monitored category never changes them
    monitoring_decided: frozenset[str] = frozenset()
    today: dt.date | None = None  # a later identification date is a problem


@dataclass
class Counts:
    rows_read: int = 0
    households_new: int = 0
    households_changed: int = 0
    households_unchanged: int = 0
    households_not_in_file: int = 0
    members_new: int = 0
    members_changed: int = 0
    members_unchanged: int = 0
    members_not_in_file: int = 0
    monitored_entered: int = 0  # listed as monitored by the national system, entering the lifecycle now
    monitored_kept: int = 0  # listed as monitored, but the lifecycle here decides: left as it is


@dataclass(frozen=True)
class NationalEntry:
    """A household the national system identified as monitored, in ``category`` since ``since``."""

    household_number: str
    category: str
    since: dt.date


@dataclass
class Plan:
    counts: Counts
    problems: list[Problem]
    ignored_columns: list[str]
    household_inserts: list[dict] = field(default_factory=list)  # household_number and HOUSEHOLD_FIELDS
    household_updates: list[dict] = field(default_factory=list)  # id and HOUSEHOLD_FIELDS
    # (household number, id_number and MEMBER_FIELDS)
    member_inserts: list[tuple[str, dict]] = field(default_factory=list)
    member_updates: list[dict] = field(default_factory=list)  # id and MEMBER_UPDATED
    stored_household_ids: dict[str, int] = field(default_factory=dict)  # household number → id, for member inserts
    national_entries: list[NationalEntry] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def build(parsed: Parsed, facts: Facts) -> Plan:
    plan = Plan(Counts(rows_read=parsed.rows_read), list(parsed.problems), parsed.ignored_columns)
    if not parsed.households:
        return plan
    in_file = set(parsed.person_keys)
    stored_absent: dict[str, list[dict]] = defaultdict(list)  # stored members absent from the file
    for key, stored in facts.members.items():
        if key not in in_file:
            stored_absent[stored["household_number"]].append(stored)

    matched_households = matched_members = 0
    for household in parsed.households.values():
        stored = facts.households.get(household.number)
        if stored and facts.covers and not facts.covers(stored["village_id"], stored["group_id"]):
            _add(plan, parsed, household.first_row, "household_number", household.number,
                 N_("该户编号已被您负责范围以外的农户使用"))
        values = _household_values(plan, parsed, household, facts)
        _national_monitoring(plan, parsed, household, values["household_type"], facts)
        if stored is None:
            plan.household_inserts.append({"household_number": household.number, **values})
            plan.counts.households_new += 1
        else:
            plan.stored_household_ids[household.number] = stored["id"]
            if facts.covers is None or facts.covers(stored["village_id"], stored["group_id"]):
                matched_households += 1
            if any(stored[name] != value for name, value in values.items()):
                plan.household_updates.append({"id": stored["id"], **values})
                plan.counts.households_changed += 1
            else:
                plan.counts.households_unchanged += 1

        merged_members = []
        for member in household.members:
            merged, stored_member = _member_values(plan, parsed, household, member, facts)
            merged_members.append((member, merged))
            if stored_member is None:
                plan.member_inserts.append((household.number, merged))
                plan.counts.members_new += 1
                continue
            if facts.covers is None or facts.covers(stored_member["village_id"], stored_member["group_id"]):
                matched_members += 1
            if any(stored_member[name] != merged[name] for name in MEMBER_UPDATED):
                plan.member_updates.append({"id": stored_member["id"], **{n: merged[n] for n in MEMBER_UPDATED}})
                plan.counts.members_changed += 1
            else:
                plan.counts.members_unchanged += 1
        _check_composition(plan, parsed, household, merged_members, stored_absent.get(household.number, []))

    plan.counts.households_not_in_file = facts.households_in_scope - matched_households
    plan.counts.members_not_in_file = facts.members_in_scope - matched_members
    order = {header: index for index, header in enumerate(parsed.headers.values())}
    plan.problems.sort(key=lambda p: (p.row or 0, order.get(p.column, len(order))))
    return plan


def _add(plan: Plan, parsed: Parsed, row: int | None, field_name: str, value, message: str, **params) -> None:
    plan.problems.append(Problem(row, parsed.header(field_name), value, message, params))


def _household_values(plan: Plan, parsed: Parsed, household: HouseholdDraft, facts: Facts) -> dict:
    """The values the file sets for this household (only fields whose column the file has)."""
    given = household.values
    village_id, group_id = _place(plan, parsed, household, facts)
    values = {"village_id": village_id, "household_type": given.get("household_type"),
              "poverty_subtype": given.get("poverty_subtype")}
    for column, fields in OPTIONAL_HOUSEHOLD_COLUMNS.items():
        if parsed.has(column):
            for name in fields:
                values[name] = group_id if name == "group_id" else given.get(name, HOUSEHOLD_DEFAULTS[name])
    stored = facts.households.get(household.number)
    base = dict(HOUSEHOLD_DEFAULTS) if stored is None else {name: stored[name] for name in HOUSEHOLD_FIELDS}
    return {**base, **values}


def _national_monitoring(plan: Plan, parsed: Parsed, household: HouseholdDraft, household_type: str | None,
                         facts: Facts) -> None:
    """A household the file lists as monitored: a national entry, when the lifecycle here has
    decided nothing about it, with its identification date and a category fitting its type."""
    category = household.values.get("monitored_category")
    if category is None:
        return
    if household.number in facts.monitoring_decided:
        plan.counts.monitored_kept += 1
        return
    row, text = household.sources["monitored_category"]
    fits = CATEGORY_HOUSEHOLD_TYPES[category]
    if household_type is not None and household_type not in fits:
        _add(plan, parsed, row, "monitored_category", text, N_("%(category)s只适用于%(types)s，该户是%(type)s"),
             category=Msgid(MONITORED_CATEGORY.source_label(category)),
             types=Msgid("、".join(HOUSEHOLD_TYPE.source_label(kind) for kind in fits)),
             type=Msgid(HOUSEHOLD_TYPE.source_label(household_type)))
        return
    since = household.values.get("monitored_since")
    if since is None:
        if "monitored_since" not in household.given:  # an unreadable date is reported where it is read
            _add(plan, parsed, household.first_row, "monitored_since", None,
                 N_("监测对象须填写纳入监测时间（全国系统中的识别日期）"))
        return
    if facts.today is not None and since > facts.today:
        since_row, since_text = household.sources["monitored_since"]
        _add(plan, parsed, since_row, "monitored_since", since_text, N_("纳入监测时间不能晚于今天"))
        return
    plan.national_entries.append(NationalEntry(household.number, category, since))
    plan.counts.monitored_entered += 1


def _place(plan: Plan, parsed: Parsed, household: HouseholdDraft, facts: Facts) -> tuple[int | None, int | None]:
    """The village and group area ids for the household's codes, with a problem for each bad code."""
    code = household.values.get("village_code")
    if code is None:
        return None, None
    row, text = household.sources["village_code"]
    village_id = facts.villages.get(code)
    if village_id is None:
        _add(plan, parsed, row, "village_code", text, N_("系统中没有这个村代码，请核对行政区划代码"))
        return None, None
    group_id = None
    group_code = household.values.get("group_code")
    if group_code is not None:
        group_row, group_text = household.sources["group_code"]
        full_code = group_code if len(group_code) == 15 else code + group_code.zfill(3)
        group = facts.groups.get(full_code)
        if group is None or group[1] != village_id:
            _add(plan, parsed, group_row, "group_code", group_text, N_("所填的村下没有这个组"))
        else:
            group_id = group[0]
    if facts.covers and not facts.covers(village_id, group_id):
        _add(plan, parsed, row, "village_code", text, N_("该村不在您负责的范围内"))
    return village_id, group_id


def _member_values(plan: Plan, parsed: Parsed, household: HouseholdDraft, member: MemberRow,
                   facts: Facts) -> tuple[dict, dict | None]:
    """The member as it would be stored (file values over stored ones), and the stored member if any."""
    given = member.values
    id_number = given.get("id_number")
    stored = facts.members.get(identity.person_key(id_number)) if id_number else None
    if stored and stored["household_number"] != household.number:
        in_scope = facts.covers is None or facts.covers(stored["village_id"], stored["group_id"])
        if in_scope:
            _add(plan, parsed, member.row, "id_number", member.cells["id_number"],
                 N_("该证件号码已登记在另一户（户编号 %(number)s）"), number=stored["household_number"])
        else:
            _add(plan, parsed, member.row, "id_number", member.cells["id_number"],
                 N_("该证件号码已登记在您负责范围以外的另一户"))

    values = {name: given.get(name, MEMBER_DEFAULTS[name]) for name in ALWAYS_SET_MEMBER}
    for name in MEMBER_FIELDS:
        if name not in values and name not in HEALTH_FLAGS and parsed.has(name):
            values[name] = given.get(name, MEMBER_DEFAULTS[name])
    if parsed.has("health"):
        conditions = given.get("health", ())
        values.update({flag: flag in conditions for flag in HEALTH_FLAGS})
    base = dict(MEMBER_DEFAULTS) if stored is None else {name: stored[name] for name in MEMBER_FIELDS}
    merged = {**base, **values, "id_number": id_number}
    _check_member(plan, parsed, member, merged)
    return merged, stored


def _check_member(plan: Plan, parsed: Parsed, member: MemberRow, merged: dict) -> None:
    """Rules across fields, on the member as it would be stored (a file may give only some columns)."""
    def column(*names: str) -> str:
        return next((name for name in names if parsed.has(name)), names[-1])

    if merged["education_level"] and merged["schooling"]:
        name = column("schooling", "education_level")
        _add(plan, parsed, member.row, name, member.cells.get(name), N_("文化程度与在校生状况只能填写一项"))
    if merged["disability_class"] and not merged["disabled"]:
        name = column("disability_class", "health")
        _add(plan, parsed, member.row, name, member.cells.get(name), N_("填写了残疾等级，但健康状况中没有残疾"))
    if merged["residents_medical_insurance"] and merged["employees_medical_insurance"]:
        name = column("employees_medical_insurance", "residents_medical_insurance")
        _add(plan, parsed, member.row, name, member.cells.get(name),
             N_("城乡居民基本医疗保险与职工基本医疗保险只能参加一项"))


def _check_composition(plan: Plan, parsed: Parsed, household: HouseholdDraft,
                       members: list[tuple[MemberRow, dict]], stored_absent: list[dict]) -> None:
    """Exactly one head, at most one spouse, of the other sex; 户主姓名 is the head's name."""
    people = [(member.row, values) for member, values in members] + [(None, stored) for stored in stored_absent]
    heads = [(row, values) for row, values in people if values["relation"] == "head"]
    spouses = [(row, values) for row, values in people if values["relation"] == "spouse"]
    relation_rows = {member.row: member.cells.get("relation") for member, _ in members}

    if not heads:
        _add(plan, parsed, household.first_row, "relation", None, N_("本户（户编号 %(number)s）没有户主"),
             number=household.number)
    for group, message in (
        (heads, (N_("本户已有户主（第 %(first_row)s 行）"), N_("本户在系统中已有户主%(name)s，此人不在本文件中"))),
        (spouses, (N_("本户已有配偶（第 %(first_row)s 行）"), N_("本户在系统中已有配偶%(name)s，此人不在本文件中"))),
    ):
        in_file = [row for row, _ in group if row is not None]
        for row in in_file[1:]:
            _add(plan, parsed, row, "relation", relation_rows[row], message[0], first_row=in_file[0])
        if in_file:
            for _, stored in (entry for entry in group if entry[0] is None):
                _add(plan, parsed, in_file[0], "relation", relation_rows[in_file[0]], message[1], name=stored["name"])

    if len(heads) == 1 and len(spouses) == 1 and heads[0][1]["sex"] == spouses[0][1]["sex"]:
        row = spouses[0][0] or heads[0][0]
        if row is not None:
            _add(plan, parsed, row, "relation", relation_rows[row], N_("户主与配偶性别相同"))
    head_name = household.values.get("head_name")
    if head_name and len(heads) == 1 and heads[0][1]["name"] != head_name:
        row, text = household.sources["head_name"]
        _add(plan, parsed, row, "head_name", text, N_("户主姓名与户主本人的姓名“%(name)s”不一致"),
             name=heads[0][1]["name"])
