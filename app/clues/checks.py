"""A department's warning list, read and checked: rows in, drafts and problems out.

The columns as departments send them (Chinese headers; the English field names too). Every
row is checked; the import writes nothing while any row has a problem (all or nothing).

Pure module: no Flask, no database.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from app import identity, money
from app.codes import N_
from app.files import cells
from app.files.cells import Bad, Msgid, Problem
from app.files.sheets import Sheet


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # what departments write; a message id too
    required: bool
    aliases: tuple[str, ...] = ()
    max_length: int | None = None


COLUMNS = (
    Column("id_number", N_("证件号码"), True, ("身份证号", "身份证号码", "公民身份号码", "证件号", "id number")),
    Column("name", N_("姓名"), True, max_length=50),
    Column("reason", N_("预警事项"), True, ("预警原因", "预警内容", "warning"), max_length=200),
    Column("event_date", N_("发生日期"), True, ("预警日期", "日期", "date")),
    Column("amount", N_("金额"), False, ("金额（元）", "自付金额", "amount (yuan)")),
    Column("note", N_("备注"), False, max_length=2000),
)
BY_FIELD = {column.field: column for column in COLUMNS}
_BY_SPELLING = {cells.normalise_header(spelling): column for column in COLUMNS
                for spelling in (column.header, column.field, *column.aliases)}


@dataclass(frozen=True)
class Draft:
    """One readable row of the file."""

    row: int
    id_number: str
    person_key: str
    name: str
    reason: str
    event_date: dt.date
    amount_fen: int | None
    note: str

    @property
    def identity(self) -> tuple[str, str, dt.date]:
        """The same warning, whichever file brings it: who, what, when."""
        return self.person_key, self.reason, self.event_date


@dataclass
class Parsed:
    rows_read: int
    drafts: list[Draft]
    problems: list[Problem]


def _amount(text: str) -> int:
    try:
        fen = money.parse_yuan(text)
    except money.MoneyError:
        raise Bad(N_("金额应为元，最多两位小数，如 1234.50")) from None
    if fen < 0:
        raise Bad(N_("金额不能为负数"))
    return fen


def _text(column: Column, text: str) -> str:
    if column.max_length and len(text) > column.max_length:
        raise Bad(N_("不能超过 %(max)s 个字符"), max=column.max_length)
    return text


READERS = {"id_number": cells.id_number, "event_date": cells.date, "amount": _amount}


def parse(sheet: Sheet, today: dt.date, count: Callable[[Iterable], Iterable] = iter) -> Parsed:
    """The list's rows read and checked; ``count`` sees each row go by (a job's progress)."""
    parsed = Parsed(len(sheet.rows), [], [])
    positions: dict[str, int] = {}
    for index, header in enumerate(sheet.headers):
        column = _BY_SPELLING.get(cells.normalise_header(header))
        if column is not None and column.field not in positions:
            positions[column.field] = index
    missing = [column for column in COLUMNS if column.required and column.field not in positions]
    for column in missing:
        parsed.problems.append(Problem(None, column.header, None, N_("缺少必填列“%(column)s”"),
                                       {"column": Msgid(column.header)}))
    if missing:
        return parsed
    header_of = {field: sheet.headers[index] for field, index in positions.items()}
    # Each column's cell reader, chosen once for the file.
    readers = [(field, index, BY_FIELD[field], READERS.get(field) or functools.partial(_text, BY_FIELD[field]))
               for field, index in positions.items()]
    first_row: dict[tuple, int] = {}
    for number, row in count(sheet.rows):
        values, ok = {}, True
        for field, index, column, read in readers:
            text = row[index] if index < len(row) else None
            if not text:
                if column.required:
                    parsed.problems.append(Problem(number, header_of[field], None, N_("必填项为空")))
                    ok = False
                continue
            try:
                values[field] = read(text)
            except Bad as bad:
                parsed.problems.append(Problem(number, header_of[field], text, bad.message, bad.params))
                ok = False
        if ok and values["event_date"] > today:
            parsed.problems.append(Problem(number, header_of["event_date"], values["event_date"].isoformat(),
                                           N_("发生日期不能晚于今天")))
            ok = False
        if not ok:
            continue
        draft = Draft(number, values["id_number"], identity.person_key(values["id_number"]), values["name"],
                      values["reason"], values["event_date"], values.get("amount"), values.get("note", ""))
        if draft.identity in first_row:
            parsed.problems.append(Problem(number, header_of["id_number"], draft.id_number,
                                           N_("与第 %(row)s 行是同一人的同一预警"), {"row": first_row[draft.identity]}))
            continue
        first_row[draft.identity] = number
        parsed.drafts.append(draft)
    return parsed
