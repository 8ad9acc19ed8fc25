"""The pure parts of roster import: headers, cells, household rules and the plan, without a database."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from app import identity
from app.files import sheets
from app.roster import checks, columns, plan
from tests.data.roster.builders import household, person, sample_roster, sheet_of

VILLAGE_A, VILLAGE_B = "530102100201", "530102100202"
FACTS = plan.Facts(villages={VILLAGE_A: 1, VILLAGE_B: 2}, groups={VILLAGE_A + "001": (11, 1)}, covers=None,
                   households={}, members={})


def reasons(problems) -> set[tuple]:
    """(row, column, reason in Chinese): the message id is the Chinese text, so no catalog is needed."""
    return {(p.row, p.column, p.message % p.params) for p in problems}


def build(rows, facts=FACTS) -> plan.Plan:
    return plan.build(checks.parse(sheet_of(rows)), facts)


@pytest.mark.parametrize("header", ["户编号", " 户 编号 ", "*户编号", "household_number", "HOUSEHOLD_NUMBER", "户号"])
def test_header_spellings_match_the_same_column(header):
    assert columns.column_for(header).field == "household_number"


def test_brackets_of_either_width_match():
    assert columns.column_for("务工时间(月)").field == columns.column_for("务工时间（月）").field == "months_worked"


def test_no_spelling_names_two_columns():
    spellings = [columns.normalise_header(s) for column in columns.COLUMNS for s in column.spellings]
    assert len(spellings) == len(set(spellings))


def test_unknown_headers_are_ignored_and_a_repeated_column_is_a_problem():
    rows = household("H1", VILLAGE_A, [person("甲", "户主", "男", dt.date(1970, 1, 1), 备注="x")])
    sheet = sheet_of(rows)
    sheet.headers.append("身份证号")
    for _, cells in sheet.rows:
        cells.append(cells[sheet.headers.index("证件号码")])

    parsed = checks.parse(sheet)

    assert parsed.ignored_columns == ["备注"]
    assert reasons(parsed.problems) == {(1, "身份证号", "与“证件号码”列是同一项，请只保留一列")}


@pytest.mark.parametrize("value, expected", [
    (None, None), (True, "是"), (False, "否"), (42, "42"), (13800138000.0, "13800138000"),
    (5.30102198005170e17, "5.3010219800517E+17"), (dt.datetime(1980, 5, 17), "1980-05-17"),
    (dt.date(1980, 5, 17), "1980-05-17"), ("  text ", "text"), ("   ", None),
])
def test_excel_cells_become_text(value, expected):
    assert sheets.cell_text(value) == expected


@pytest.mark.parametrize("text", ["1980-05-17", "1980/5/17", "1980.05.17", "19800517", "1980年5月17日",
                                  "1980-05-17 00:00:00"])
def test_dates_in_the_usual_spellings(text):
    assert checks.read_date(columns.BY_FIELD["birth_date"], text) == dt.date(1980, 5, 17)


@pytest.mark.parametrize("text", ["1980-02-30", "17/05/1980", "May 1980"])
def test_bad_dates(text):
    with pytest.raises(checks.Bad):
        checks.read_date(columns.BY_FIELD["birth_date"], text)


@pytest.mark.parametrize("text, expected", [("是", True), ("否", False), ("Y", True), ("no", False), ("1", True)])
def test_yes_no(text, expected):
    assert checks.read_bool(columns.BY_FIELD["without_labour"], text) is expected


@pytest.mark.parametrize("text, expected", [
    ("健康", ()), ("长期慢性病", ("chronic_illness",)), ("长期慢性病、残疾", ("chronic_illness", "disabled")),
    ("残疾,患有大病", ("disabled", "serious_illness")), ("chronic_illness", ("chronic_illness",)),
])
def test_health_is_combinable(text, expected):
    assert checks.read_health(columns.BY_FIELD["health"], text) == expected


@pytest.mark.parametrize("text, message", [
    ("健康、残疾", "健康状况不能同时填写“健康”和疾病或残疾"),
    ("长期慢性病、感冒", "“%(part)s”不是可用的值，可填：%(accepted)s（可用顿号组合）"),
])
def test_bad_health(text, message):
    with pytest.raises(checks.Bad) as bad:
        checks.read_health(columns.BY_FIELD["health"], text)
    assert bad.value.message == message


@pytest.mark.parametrize("text, expected", [
    ("一般农户", ("ordinary", None)), ("脱贫户", ("out_of_poverty", None)),
    ("脱贫户（低保）", ("out_of_poverty", "minimum_living")), ("脱贫户(特困供养)", ("out_of_poverty", "extreme_poverty")),
    ("一般脱贫户", ("out_of_poverty", "general")), ("out_of_poverty", ("out_of_poverty", None)),
])
def test_household_type_with_its_sub_type(text, expected):
    assert checks.read_household_type(columns.BY_FIELD["household_type"], text) == expected


@pytest.mark.parametrize("text", ["贫困户", "一般农户（低保）"])
def test_unknown_household_type(text):
    with pytest.raises(checks.Bad):
        checks.read_household_type(columns.BY_FIELD["household_type"], text)


@pytest.mark.parametrize("text, reason", [
    ("11010519491231002", "证件号码应为 18 位（残疾人证号为 20 位）"),
    ("11010519491231002Y", "证件号码只能是数字，最后一位可以是 X"),
    ("110105194913310029", "证件号码中的出生日期不存在"),
    ("110105194912310021", "证件号码校验位不对，请核对是否录错"),
    ("1.10105194912310E+17", "证件号码在 Excel 中被存成了数字，末尾几位已丢失；请把该列设为文本格式后重新导出"),
])
def test_each_kind_of_bad_id_has_its_own_reason(text, reason):
    with pytest.raises(checks.Bad) as bad:
        checks.read_id_number(columns.BY_FIELD["id_number"], text)
    assert bad.value.message == reason


def test_id_numbers_are_normalised_and_a_disability_certificate_number_is_accepted():
    column = columns.BY_FIELD["id_number"]
    assert checks.read_id_number(column, "11010519491231002x") == "11010519491231002X"
    assert checks.read_id_number(column, "11010519491231002X21") == "11010519491231002X21"


def test_phone_may_be_spaced_but_must_have_eleven_digits():
    column = columns.BY_FIELD["phone"]
    assert checks.read_phone(column, "138 0013-8000") == "13800138000"
    with pytest.raises(checks.Bad):
        checks.read_phone(column, "138-0013-800")


def test_household_cells_may_be_blank_after_the_first_row_but_may_not_disagree():
    rows = sample_roster()
    for row in rows[1:3]:  # merged cells read as blanks
        for header in ("户类型", "所在村代码", "联系电话", "户主姓名"):
            row[header] = ""
    rows[5]["联系电话"] = "13900000000"

    result = build(rows)

    assert reasons(result.problems) == {(7, "联系电话", "与本户第 6 行的“13800138000”不一致")}


def test_required_household_cell_blank_in_every_row():
    rows = sample_roster()
    for row in rows[:3]:
        row["所在村代码"] = ""

    assert reasons(build(rows).problems) == {(2, "所在村代码", "必填项为空")}


def test_required_member_cells_empty():
    rows = sample_roster()
    rows[2]["姓名"] = ""
    rows[2]["劳动技能"] = ""

    assert reasons(build(rows).problems) == {(4, "姓名", "必填项为空"), (4, "劳动技能", "必填项为空")}


def test_two_spouses_same_sex_couple_and_head_name():
    rows = [
        *household("H1", VILLAGE_A, [person("甲", "户主", "男", dt.date(1970, 1, 1)),
                                     person("乙", "配偶", "女", dt.date(1971, 1, 1)),
                                     person("丙", "配偶", "女", dt.date(1972, 1, 1))]),
        *household("H2", VILLAGE_A, [person("丁", "户主", "男", dt.date(1970, 2, 1)),
                                     person("戊", "配偶", "男", dt.date(1971, 2, 1))]),
        *household("H3", VILLAGE_B, [person("己", "户主", "女", dt.date(1970, 3, 1))], 户主姓名="庚"),
    ]

    assert reasons(build(rows).problems) == {
        (4, "与户主关系", "本户已有配偶（第 3 行）"),
        (6, "与户主关系", "户主与配偶性别相同"),
        (7, "户主姓名", "户主姓名与户主本人的姓名“己”不一致"),
    }


def test_out_of_poverty_household_needs_its_sub_type_and_an_ordinary_one_has_none():
    rows = [
        *household("H1", VILLAGE_A, [person("甲", "户主", "男", dt.date(1970, 1, 1))], 户类型="脱贫户"),
        *household("H2", VILLAGE_A, [person("乙", "户主", "男", dt.date(1970, 2, 1))], 脱贫户属性="低保"),
        *household("H3", VILLAGE_B, [person("丙", "户主", "男", dt.date(1970, 3, 1))], 户类型="脱贫户（低保）",
                   脱贫户属性="特困供养"),
    ]

    assert reasons(build(rows).problems) == {
        (2, "户类型", "脱贫户须注明脱贫户属性（一般、低保或特困供养）"),
        (3, "脱贫户属性", "一般农户不填脱贫户属性"),
        (4, "脱贫户属性", "与户类型中注明的“脱贫户（低保）”不一致"),
    }


def test_birth_date_and_sex_must_agree_with_the_id_and_are_taken_from_it_when_absent():
    rows = household("H1", VILLAGE_A, [person("甲", "户主", "男", dt.date(1970, 1, 1), 出生日期="1970-01-02"),
                                       person("乙", "配偶", "女", dt.date(1971, 1, 1), 性别="", 出生日期="")])

    result = build(rows)

    assert reasons(result.problems) == {(2, "出生日期", "出生日期与证件号码不符（证件号码显示为 1970-01-01）")}
    spouse = result.member_inserts[1][1]
    assert (spouse["sex"], spouse["birth_date"]) == ("female", dt.date(1971, 1, 1))


def test_both_medical_insurances_is_a_problem():
    rows = household("H1", VILLAGE_A, [person("甲", "户主", "男", dt.date(1970, 1, 1), 职工基本医疗保险="是")])

    assert reasons(build(rows).problems) == {
        (2, "职工基本医疗保险", "城乡居民基本医疗保险与职工基本医疗保险只能参加一项")}


def stored_member(row: dict, number: str, member_id: int, **changes) -> dict:
    """A member as the database would hold the given roster row."""
    resident = identity.parse(row["证件号码"], dt.date(2026, 12, 3))
    values = {**plan.MEMBER_DEFAULTS, "name": row["姓名"], "sex": resident.sex, "birth_date": resident.birth_date,
              "relation": "head" if row["与户主关系"] == "户主" else "spouse", "labour_capacity": "ordinary",
              "education_level": "junior_secondary", "months_worked": 6, "work_location": "within_county",
              "residents_medical_insurance": True, "pension_insurance": "residents"}
    return {**values, "id": member_id, "id_number": row["证件号码"], "household_number": number, "village_id": 1,
            "group_id": None, **changes}


def test_plan_against_stored_rows_counts_changes_and_sees_stored_heads():
    rows = household("H1", VILLAGE_A, [person("甲", "户主", "男", dt.date(1970, 1, 1)),
                                       person("乙", "配偶", "女", dt.date(1971, 1, 1))])
    stored_household = {**plan.HOUSEHOLD_DEFAULTS, "id": 5, "village_id": 1, "phone": "13800138000",
                        "household_type": "ordinary"}
    head = stored_member(rows[0], "H1", 50)
    spouse = stored_member(rows[1], "H1", 51, name="乙旧名")
    old_head = {**stored_member(rows[0], "H1", 52), "name": "老户主"}
    facts = plan.Facts(FACTS.villages, FACTS.groups, None, {"H1": stored_household},
                       {rows[0]["证件号码"]: head, rows[1]["证件号码"]: spouse, "110105194912310029": old_head},
                       households_in_scope=4, members_in_scope=9)

    result = build(rows, facts)

    assert reasons(result.problems) == {(2, "与户主关系", "本户在系统中已有户主老户主，此人不在本文件中")}
    assert (result.counts.households_unchanged, result.counts.members_unchanged, result.counts.members_changed) == (1, 1, 1)
    assert (result.counts.households_not_in_file, result.counts.members_not_in_file) == (3, 7)
    assert result.member_updates == [{"id": 51, **{name: spouse[name] for name in plan.MEMBER_UPDATED}, "name": "乙"}]


def test_id_in_a_household_outside_the_admins_areas_does_not_name_it():
    rows = household("H1", VILLAGE_A, [person("甲", "户主", "男", dt.date(1970, 1, 1))])
    elsewhere = stored_member(rows[0], "OTHER", 70, village_id=99)
    facts = plan.Facts(FACTS.villages, FACTS.groups, lambda village, group: village in (1, 2), {},
                       {rows[0]["证件号码"]: elsewhere})

    assert reasons(build(rows, facts).problems) == {(2, "证件号码", "该证件号码已登记在您负责范围以外的另一户")}


def test_household_number_of_a_household_outside_the_admins_areas():
    rows = household("H1", VILLAGE_A, [person("甲", "户主", "男", dt.date(1970, 1, 1))])
    stored_household = {**plan.HOUSEHOLD_DEFAULTS, "id": 5, "village_id": 99, "household_type": "ordinary"}
    facts = plan.Facts(FACTS.villages, FACTS.groups, lambda village, group: village in (1, 2), {"H1": stored_household}, {})

    assert reasons(build(rows, facts).problems) == {(2, "户编号", "该户编号已被您负责范围以外的农户使用")}


def test_cells_in_full_width_or_spaced_read_as_the_ascii_they_show():
    """What a Chinese input method types in full-width mode, stored as plain digits."""
    assert checks.read_id_number(columns.BY_FIELD["id_number"], "１１０１０５　１９４９１２３１　００２ｘ") == "11010519491231002X"
    assert checks.read_phone(columns.BY_FIELD["phone"], "１３８ ００１３－８０００") == "13800138000"
    assert checks.read_months(columns.BY_FIELD["months_worked"], "１２") == 12
    assert checks.read_months(columns.BY_FIELD["months_worked"], "²") == 2  # NFKC, as for IDs; int("²") raised
    assert checks.read_village_code(columns.BY_FIELD["village_code"], "５３０１０２１００２０１") == VILLAGE_A
    assert checks.read_group_code(columns.BY_FIELD["group_code"], "００１") == "001"


@pytest.mark.parametrize(("field", "text"), [
    ("id_number", "²10105194912310021"), ("id_number", "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X"), ("months_worked", "١٢"), ("phone", "١٣٨٠٠١٣٨٠٠٠"), ("village_code", "٥٣٠١٠٢١٠٠٢٠١"), ("group_code", "٠٠١"),
    ("birth_date", "١٩٨٠-٠٥-١٧"),
])
def test_digits_of_other_scripts_are_a_row_problem_and_superscripts_read(field, text):
    column = columns.BY_FIELD[field]
    with pytest.raises(checks.Bad):
        checks.READERS[column.kind](column, text)


def test_the_same_person_twice_in_a_file_is_refused_even_as_a_disability_certificate_number():
    first = person("甲", "户主", "男", dt.date(1970, 1, 1))
    again = person("甲", "户主", "男", dt.date(1970, 1, 1), 证件号码=first["证件号码"] + "21")
    rows = household("H1", VILLAGE_A, [first]) + household("H2", VILLAGE_A, [again])

    assert (3, "证件号码", "与第 2 行是同一人（证件号码前 18 位相同）") in reasons(build(rows).problems)


def test_a_person_stored_in_another_household_is_refused_whatever_form_the_number_takes():
    rows = household("H1", VILLAGE_A, [person("甲", "户主", "男", dt.date(1970, 1, 1))])
    stored = stored_member(rows[0], "OTHER", 70)
    facts = plan.Facts(FACTS.villages, FACTS.groups, None, {}, {rows[0]["证件号码"]: stored})
    rows[0]["证件号码"] += "21"

    assert reasons(build(rows, facts).problems) == {(2, "证件号码", "该证件号码已登记在另一户（户编号 OTHER）")}


def test_a_stored_id_number_becomes_the_certificate_number_the_file_gives():
    rows = household("H1", VILLAGE_A, [person("甲", "户主", "男", dt.date(1970, 1, 1))])
    stored_household = {**plan.HOUSEHOLD_DEFAULTS, "id": 5, "village_id": 1, "phone": "13800138000",
                        "household_type": "ordinary"}
    head = stored_member(rows[0], "H1", 50)
    facts = plan.Facts(FACTS.villages, FACTS.groups, None, {"H1": stored_household}, {rows[0]["证件号码"]: head})
    rows[0]["证件号码"] += "21"

    result = build(rows, facts)

    assert result.problems == [] and result.member_inserts == []
    assert [(update["id"], update["id_number"]) for update in result.member_updates] == [(50, rows[0]["证件号码"])]


def test_a_problem_kept_as_json_reads_back_with_its_code_labels_translated(app):
    from flask_babel import force_locale

    from app.files.cells import Msgid, Problem

    problem = Problem(4, "户类型", "x", "不是可用的值，请填写标准名称，如“%(example)s”", {"example": Msgid("脱贫户")})
    back = Problem.from_dict(json.loads(json.dumps(problem.as_dict())))
    assert back == problem and isinstance(back.params["example"], Msgid)
    with app.test_request_context(), force_locale("en"):
        assert back.reason == problem.reason and "脱贫户" not in back.reason
