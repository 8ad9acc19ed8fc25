"""Reading an uploaded table (XLSX or CSV: the roster, a department's warning list) into a
header and rows of text.

Every cell comes back as text (or None when empty), so the checks see one shape whatever
the file type. Excel numbers are written out without a trailing ".0"; a number too long
for Excel to hold exactly (an 18-digit ID number typed into a number cell) is written in
scientific notation, which the checks recognise and explain.

CSV may be UTF-8 (with or without a byte-order mark) or GB18030, the default of Chinese
Excel. No Flask and no database here.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from python_calamine import CalamineError, CalamineWorkbook

from app.codes import N_

SUFFIXES = ("xlsx", "csv")
# Excel holds 15 significant digits; a float beyond this was rounded somewhere.
EXACT_FLOAT_LIMIT = 10**15


class SheetError(Exception):
    """The file cannot be read as a table; ``message`` is a message id for gettext."""

    def __init__(self, message: str, **params):
        super().__init__(message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class Sheet:
    headers: list[str]
    rows: list[tuple[int, list[str | None]]]  # (spreadsheet row number, cells)


ZIP_MAGIC = b"PK\x03\x04"  # an XLSX file is a zip archive
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format


def suffix_of(filename: str | None) -> str | None:
    """'xlsx' or 'csv' from a file name; None for anything else."""
    suffix = Path(filename or "").suffix.lower().lstrip(".")
    return suffix if suffix in SUFFIXES else None


def detect(head: bytes, filename: str | None) -> str:
    """The file's type from its first bytes, else its name; raises SheetError for other types."""
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        raise SheetError(N_("这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再上传。"))
    suffix = suffix_of(filename)
    if suffix is None:
        raise SheetError(N_("只能导入 XLSX 或 CSV 文件。"))
    return suffix


def read_upload(stream: BinaryIO, filename: str | None) -> Sheet:
    """Read a seekable stream, telling XLSX from CSV by content first, then by name."""
    suffix = detect(stream.read(len(ZIP_MAGIC)), filename)
    stream.seek(0)
    return _sheet(_xlsx_rows(stream) if suffix == "xlsx" else _csv_rows(stream.read()))


def read_path(path: str | Path) -> Sheet:
    with open(path, "rb") as stream:
        return read_upload(stream, str(path))


def cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < EXACT_FLOAT_LIMIT:
            return str(int(value))
        return format(value, ".15G")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _sheet(rows) -> Sheet:
    """The first non-empty row is the header; empty rows after it are skipped."""
    headers: list[str] | None = None
    data: list[tuple[int, list[str | None]]] = []
    for number, raw in rows:
        cells = [cell_text(value) for value in raw]
        if not any(cells):
            continue
        if headers is None:
            headers = [cell or "" for cell in cells]
        else:
            data.append((number, cells))
    if headers is None:
        raise SheetError(N_("文件是空的，没有找到表头。"))
    return Sheet(headers, data)


def _xlsx_rows(stream: BinaryIO):
    # calamine (Rust) reads a 50,000-row sheet in a second or two; openpyxl took most of a minute.
    unreadable = N_("无法读取该 XLSX 文件，请确认它是 Excel 2007 及以后的格式且没有损坏。")
    try:
        sheet = CalamineWorkbook.from_filelike(stream).get_sheet_by_index(0)
        # iter_rows starts at the sheet's first row, whatever the first row with data.
        yield from enumerate(sheet.iter_rows(), start=1)
    except CalamineError as error:
        raise SheetError(unreadable) from error


def _csv_rows(data: bytes):
    text = _decode(data)
    try:
        yield from enumerate(csv.reader(io.StringIO(text, newline="")), start=1)
    except csv.Error as error:
        raise SheetError(N_("CSV 文件格式有误：%(detail)s"), detail=str(error)) from error


def _decode(data: bytes) -> str:
    # A byte-order mark settles it; otherwise UTF-8 first, since GB18030 would accept it as mojibake.
    encodings = ("utf-8-sig",) if data.startswith(b"\xef\xbb\xbf") else ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetError(N_("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GB18030 编码。"))
