"""Small helpers shared by the model modules."""
import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, func
from sqlalchemy.orm import Mapped, mapped_column

from app.codes import CodeSet


def code_check(codes: CodeSet, column: str, *, nullable: bool = False) -> CheckConstraint:
    """CHECK that ``column`` holds one of the code table's values (or NULL when allowed)."""
    sql = codes.check_sql(column)
    if nullable:
        sql = f"{column} IS NULL OR {sql}"
    return CheckConstraint(sql, name=f"{column}_code")


def created_at_column() -> Mapped[dt.datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


def values_check(column: str, values: tuple[str, ...], name: str) -> CheckConstraint:
    """CHECK that ``column`` holds one of ``values`` (for states and kinds defined in code)."""
    return CheckConstraint(f"{column} IN ({', '.join(repr(value) for value in values)})", name=name)
