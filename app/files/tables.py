"""A table to download: its fields, and the writers that stream it as CSV or XLSX.

Whatever the size, memory stays flat:

- rows are fetched in chunks from a server-side cursor (``stream``) and written as they
  come, never collected in a list;
- CSV is yielded in chunks (UTF-8 with a BOM, so Excel reads the Chinese); a text cell that a
  spreadsheet would run as a formula is prefixed with a quote (``csv_cell``);
- XLSX is written by ``app.files.xlsx`` and yielded in chunks as well: the first bytes
  leave at once, and nothing waits in a temporary file.

Headers are message ids (Chinese), so that ``lang="en"`` heads the file and labels its codes
in English.
"""
from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from flask import Response, abort, request, stream_with_context
from flask_babel import force_locale, get_locale, gettext
from sqlalchemy import text

from app.extensions import db, reading
from app.files import xlsx

CHUNK_ROWS = 2000  # rows fetched per round trip, and CSV rows per chunk sent
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_LANGUAGES = {"zh": "zh_Hans", "en": "en"}


@dataclass(frozen=True)
class Field:
    """One column of an export: the row attribute it shows, its header (Chinese = message
    id) and how a value becomes a cell."""

    name: str
    header: str | dict  # a message id, or a definition's label
    render: Callable[[object], object]
    whole_row: bool = False  # ``render`` takes the row, not one of its values
    labels: bool = False  # few distinct values (a code's label): rendered once per value and file

    def renderer(self) -> Callable[[object], object]:
        """``render`` for one file: labels are looked up once per value (gettext is slow)."""
        return functools.lru_cache(maxsize=256)(self.render) if self.labels else self.render


def text_cell(value):
    """A text cell (empty for None)."""
    return "" if value is None else value


def cells(fields: list[Field], renderers: list[Callable], row) -> list:
    return [render(row if field.whole_row else getattr(row, field.name)) for field, render in zip(fields, renderers)]


def stream(query) -> Iterator:
    """The rows from a server-side cursor, a chunk per round trip; the query runs at the first
    row asked for, so that a streamed response opens its cursor while it is being sent.

    PostgreSQL plans a cursor for its first 10 % of rows (``cursor_tuple_fraction``) and then
    picks nested loops that take minutes over 200,000 households; an export reads every row,
    so it says so for its transaction. Exports read through the read-only engine, if any."""
    with reading(db.session):
        if db.session.get_bind(clause=query).dialect.name == "postgresql":
            db.session.execute(text("SET LOCAL cursor_tuple_fraction = 1"))
        yield from db.session.execute(query, execution_options={"yield_per": CHUNK_ROWS})


# Writers and the response ----------------------------------------------------------------------------------------

def headers(fields: list[Field]) -> list[str]:
    """Each field's header in the file's language: a message id, or a form definition's
    label ({"zh_Hans", "en"})."""
    language = str(get_locale())
    return [gettext(field.header) if isinstance(field.header, str)
            else field.header.get(language) or field.header["zh_Hans"] for field in fields]


# OWASP (CSV injection): a cell starting with one of these is run as a formula by Excel, WPS and
# LibreOffice. defusedcsv was measured and not used: it leaves tab and CR (docs/architecture.md).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """A text cell a spreadsheet would run as a formula gets a leading single quote, so it is
    shown as the text it is; numbers (yuan as Decimal, counts) stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_chunks(fields: list[Field], rows: Iterable, lang: str) -> Iterator[str]:
    """The file in chunks of ``CHUNK_ROWS`` lines: a BOM, the header, the rows."""
    with force_locale(lang):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(headers(fields))
        renderers = [field.renderer() for field in fields]
        for count, row in enumerate(rows, 1):
            writer.writerow([csv_cell(cell) for cell in cells(fields, renderers, row)])
            if count % CHUNK_ROWS == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()


def xlsx_chunks(fields: list[Field], rows: Iterable, lang: str, sheet: str) -> Iterator[bytes]:
    """The workbook in chunks as it is written (app.files.xlsx): text as text, yuan as
    numbers with two decimals."""
    with force_locale(lang):
        renderers = [field.renderer() for field in fields]
        yield from xlsx.workbook_chunks(gettext(sheet), headers(fields),
                                        (cells(fields, renderers, row) for row in rows))


def _language() -> str:
    """Chinese headers (the national system's) unless ``?headers=en``."""
    return HEADER_LANGUAGES.get(request.args.get("headers", "zh")) or abort(404)


def send(fields: list[Field], rows, name: str, file_format: str, sheet: str) -> Response:
    """The rows as a streamed CSV or XLSX attachment named ``name``."""
    language = _language()
    if file_format == "csv":
        chunks, mimetype = csv_chunks(fields, rows, language), "text/csv; charset=utf-8"
    else:
        chunks, mimetype = xlsx_chunks(fields, rows, language, sheet), XLSX
    return Response(stream_with_context(chunks), mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename={name}.{file_format}"})
