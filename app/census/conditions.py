"""Conditions that show or hide a question (the definition's ``when``), evaluated on one
record: the household's answers or one member's. Mirrored by static/js/core/conditions.js.

Forms: {"field": f, "equals": v} · {"field": f, "in": [..]} · {"field": f, "empty": true}
· {"field": f, "greater_than": n} · {"age": {"min": a, "max": b}} (whole years at the
reference date, inclusive; unknown age → false) · {"all": [..]} · {"any": [..]} · {"not": c}.
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_iso_date(text) -> dt.date | None:
    """YYYY-MM-DD only (Python alone would also take 20260101 and week dates)."""
    return _iso_date(text) if isinstance(text, str) and len(text) == 10 else None


# A record asks for the same few dates and ages again for each question's condition: each
# text is read once (dates are immutable, so a remembered one is as good as a new one).
@lru_cache(maxsize=4096)
def _iso_date(text: str) -> dt.date | None:
    if not ISO_DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def age_on(birth_date: str | None, reference_date: str) -> int | None:
    if isinstance(birth_date, str) and isinstance(reference_date, str) and len(birth_date) == len(reference_date) == 10:
        return _age(birth_date, reference_date)
    return _age.__wrapped__(birth_date, reference_date)


@lru_cache(maxsize=4096)
def _age(birth_date, reference_date) -> int | None:
    born, day = parse_iso_date(birth_date), parse_iso_date(reference_date)
    if born is None or day is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def holds(condition: dict | None, record: dict, reference_date: str) -> bool:
    if condition is None:
        return True
    if "all" in condition:
        return all(holds(part, record, reference_date) for part in condition["all"])
    if "any" in condition:
        return any(holds(part, record, reference_date) for part in condition["any"])
    if "not" in condition:
        return not holds(condition["not"], record, reference_date)
    if "age" in condition:
        age = age_on(record.get("birth_date"), reference_date)
        bounds = condition["age"]
        return age is not None and bounds.get("min", 0) <= age <= bounds.get("max", 1000)
    value = record.get(condition["field"])
    if "equals" in condition:
        return value == condition["equals"]
    if "in" in condition:
        return value in condition["in"]
    if "empty" in condition:
        return is_empty(value) == condition["empty"]
    if "greater_than" in condition:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and value > condition["greater_than"]
    raise ValueError(f"unknown condition {condition!r}")
