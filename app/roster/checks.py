"""Reading roster rows into households and members, with every problem the file alone shows.

Rows in, ``Parsed`` out: typed values per household and member, and a ``Problem`` for each
bad cell or row (row number as the spreadsheet shows it, header = row 1; column as the file
names it). Checks that need the database (village codes, IDs already registered) are in
app.roster.plan. Every problem is reported, not just the first.

Household columns repeat on each member row; a blank in a later row of the same household
means "same as above" (merged cells read as blanks), a different value is a problem.

Pure module: no Flask, no database. Reasons are message ids translated when shown.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from app import clock, identity
from app.codes import HEALTH_CONDITION, HEALTHY_LABEL, HOUSEHOLD_TYPE, N_, POVERTY_SUBTYPE, SEX
from app.files import cells as cell_readers
from app.files.cells import Bad, Msgid, Problem
from app.files.sheets import Sheet
from app.roster import columns as c
from app.typed import DIGITS, compact


@dataclass
class MemberRow:
    row: int
    values: dict  # model field → parsed value, for the member columns the file has
    cells: dict  # model field → cell text, to quote in problems


@dataclass
class HouseholdDraft:
    number: str
    first_row: int
    values: dict = field(default_factory=dict)  # field → parsed value, first non-blank in the household
    sources: dict = field(default_factory=dict)  # field → (row, cell text) the value came from
    given: set = field(default_factory=set)  # household fields with text in some row, readable or not
    members: list[MemberRow] = field(default_factory=list)


@dataclass
class Parsed:
    headers: dict[str, str]  # model field → header as the file spells it
    ignored_columns: list[str]
    rows_read: int
    households: dict[str, HouseholdDraft]
    problems: list[Problem]

    def header(self, field_name: str) -> str:
        return self.headers.get(field_name) or c.BY_FIELD[field_name].header

    def has(self, field_name: str) -> bool:
        return field_name in self.headers

    @property
    def person_keys(self) -> list[str]:
        """Who the file names (identity.person_key of every readable ID number)."""
        return [identity.person_key(m.values["id_number"]) for h in self.households.values() for m in h.members
                if m.values.get("id_number")]


# --- cell readers: text in, value out (or Bad) ---------------------------------------------
# Numbers and codes are read as app/typed.py says (full-width digits read, spaces removed,
# ASCII digits only, so Python's int() never sees another script's digits); ID numbers and
# dates as app.files.cells reads them, for every uploaded table.

HEALTH_SEPARATORS = re.compile(r"[、,，;；/\s]+")
COMBINED_TYPE = re.compile(r"^(.+?)[(（](.+)[)）]$")
TRUE_WORDS = {"是", "有", "y", "yes", "true", "1", "√"}
FALSE_WORDS = {"否", "无", "n", "no", "false", "0", "×"}
HEALTHY_WORDS = {HEALTHY_LABEL, "healthy", "none"}
LONG_CODE_LIST = 20
SEX_LABELS = {code.value: code.source_label for code in SEX.codes}


def read_text(column: c.Column, text: str) -> str:
    if column.max_length and len(text) > column.max_length:
        raise Bad(N_("不能超过 %(max)s 个字符"), max=column.max_length)
    return text


def read_id_number(column: c.Column, text: str) -> str:
    return cell_readers.id_number(text)


def read_date(column: c.Column, text: str) -> dt.date:
    return cell_readers.date(text)


def read_bool(column: c.Column, text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise Bad(N_("请填写“是”或“否”"))


def read_months(column: c.Column, text: str) -> int:
    months = compact(text)
    if not DIGITS.fullmatch(months) or int(months) > 12:
        raise Bad(N_("务工时间应为 0 到 12 之间的整数（月）"))
    return int(months)


def read_phone(column: c.Column, text: str) -> str:
    digits = compact(text).replace("-", "")
    if not (len(digits) == 11 and DIGITS.fullmatch(digits)):
        raise Bad(N_("联系电话应为 11 位数字"))
    return digits


def read_village_code(column: c.Column, text: str) -> str:
    code = compact(text)
    if not (len(code) == 12 and DIGITS.fullmatch(code)):
        raise Bad(N_("村代码应为 12 位数字"))
    return code


def read_group_code(column: c.Column, text: str) -> str:
    """A 15-digit group code, or just the 3-digit group number (completed with the village code)."""
    code = compact(text)
    if not (DIGITS.fullmatch(code) and (len(code) == 15 or len(code) <= 3)):
        raise Bad(N_("组代码应为 15 位数字（村代码加 3 位组号），或只写组号"))
    return code


def read_health(column: c.Column, text: str) -> tuple[str, ...]:
    conditions = []
    healthy = False
    for part in filter(None, HEALTH_SEPARATORS.split(text)):
        if part.lower() in HEALTHY_WORDS:
            healthy = True
            continue
        condition = HEALTH_CONDITION.parse(part)
        if condition is None:
            labels = [HEALTHY_LABEL, *(code.source_label for code in HEALTH_CONDITION.codes)]
            raise Bad(N_("“%(part)s”不是可用的值，可填：%(accepted)s（可用顿号组合）"), part=part,
                      accepted="、".join(labels))
        conditions.append(condition)
    if healthy and conditions:
        raise Bad(N_("健康状况不能同时填写“健康”和疾病或残疾"))
    return tuple(sorted(set(conditions)))


def read_household_type(column: c.Column, text: str) -> tuple[str, str | None]:
    """(type, sub-type named in the same cell): "脱贫户", "脱贫户（低保）" or "低保脱贫户"."""
    household_type = HOUSEHOLD_TYPE.parse(text)
    if household_type:
        return household_type, None
    subtype = POVERTY_SUBTYPE.parse(text)
    if subtype:
        return "out_of_poverty", subtype
    match = COMBINED_TYPE.match(text)
    if match and HOUSEHOLD_TYPE.parse(match[1]) == "out_of_poverty" and POVERTY_SUBTYPE.parse(match[2]):
        return "out_of_poverty", POVERTY_SUBTYPE.parse(match[2])
    raise Bad(N_("不是可用的值，可填：%(accepted)s"), accepted="、".join(
        ["一般农户", "脱贫户（一般）", "脱贫户（低保）", "脱贫户（特困供养）"]))


def read_code(column: c.Column, text: str) -> str:
    value = column.codes.parse(text)
    if value is None:
        labels = [code.source_label for code in column.codes.codes]
        if len(labels) > LONG_CODE_LIST:
            raise Bad(N_("不是可用的值，请填写标准名称，如“%(example)s”"), example=labels[0])
        raise Bad(N_("不是可用的值，可填：%(accepted)s"), accepted="、".join(labels))
    return value


READERS = {
    c.TEXT: read_text, c.ID_NUMBER: read_id_number, c.DATE: read_date, c.BOOL: read_bool,
    c.MONTHS: read_months, c.PHONE: read_phone, c.VILLAGE_CODE: read_village_code,
    c.GROUP_CODE: read_group_code, c.HEALTH: read_health, c.HOUSEHOLD_TYPE: read_household_type, c.CODE: read_code,
}


# --- the file ------------------------------------------------------------------------------

def parse(sheet: Sheet, count: Callable[[Iterable], Iterable] = iter) -> Parsed:
    """The file's rows read and checked; ``count`` sees each row go by (a job's progress)."""
    headers, positions, ignored, problems = _match_headers(sheet.headers)
    parsed = Parsed(headers, ignored, len(sheet.rows), {}, problems)
    if any(problem.row is None for problem in problems):  # a required column is missing: rows cannot be read
        return parsed

    first_row_of_person: dict[str, tuple[int, str]] = {}  # person key → (row, ID number)
    for row, cells in count(sheet.rows):
        raw = {name: (cells[index] if index < len(cells) else None) for name, index in positions.items()}
        values = _read_row(parsed, row, raw)
        number = values.get("household_number")
        if number is None:
            continue
        household = parsed.households.get(number)
        if household is None:
            household = parsed.households[number] = HouseholdDraft(number, row)
        household.given.update(name for name, text in raw.items() if text is not None)
        _merge_household_values(parsed, household, row, raw, values)
        member = MemberRow(row, {k: v for k, v in values.items() if c.BY_FIELD[k].level == c.MEMBER},
                           {k: v for k, v in raw.items() if c.BY_FIELD[k].level == c.MEMBER})
        _check_against_id(parsed, member)
        id_number = member.values.get("id_number")
        if id_number:
            first_row, first_number = first_row_of_person.setdefault(identity.person_key(id_number),
                                                                     (row, id_number))
            if first_row != row:
                message = N_("证件号码与第 %(first_row)s 行重复") if first_number == id_number \
                    else N_("与第 %(first_row)s 行是同一人（证件号码前 18 位相同）")
                _problem(parsed, row, "id_number", raw["id_number"], message, first_row=first_row)
        household.members.append(member)

    for household in parsed.households.values():
        _check_household(parsed, household)
    return parsed


def _match_headers(headers: list[str]):
    names: dict[str, str] = {}
    positions: dict[str, int] = {}
    ignored: list[str] = []
    problems: list[Problem] = []
    for index, header in enumerate(headers):
        column = c.column_for(header)
        if column is None:
            if header:
                ignored.append(header)
        elif column.field in names:
            problems.append(Problem(1, header, None, N_("与“%(other)s”列是同一项，请只保留一列"),
                                    {"other": names[column.field]}))
        else:
            names[column.field] = header
            positions[column.field] = index
    for column in c.COLUMNS:
        if column.required and column.field not in names:
            problems.append(Problem(None, column.header, None, N_("缺少必填列“%(column)s”（英文列名 %(field)s）"),
                                    {"column": column.header, "field": column.field}))
    return names, positions, ignored, problems


def _problem(parsed: Parsed, row: int | None, field_name: str, value, message: str, **params) -> None:
    parsed.problems.append(Problem(row, parsed.header(field_name), value, message, params))


def _read_row(parsed: Parsed, row: int, raw: dict) -> dict:
    """Typed values of the non-blank cells; a problem for each cell that cannot be read."""
    values = {}
    for name, text in raw.items():
        column = c.BY_FIELD[name]
        if text is None:
            # Household cells may be blank after a household's first row; checked per household.
            if (column.required and column.level == c.MEMBER) or name == "household_number":
                _problem(parsed, row, name, None, N_("必填项为空"))
            continue
        try:
            values[name] = READERS[column.kind](column, text)
        except Bad as bad:
            _problem(parsed, row, name, text, bad.message, **bad.params)
    return values


def _merge_household_values(parsed: Parsed, household: HouseholdDraft, row: int, raw: dict, values: dict) -> None:
    for name, value in values.items():
        if c.BY_FIELD[name].level != c.HOUSEHOLD or name == "household_number":
            continue
        if name not in household.values:
            household.values[name] = value
            household.sources[name] = (row, raw[name])
        elif household.values[name] != value:
            first_row, first_text = household.sources[name]
            _problem(parsed, row, name, raw[name], N_("与本户第 %(first_row)s 行的“%(first)s”不一致"),
                     first_row=first_row, first=first_text)


def _check_against_id(parsed: Parsed, member: MemberRow) -> None:
    """Sex and birth date, when given, must agree with the ID number; when absent they come from it."""
    id_number = member.values.get("id_number")
    if not id_number:
        return
    resident = identity.parse(id_number, clock.today())
    sex = member.values.get("sex")
    if sex and sex != resident.sex:
        _problem(parsed, member.row, "sex", member.cells["sex"], N_("性别与证件号码不符（证件号码显示为%(sex)s）"),
                 sex=Msgid(SEX_LABELS[resident.sex]))
    birth_date = member.values.get("birth_date")
    if birth_date and birth_date != resident.birth_date:
        _problem(parsed, member.row, "birth_date", member.cells["birth_date"],
                 N_("出生日期与证件号码不符（证件号码显示为 %(date)s）"), date=resident.birth_date.isoformat())
    member.values["sex"] = resident.sex
    member.values["birth_date"] = resident.birth_date


def _check_household(parsed: Parsed, household: HouseholdDraft) -> None:
    values = household.values
    for column in c.COLUMNS:
        if column.level == c.HOUSEHOLD and column.required and column.field not in household.given:
            _problem(parsed, household.first_row, column.field, None, N_("必填项为空"))

    household_type, named_subtype = values.get("household_type") or (None, None)
    subtype = values.get("poverty_subtype")
    if named_subtype and subtype and named_subtype != subtype:
        row, text = household.sources["poverty_subtype"]
        _problem(parsed, row, "poverty_subtype", text, N_("与户类型中注明的“%(subtype)s”不一致"),
                 subtype=household.sources["household_type"][1])
    subtype = subtype or named_subtype
    if household_type == "out_of_poverty" and not subtype:
        row, text = household.sources["household_type"]
        _problem(parsed, row, "household_type", text, N_("脱贫户须注明脱贫户属性（一般、低保或特困供养）"))
    if household_type == "ordinary" and subtype:
        row, text = household.sources["poverty_subtype"]
        _problem(parsed, row, "poverty_subtype", text, N_("一般农户不填脱贫户属性"))
    if household_type:
        values["household_type"] = household_type
        values["poverty_subtype"] = subtype if household_type == "out_of_poverty" else None
