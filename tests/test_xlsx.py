"""The streaming XLSX writer (app/files/xlsx.py), read back by openpyxl and by calamine
(the reader the roster import uses)."""
from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from app.files import xlsx

HEADER = ["户编号", "证件号码", "户主姓名", "家庭人口数", "人均纯收入（元）", "备注"]


def written(rows, **options) -> bytes:
    return b"".join(xlsx.workbook_chunks("农户", HEADER, rows, **options))


def sheets(content: bytes) -> dict[str, list[list]]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return {sheet.title: [[cell.value for cell in row] for row in sheet.iter_rows()] for sheet in workbook.worksheets}


def test_text_stays_text_numbers_are_numbers_and_yuan_has_two_decimals():
    content = written([["0012", "53010219900101123X", "王五", 2, Decimal("3000.00"), None],
                       ["0013", "530102199001011234", "李梅", 3, Decimal("-12.5"), ""]])
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook.active
    assert sheet.title == "农户"
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        HEADER, ["0012", "53010219900101123X", "王五", 2, 3000, None],
        ["0013", "530102199001011234", "李梅", 3, -12.5, None]]
    assert sheet.cell(row=2, column=5).number_format == "0.00"
    assert sheet.cell(row=2, column=4).number_format == "General"
    assert sheet.cell(row=1, column=1).font.b and not sheet.cell(row=2, column=1).font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["D"].width


def test_calamine_reads_the_same_cells():
    content = written([["0012", "530102199001011234", "王五", 2, Decimal("3000.00"), "a"]])
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert sheet == [HEADER, ["0012", "530102199001011234", "王五", 2, 3000.0, "a"]]


def test_markup_and_spaces_survive_and_characters_xml_forbids_are_dropped():
    note = "  a & b <c> \"d\" 'e'\n第二行 "
    content = written([["1", "2", "王\x00五\x0b", 1, None, note]])
    assert sheets(content)["农户"][1][2:] == ["王五", 1, None, note]


def test_a_formula_is_written_as_text():
    content = written([["=1+1", "=HYPERLINK(\"http://x\")", "@SUM(A1)", 1, None, None]])
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    cell = workbook.active.cell(row=2, column=1)
    assert (cell.value, cell.data_type) == ("=1+1", "s")
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")


def test_no_rows_gives_the_header_alone():
    assert sheets(written([])) == {"农户": [HEADER]}


def test_rows_beyond_a_sheet_go_on_in_the_next_with_the_header_again():
    rows = [[str(number), None, None, number, None, None] for number in range(1, 8)]
    found = sheets(written(rows, max_rows=3))
    assert list(found) == ["农户", "农户 (2)", "农户 (3)", "农户 (4)"]
    assert all(sheet[0] == HEADER for sheet in found.values())
    assert [row[3] for sheet in found.values() for row in sheet[1:]] == list(range(1, 8))


def test_a_sheet_filled_exactly_adds_no_empty_sheet():
    rows = [[str(number), None, None, number, None, None] for number in range(1, 5)]
    assert list(sheets(written(rows, max_rows=3))) == ["农户", "农户 (2)"]
    assert list(sheets(written(rows, max_rows=5))) == ["农户"]


def test_sheet_names_obey_excels_rules():
    assert xlsx.sheet_names("a[b]:c*d?e/f\\g", 1) == ["a_b__c_d_e_f_g"]
    long = xlsx.sheet_names("监" * 40, 2)
    assert [len(name) for name in long] == [31, 31] and long[1].endswith(" (2)")
    assert xlsx.sheet_names("'", 1) == ["Sheet"]


def test_content_types_come_first_and_every_part_has_a_type():
    content = written([["1", None, None, 1, None, None]], max_rows=2)
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert names[0] == "[Content_Types].xml"
    assert {"xl/workbook.xml", "xl/styles.xml", "xl/worksheets/sheet1.xml", "xl/_rels/workbook.xml.rels"} <= set(names)


def test_the_file_leaves_while_the_rows_are_still_being_read():
    read = 0

    def rows():
        nonlocal read
        for number in range(20_000):
            read += 1
            yield [f"{number:08d}", f"53010219900101{number:04d}", "王五", number, Decimal(number) / 100, "备注"]

    chunks = xlsx.workbook_chunks("农户", HEADER, rows())
    first = next(chunk for chunk in chunks if chunk)
    assert first.startswith(b"PK") and read <= xlsx.WIDTH_SAMPLE_ROWS + xlsx.CHUNK_ROWS
    rest = b"".join(chunks)
    assert read == 20_000
    assert len(sheets(first + rest)["农户"]) == 20_001


@pytest.mark.parametrize("count, letters", [(1, ["A"]), (3, ["A", "B", "C"])])
def test_column_letters(count, letters):
    assert xlsx.column_letters(count) == letters


def test_column_letters_past_z():
    letters = xlsx.column_letters(703)
    assert (letters[25], letters[26], letters[701], letters[702]) == ("Z", "AA", "ZZ", "AAA")
