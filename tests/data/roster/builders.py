"""Roster files for the roster tests, written into tmp_path as the national system exports them."""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from app.files.sheets import Sheet
from tests import factories

CHINESE_HEADERS = (
    "户编号", "户主姓名", "姓名", "证件号码", "与户主关系", "性别", "出生日期", "民族", "文化程度", "在校生状况",
    "健康状况", "残疾等级", "劳动技能", "务工时间（月）", "务工地点", "是否公益性岗位", "城乡居民基本医疗保险",
    "职工基本医疗保险", "养老保险", "是否享受低保", "是否特困供养", "户类型", "联系电话", "所在村代码", "所在组代码",
    "整户无劳动能力", "易地搬迁",
)
ENGLISH_HEADERS = (
    "household_number", "head_name", "name", "id_number", "relation", "sex", "birth_date", "ethnicity",
    "education_level", "schooling", "health", "disability_class", "labour_capacity", "months_worked",
    "work_location", "public_welfare_job", "residents_medical_insurance", "employees_medical_insurance",
    "pension_insurance", "minimum_living_allowance", "extreme_poverty_support", "household_type", "phone",
    "village_code", "group_code", "without_labour", "relocation_site",
)
TO_ENGLISH = dict(zip(CHINESE_HEADERS, ENGLISH_HEADERS))


def person(name: str, relation: str, sex: str, born: dt.date, **cells) -> dict:
    """One member row (Chinese headers); household cells are added by ``household``."""
    row = {
        "姓名": name, "证件号码": factories.id_number(born, "male" if sex == "男" else "female"), "与户主关系": relation,
        "性别": sex, "出生日期": born.isoformat(), "民族": "汉族", "文化程度": "初中", "在校生状况": "", "健康状况": "健康",
        "残疾等级": "", "劳动技能": "普通劳动力", "务工时间（月）": "6", "务工地点": "县内", "是否公益性岗位": "否",
        "城乡居民基本医疗保险": "是", "职工基本医疗保险": "否", "养老保险": "城乡居民基本养老保险",
        "是否享受低保": "否", "是否特困供养": "否",
    }
    row.update(cells)
    return row


def household(number: str, village_code: str, members: list[dict], **cells) -> list[dict]:
    head = next(member for member in members if member["与户主关系"] == "户主")
    shared = {"户编号": number, "户主姓名": head["姓名"], "户类型": "一般农户", "联系电话": "13800138000",
              "所在村代码": village_code, "所在组代码": "", "整户无劳动能力": "否", "易地搬迁": "否"}
    shared.update(cells)
    return [{**shared, **member} for member in members]


def sample_roster(village_a="530102100201", village_b="530102100202") -> list[dict]:
    """Three households, eight people, in villages A (group 1) and B."""
    return [
        *household("5301021002010001", village_a, [
            person("王大山", "户主", "男", dt.date(1968, 4, 2)),
            person("李秀英", "配偶", "女", dt.date(1970, 9, 15), 健康状况="长期慢性病"),
            person("王小明", "之子", "男", dt.date(2010, 1, 20), 文化程度="", 在校生状况="在读初中",
                   劳动技能="无劳动力", **{"务工时间（月）": "", "务工地点": ""}),
        ], 所在组代码="001"),
        *household("5301021002010002", village_a, [
            person("赵老四", "户主", "男", dt.date(1950, 2, 28), 健康状况="长期慢性病、残疾", 残疾等级="二级",
                   劳动技能="丧失劳动力", 是否享受低保="是", **{"务工时间（月）": "0", "务工地点": ""}),
        ], 户类型="脱贫户（低保）", 整户无劳动能力="是"),
        *household("5301021002020001", village_b, [
            person("陈春花", "户主", "女", dt.date(1975, 6, 1)),
            person("刘建国", "配偶", "男", dt.date(1973, 11, 11), 劳动技能="技能劳动力",
                   **{"务工时间（月）": "10", "务工地点": "省外"}),
            person("陈晓", "之女", "女", dt.date(1999, 3, 3), 文化程度="本科及以上"),
            person("陈奶奶", "之母", "女", dt.date(1945, 7, 7), 劳动技能="弱劳动力或半劳动力",
                   **{"务工时间（月）": "", "务工地点": "", "养老保险": "城乡居民基本养老保险"}),
        ], 户类型="脱贫户", 脱贫户属性="一般", 易地搬迁="是"),
    ]


def headers_of(rows: list[dict], omit: tuple[str, ...] = ()) -> list[str]:
    headers = [header for header in CHINESE_HEADERS if header not in omit]
    for row in rows:
        headers.extend(key for key in row if key not in headers and key not in omit)
    return headers


def write_csv(path: Path, rows: list[dict], *, encoding: str = "utf-8-sig", english: bool = False,
              omit: tuple[str, ...] = ()) -> Path:
    """``omit``: columns to leave out of the file."""
    headers = headers_of(rows, omit)
    with open(path, "w", newline="", encoding=encoding) as stream:
        writer = csv.writer(stream)
        writer.writerow([TO_ENGLISH.get(h, h) for h in headers] if english else headers)
        for row in rows:
            writer.writerow([row.get(header, "") for header in headers])
    return path


def write_xlsx(path: Path, rows: list[dict], *, cell=lambda header, value: value) -> Path:
    """``cell`` may turn a text value into what Excel would hold (a number, a date)."""
    headers = headers_of(rows)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([cell(header, row.get(header) or None) for header in headers])
    workbook.save(path)
    return path


def sheet_of(rows: list[dict]) -> Sheet:
    """The sheet a CSV of these rows would read as, without a file."""
    headers = headers_of(rows)
    return Sheet(headers, [(number, [row.get(header) or None for header in headers])
                           for number, row in enumerate(rows, start=2)])
