"""A streaming XLSX writer: the workbook leaves in chunks while it is written. Pure: no
Flask, no database.

What always holds:
- memory is bounded by one chunk of sheet XML, whatever the number of rows: the zip is
  written forwards only (each entry's sizes follow it in a data descriptor), so nothing is
  kept to seek back to, and the first bytes leave after the first chunk of rows, long
  before a large export ends (a proxy never sees a silent minute);
- text is written as text (an inline string), never as a formula or a number, so that ID
  and household numbers keep every digit; characters that XML 1.0 forbids are dropped;
- ``Decimal`` (yuan) is a number shown with two decimals, ``int`` a plain number;
- a sheet stops at Excel's 1,048,576 rows (or 1.5 GB of XML, under the zip's 2 GiB
  entry limit); the rows go on in a next sheet with the header repeated, never dropped.

The parts are the smallest set Excel, WPS, LibreOffice, openpyxl and calamine open:
content types, relationships, styles (plain, two decimals, bold header), the sheets, the
workbook. ``[Content_Types].xml`` comes first, as file-type sniffers expect; it can, before
the number of sheets is known, because every ``.xml`` part defaults to a worksheet and only
the workbook and the styles are named.
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import chain, islice
from xml.sax.saxutils import quoteattr

MAX_ROWS = 1_048_576  # Excel's rows per sheet, header included
MAX_SHEET_BYTES = 1_500_000_000
MAX_CELL_CHARS = 32_767  # Excel shows no more of a cell
CHUNK_ROWS = 1000  # rows of XML compressed and sent at a time
WIDTH_SAMPLE_ROWS = 50  # rows read ahead to size the columns
MAX_COLUMN_WIDTH = 50
# zlib's default: on export-shaped rows no slower than level 1 and a smaller file; level 9 costs
# far more time for little (bench/xlsx_level.py, docs/benchmarks.md).
COMPRESS_LEVEL = 6

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

CONTENT_TYPES = (
    f'{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    f'<Default Extension="xml" ContentType="{SPREADSHEET}.worksheet+xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{SPREADSHEET}.sheet.main+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{SPREADSHEET}.styles+xml"/></Types>')
PACKAGE_RELS = (
    f'{HEAD}<Relationships xmlns="{PACKAGE_RELATIONSHIPS}"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>')
# Cell styles by index: 0 plain, 1 two decimals (built-in number format 2, "0.00"), 2 bold.
PLAIN, MONEY, BOLD = 0, 1, 2
STYLES = (
    f'{HEAD}<styleSheet xmlns="{MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
SHEET_END = "</sheetData></worksheet>"

# &, <, > escaped; control characters other than tab and line breaks are not allowed in XML.
_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", 0xFFFE: None, 0xFFFF: None,
            **{code: None for code in range(32) if code not in (9, 10, 13)}}
_NAME_FORBIDDEN = {ord(char): "_" for char in "[]:*?/\\"}
_END = object()


class _Pipe(io.RawIOBase):
    """Where the zip writes: bytes wait here until the writer hands them on. Not seekable,
    so ``zipfile`` writes forwards only."""

    def __init__(self) -> None:
        super().__init__()
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def column_letters(count: int) -> list[str]:
    """A, B, …, Z, AA, AB, … for the first ``count`` columns."""
    letters = []
    for index in range(1, count + 1):
        name = ""
        while index:
            index, remainder = divmod(index - 1, 26)
            name = chr(65 + remainder) + name
        letters.append(name)
    return letters


def _text_cell(reference: str, value: str, style: int = PLAIN) -> str:
    if len(value) > MAX_CELL_CHARS:
        value = value[:MAX_CELL_CHARS]
    space = ' xml:space="preserve"' if value != value.strip() else ""
    styled = f' s="{style}"' if style else ""
    return f'<c r="{reference}"{styled} t="inlineStr"><is><t{space}>{value.translate(_ESCAPES)}</t></is></c>'


def _row(number: int, letters: Sequence[str], values: Iterable) -> str:
    cells = []
    for letter, value in zip(letters, values):
        if value is None or value == "":
            continue
        if type(value) is str:
            cells.append(_text_cell(f"{letter}{number}", value))
        elif isinstance(value, Decimal):
            cells.append(f'<c r="{letter}{number}" s="{MONEY}"><v>{value}</v></c>')
        elif isinstance(value, int) and not isinstance(value, bool):
            cells.append(f'<c r="{letter}{number}"><v>{value}</v></c>')
        else:
            cells.append(_text_cell(f"{letter}{number}", str(value)))
    return f'<row r="{number}">{"".join(cells)}</row>'


def _display_width(value) -> int:
    """Characters as a spreadsheet shows them: a Chinese character is two wide."""
    text = "" if value is None else str(value)
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def _sheet_start(letters: Sequence[str], widths: Sequence[int], header: Sequence[str]) -> str:
    columns = "".join(f'<col min="{index}" max="{index}" width="{width}" customWidth="1"/>'
                      for index, width in enumerate(widths, 1))
    heading = "".join(_text_cell(f"{letter}1", str(title), BOLD) for letter, title in zip(letters, header))
    return (f'{HEAD}<worksheet xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheetViews><sheetView workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{columns}</cols><sheetData><row r="1">{heading}</row>')


def sheet_names(name: str, count: int) -> list[str]:
    """The sheets' names: ``name``, then ``name (2)``, … each at most 31 characters (Excel's
    limit) with none of the characters Excel refuses."""
    base = name.translate(_NAME_FORBIDDEN).strip("'") or "Sheet"
    names = [base[:31]]
    for number in range(2, count + 1):
        suffix = f" ({number})"
        names.append(base[:31 - len(suffix)] + suffix)
    return names


def _workbook(names: Sequence[str]) -> tuple[str, str]:
    sheets = "".join(f'<sheet name={quoteattr(name)} sheetId="{number}" r:id="rId{number}"/>'
                     for number, name in enumerate(names, 1))
    workbook = (f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><bookViews><workbookView/></bookViews>'
                f'<sheets>{sheets}</sheets></workbook>')
    targets = [(f"rId{number}", "worksheet", f"worksheets/sheet{number}.xml") for number in range(1, len(names) + 1)]
    targets.append((f"rId{len(names) + 1}", "styles", "styles.xml"))
    rels = "".join(f'<Relationship Id="{id_}" Type="{RELATIONSHIPS}/{kind}" Target="{target}"/>'
                   for id_, kind, target in targets)
    return workbook, f'{HEAD}<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">{rels}</Relationships>'


def workbook_chunks(sheet: str, header: Sequence[str], rows: Iterable[Sequence], *,
                    max_rows: int = MAX_ROWS) -> Iterator[bytes]:
    """The XLSX file of ``header`` and ``rows`` (sequences of str, int, Decimal or None) in
    chunks, the sheets named after ``sheet``."""
    rows = iter(rows)
    sample = list(islice(rows, WIDTH_SAMPLE_ROWS))
    widths = [min(MAX_COLUMN_WIDTH, 2 + max(_display_width(value) for value in column))
              for column in zip(header, *(list(row) + [None] * (len(header) - len(row)) for row in sample))]
    letters = column_letters(len(header))
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as archive:
        def entry(name: str):  # stamped now, compressed as the archive says
            return archive.open(name, "w")

        for name, content in (("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", PACKAGE_RELS),
                              ("xl/styles.xml", STYLES)):
            with entry(name) as part:
                part.write(content.encode())
        remaining = chain(sample, rows)
        sheets, more = 0, True
        while more:
            sheets += 1
            with entry(f"xl/worksheets/sheet{sheets}.xml") as part:
                written = part.write(_sheet_start(letters, widths, header).encode())
                number = 1  # the last row written
                while True:
                    wanted = min(CHUNK_ROWS, max_rows - number)
                    batch = list(islice(remaining, wanted))
                    if batch:
                        xml = "".join(_row(number + offset, letters, values) for offset, values in enumerate(batch, 1))
                        written += part.write(xml.encode("utf-8", "replace"))
                        number += len(batch)
                        yield pipe.take()
                    if len(batch) < wanted:
                        more = False
                        break
                    if number >= max_rows or written >= MAX_SHEET_BYTES:  # full: go on in a next sheet, if any
                        following = next(remaining, _END)
                        more = following is not _END
                        remaining = chain([following], remaining)
                        break
                part.write(SHEET_END.encode())
        workbook, rels = _workbook(sheet_names(sheet, sheets))
        with entry("xl/workbook.xml") as part:
            part.write(workbook.encode())
        with entry("xl/_rels/workbook.xml.rels") as part:
            part.write(rels.encode())
    yield pipe.take()
