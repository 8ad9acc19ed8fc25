"""SQL helpers shared by the query modules."""
from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import JSON, Text, bindparam, cast
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.elements import ColumnElement


def id_in(column, ids: Iterable[int]) -> ColumnElement:
    """``column IN (ids)`` with the ids written into the statement instead of one placeholder
    each: a county's scope lists hundreds of villages, and psycopg parses a long statement's
    placeholders again at every execution (docs/benchmarks.md, "Measurements behind code
    choices"). Integers only, so nothing can be injected."""
    values = sorted(int(value) for value in ids)
    return column.in_(bindparam(None, values, expanding=True, literal_execute=True))


def commit_versioned(session, stale: type[Exception]) -> None:
    """Commit; a row whose version column changed since it was read (someone else acted on it
    meanwhile) makes the commit fail, and the caller's ``stale`` refusal is raised instead."""
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        raise stale() from None


def begin_writing(session) -> None:
    """Begin the session's transaction as one that writes, before a first SAVEPOINT in it.
    pysqlite (SQLite) begins a transaction only before an INSERT, UPDATE or DELETE, so a
    SAVEPOINT before any of them is a transaction of its own, committed by its RELEASE.
    IMMEDIATE takes SQLite's write lock at once, waiting for another writer up to the busy
    timeout (a transaction that had read first could not wait). PostgreSQL begins as it should."""
    connection = session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class JsonText(str):
    """A JSON column's value already encoded as JSON (a record's answers, whose canonical
    text was made for their content hash): insert_rows and insert_statement write the text
    as it is instead of encoding it again."""


def insert_rows(connection, table, rows: list[dict]) -> None:
    """Many rows (dicts with the same keys) into ``table`` in the connection's transaction:
    COPY on PostgreSQL, where psycopg parses a multi-row INSERT's thousands of placeholders
    again for every statement; executemany elsewhere. JSON columns are encoded as the
    column's type would (None as JSON null unless the type says ``none_as_null``), except
    JsonText values, written as they are (in every row or none of a column)."""
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        connection.execute(*insert_statement(connection, table, rows))
        return
    columns = list(rows[0])
    encoded = {column: _json_encoder(table.c[column].type) for column in columns
               if isinstance(table.c[column].type, JSON) and type(rows[0][column]) is not JsonText}
    plain = [(column, encoded.get(column)) for column in columns]
    cursor = connection.connection.driver_connection.cursor()
    with cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[column] if encode is None else encode(row[column]) for column, encode in plain])


def insert_statement(connection, table, rows: list[dict]) -> tuple:
    """The INSERT and its parameters for an executemany of ``rows`` into ``table``: the
    columns whose values are JsonText are bound as text (cast to JSON on PostgreSQL; SQLite
    keeps JSON as text, and its CAST to JSON would read a number)."""
    texts = [column for column, value in rows[0].items() if type(value) is JsonText]
    if not texts:
        return table.insert(), rows
    bound = {column: bindparam(f"{column}_json_text", type_=Text()) for column in texts}
    values = {column: cast(parameter, table.c[column].type) if connection.dialect.name == "postgresql" else parameter
              for column, parameter in bound.items()}
    renamed = {column: parameter.key for column, parameter in bound.items()}
    return table.insert().values(values), [{renamed.get(key, key): value for key, value in row.items()} for row in rows]


def _json_encoder(kind: JSON):
    if kind.none_as_null:
        return lambda value: None if value is None else json.dumps(value)
    return json.dumps
