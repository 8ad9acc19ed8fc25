"""SQL helpers shared by the query modules."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam
from sqlalchemy.sql.elements import ColumnElement


def id_in(column, ids: Iterable[int]) -> ColumnElement:
    """``column IN (ids)`` with the ids written into the statement instead of one placeholder
    each: a county's scope lists hundreds of villages, and psycopg parses a long statement's
    placeholders again at every execution (docs/benchmarks.md, "Measurements behind code
    choices"). Integers only, so nothing can be injected."""
    values = sorted(int(value) for value in ids)
    return column.in_(bindparam(None, values, expanding=True, literal_execute=True))


def insert_rows(connection, table, rows: list[dict]) -> None:
    """Many rows (dicts with the same keys) into ``table`` in the connection's transaction:
    COPY on PostgreSQL, where psycopg parses a multi-row INSERT's thousands of placeholders
    again for every statement; executemany elsewhere."""
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert(), rows)
        return
    columns = list(rows[0])
    cursor = connection.connection.driver_connection.cursor()
    with cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[column] for column in columns])
