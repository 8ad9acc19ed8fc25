"""The roster's columns (花名册字段), defined once.

Each column has the Chinese header the national system exports (what import matches, whatever
the UI language; also a message id, so that an export can be headed in English), a few
aliases seen in county files, and an English header that is the model field name. Headers are matched
ignoring spaces, full/half-width brackets, case and a leading "*" (import templates mark
required columns that way). Columns the table does not know are ignored.

Pure module: no Flask, no database.
"""
from __future__ import annotations

from dataclasses import dataclass

from app import codes
from app.codes import N_, CodeSet
from app.files.cells import normalise_header

HOUSEHOLD = "household"
MEMBER = "member"

# How a cell is read; see app.roster.checks for the readers.
TEXT = "text"
ID_NUMBER = "id_number"
DATE = "date"
BOOL = "bool"
MONTHS = "months"
PHONE = "phone"
VILLAGE_CODE = "village_code"
GROUP_CODE = "group_code"
HEALTH = "health"
HOUSEHOLD_TYPE = "household_type"
CODE = "code"  # a value from the column's code set (app.codes)


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    level: str
    kind: str
    required: bool = False
    codes: CodeSet | None = None
    aliases: tuple[str, ...] = ()
    max_length: int | None = None

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.header, self.field, *self.aliases)


def _code(field, header, level, codeset, *, required=False, aliases=()) -> Column:
    return Column(field, header, level, CODE, required, codeset, aliases)


COLUMNS: tuple[Column, ...] = (
    # Household columns, repeated on each member row (or left blank after the first).
    Column("household_number", N_("户编号"), HOUSEHOLD, TEXT, True, aliases=("户号", "家庭编号"), max_length=32),
    Column("head_name", N_("户主姓名"), HOUSEHOLD, TEXT, aliases=("户主",)),
    Column("village_code", N_("所在村代码"), HOUSEHOLD, VILLAGE_CODE, True,
           aliases=("所在村", "村代码", "行政村代码", "所在村行政区划代码")),
    Column("group_code", N_("所在组代码"), HOUSEHOLD, GROUP_CODE, aliases=("所在组", "村民小组代码", "组代码")),
    Column("phone", N_("联系电话"), HOUSEHOLD, PHONE, aliases=("电话", "手机号码", "联系方式")),
    Column("household_type", N_("户类型"), HOUSEHOLD, HOUSEHOLD_TYPE, True, aliases=("农户类型",)),
    _code("poverty_subtype", N_("脱贫户属性"), HOUSEHOLD, codes.POVERTY_SUBTYPE, aliases=("脱贫户类型", "脱贫属性")),
    # What the national system already decided: read to enter its identifications through the
    # monitoring lifecycle (app.roster.plan), never written onto the household by the import.
    _code("monitored_category", N_("监测对象类别"), HOUSEHOLD, codes.MONITORED_CATEGORY,
          aliases=("监测对象类型", "监测类型")),
    Column("monitored_since", N_("纳入监测时间"), HOUSEHOLD, DATE,
           aliases=("识别时间", "监测对象识别时间", "纳入监测日期", "识别日期")),
    Column("without_labour", N_("整户无劳动能力"), HOUSEHOLD, BOOL, aliases=("是否整户无劳动能力",)),
    Column("relocation_site", N_("易地搬迁"), HOUSEHOLD, BOOL,
           aliases=("是否易地搬迁", "易地搬迁安置户", "是否易地扶贫搬迁", "易地扶贫搬迁")),
    # Member columns.
    Column("name", N_("姓名"), MEMBER, TEXT, True, aliases=("成员姓名",), max_length=50),
    Column("id_number", N_("证件号码"), MEMBER, ID_NUMBER, True,
           aliases=("身份证号", "身份证号码", "公民身份号码", "证件号", "身份证件号码")),
    _code("relation", N_("与户主关系"), MEMBER, codes.RELATION, required=True),
    _code("sex", N_("性别"), MEMBER, codes.SEX),
    Column("birth_date", N_("出生日期"), MEMBER, DATE),
    _code("ethnicity", N_("民族"), MEMBER, codes.ETHNICITY, required=True),
    _code("education_level", N_("文化程度"), MEMBER, codes.EDUCATION_LEVEL),
    _code("schooling", N_("在校生状况"), MEMBER, codes.SCHOOLING, aliases=("在校生情况",)),
    Column("health", N_("健康状况"), MEMBER, HEALTH),
    _code("disability_class", N_("残疾等级"), MEMBER, codes.DISABILITY_CLASS),
    _code("labour_capacity", N_("劳动技能"), MEMBER, codes.LABOUR_CAPACITY, required=True,
          aliases=("劳动能力",)),
    Column("months_worked", N_("务工时间（月）"), MEMBER, MONTHS, aliases=("务工时间", "务工月数")),
    _code("work_location", N_("务工地点"), MEMBER, codes.WORK_LOCATION, aliases=("务工所在地",)),
    Column("public_welfare_job", N_("是否公益性岗位"), MEMBER, BOOL, aliases=("公益性岗位",)),
    Column("residents_medical_insurance", N_("城乡居民基本医疗保险"), MEMBER, BOOL,
           aliases=("是否参加城乡居民基本医疗保险",)),
    Column("employees_medical_insurance", N_("职工基本医疗保险"), MEMBER, BOOL,
           aliases=("是否参加职工基本医疗保险", "城镇职工基本医疗保险")),
    _code("pension_insurance", N_("养老保险"), MEMBER, codes.PENSION_INSURANCE, aliases=("参加养老保险情况",)),
    Column("minimum_living_allowance", N_("是否享受低保"), MEMBER, BOOL, aliases=("享受低保", "低保")),
    Column("extreme_poverty_support", N_("是否特困供养"), MEMBER, BOOL, aliases=("特困供养",)),
)

BY_FIELD = {column.field: column for column in COLUMNS}


_BY_SPELLING = {normalise_header(spelling): column for column in COLUMNS for spelling in column.spellings}


def column_for(header: object) -> Column | None:
    """The column a file header names, or None when the roster does not use it."""
    return _BY_SPELLING.get(normalise_header(header))
