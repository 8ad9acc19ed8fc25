"""Statistical division codes (统计用区划代码) read from a CSV file.

Pure module: no Flask, no database. The level and the parent of every area follow from its
code (DOMAIN §2): ``dddddd000000`` is a county; digits 7–9 name a township
(``ddddddddd000``); digits 10–12 a village; a 15-character code is a group (村民小组) under
the village of its first 12 digits. A file is taken whole or not at all, so every problem
is collected and none stops the reading.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from app.codes import AREA_LEVEL, N_

# Accepted spellings of each column header (compared without spaces and case).
HEADERS = {
    "code": ("统计用区划代码", "区划代码", "code"),
    "name": ("名称", "name"),
    "level": ("层级", "level"),
}
NAME_MAX_LENGTH = 100


@dataclass(frozen=True)
class AreaRow:
    line: int  # line in the file; the header is line 1
    code: str
    name: str
    level: str
    parent_code: str | None


@dataclass(frozen=True)
class Problem:
    line: int | None  # None: the file as a whole
    column: str  # the header as written in the file, or "" for the whole row
    message: str  # gettext message id, formatted with ``params`` when shown
    params: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        from flask_babel import gettext  # late: keeps this module importable without Flask

        return gettext(self.message, **self.params)


@dataclass(frozen=True)
class CodesFile:
    rows: list[AreaRow]
    problems: list[Problem]


def level_and_parent(code: str) -> tuple[str, str | None] | None:
    """The level and the parent code a code implies; None when it is no valid code."""
    if not (code.isascii() and code.isdigit()):
        return None
    if len(code) == 15:
        village = level_and_parent(code[:12])
        if village is None or village[0] != "village" or code[12:] == "000":
            return None
        return "group", code[:12]
    if len(code) != 12 or code[:6].endswith("00"):
        return None
    township, village = code[6:9], code[9:]
    if township == "000":
        return ("county", None) if village == "000" else None
    if village == "000":
        return "township", code[:6] + "000000"
    return "village", code[:9] + "000"


def decode(data: bytes) -> str | None:
    """UTF-8 (with or without a byte-order mark), else GB18030; None when neither fits."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _normalise(header: str) -> str:
    return "".join(header.split()).lower()


def _find_columns(header: list[str]) -> dict[str, int]:
    positions = {}
    for index, text in enumerate(header):
        for key, spellings in HEADERS.items():
            if key not in positions and _normalise(text) in {_normalise(s) for s in spellings}:
                positions[key] = index
    return positions


def parse(data: bytes, known_codes) -> CodesFile:
    """Rows of the file as areas, and every problem found. ``known_codes`` are the codes
    already stored: a parent may be there instead of in the file."""
    text = decode(data)
    if text is None:
        return CodesFile([], [Problem(None, "", N_("无法识别文件编码，请保存为 UTF-8 或 GB18030 编码的 CSV 文件。"))])
    try:
        lines = list(csv.reader(io.StringIO(text)))
    except csv.Error:
        return CodesFile([], [Problem(None, "", N_("文件不是有效的 CSV 格式。"))])
    if not lines:
        return CodesFile([], [Problem(None, "", N_("文件是空的。"))])
    header = lines[0]
    columns = _find_columns(header)
    missing = [f"{HEADERS[key][0]}/{HEADERS[key][-1]}" for key in ("code", "name") if key not in columns]
    if missing:
        return CodesFile([], [Problem(1, "", N_("缺少列：%(columns)s"), {"columns": "、".join(missing)})])

    def cell(values: list[str], key: str) -> str:
        index = columns.get(key)
        return values[index].strip() if index is not None and index < len(values) else ""

    def column(key: str) -> str:
        return header[columns[key]].strip()

    rows: list[AreaRow] = []
    problems: list[Problem] = []
    first_line_of: dict[str, int] = {}
    for line, values in enumerate(lines[1:], start=2):
        if not any(value.strip() for value in values):
            continue
        code, name, level_text = cell(values, "code"), cell(values, "name"), cell(values, "level")
        structure = level_and_parent(code)
        duplicate = code in first_line_of
        if structure is None:
            problems.append(Problem(line, column("code"), N_(
                "“%(code)s”不是有效的区划代码：应为12位数字（村民小组为15位），并符合县、乡镇、村的层级结构。"),  # noqa: E501
                {"code": code}))
        elif duplicate:
            problems.append(Problem(line, column("code"), N_("区划代码 %(code)s 与第 %(line)d 行重复。"),
                                    {"code": code, "line": first_line_of[code]}))
        else:
            first_line_of[code] = line
        if not name:
            problems.append(Problem(line, column("name"), N_("名称不能为空。")))
        elif len(name) > NAME_MAX_LENGTH:
            problems.append(Problem(line, column("name"), N_("名称不能超过 %(max)d 个字。"), {"max": NAME_MAX_LENGTH}))
        if structure is not None and level_text and AREA_LEVEL.parse(level_text) != structure[0]:
            problems.append(Problem(line, column("level"), N_("层级“%(level)s”与区划代码不符。"),
                                    {"level": level_text}))
        if structure is not None and name and not duplicate:
            rows.append(AreaRow(line, code, name, *structure))

    for row in rows:
        if row.parent_code is not None and row.parent_code not in first_line_of and row.parent_code not in known_codes:
            problems.append(Problem(row.line, column("code"), N_("上级区划 %(parent)s 既不在文件中，也不在系统中。"),
                                    {"parent": row.parent_code}))
    if not rows and not problems:
        problems.append(Problem(None, "", N_("文件中没有数据行。")))
    problems.sort(key=lambda problem: problem.line or 0)
    return CodesFile(rows, problems)
