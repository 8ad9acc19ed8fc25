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
