"""Resident identity numbers (GB 11643-1999): checksum, birth date and sex.

Pure module, mirrored by static/js/core/resident-id.js; both are checked against
tests/vectors/resident_id.json.

An 18-character number is 6 digits of area, 8 of birth date (YYYYMMDD), 3 of sequence
(odd = male) and a check character. The ID field may instead hold a 20-digit disability
certificate number (the 18-character ID followed by class and grade digits); its first 18
characters are validated.

A number is read as app/typed.py says (full-width characters as ASCII, spaces removed,
only ASCII accepted) and with a lower-case x as X. People are compared by their
``person_key``: the first 18 characters, so a disability certificate number and the ID
number it starts with are the same person.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from app.typed import compact

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"

# Reason codes, in the order they are tested.
LENGTH = "length"
CHARACTERS = "characters"
BIRTH_DATE = "birth_date"
CHECKSUM = "checksum"

RESIDENT = re.compile("[0-9]{17}[0-9X]")
CERTIFICATE_TAIL = re.compile("[0-9]{2}")


@dataclass(frozen=True)
class ResidentId:
    """The outcome of checking one number: ``problem`` is None when it is valid."""

    number: str
    problem: str | None = None
    birth_date: dt.date | None = None
    sex: str | None = None

    @property
    def valid(self) -> bool:
        return self.problem is None


def check_character(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS))
    return CHECK_CHARACTERS[total % 11]


def normalise(text: str | None) -> str:
    """The number as people type it, read: see the module's header. Anything but text is
    no number."""
    return compact(text).upper() if isinstance(text, str) else ""


def _form_problem(number: str) -> str | None:
    """LENGTH or CHARACTERS when a normalised number is not 18 (or 20) ASCII characters of an ID."""
    if len(number) not in (18, 20):
        return LENGTH
    if not (RESIDENT.fullmatch(number[:18]) and (len(number) == 18 or CERTIFICATE_TAIL.fullmatch(number[18:]))):
        return CHARACTERS
    return None


def person_key(text: str | None) -> str | None:
    """Who a number names, for comparing people across households (一人一户): its first 18
    characters once normalised; None when it is not a well-formed number. Whether the
    number is valid (date, checksum) is ``parse``'s question."""
    number = normalise(text)
    return None if _form_problem(number) else number[:18]


def parse(text: str | None, today: dt.date) -> ResidentId:
    """The number read, or its problem; a birth date after ``today`` (the county's date: the
    caller's clock, this module is below it) is one."""
    if type(text) is str and len(text) <= 64 and type(today) is dt.date:
        return _parse(text, today)
    return _read(text, today)


# Validation reads each member's number twice (the question, then the roster's rules): once
# here. ResidentId is frozen, so the remembered one is as good as a new one.
@lru_cache(maxsize=4096)
def _parse(text: str, today: dt.date) -> ResidentId:
    return _read(text, today)


def _read(text: str | None, today: dt.date) -> ResidentId:
    number = normalise(text)
    problem = _form_problem(number)
    if problem:
        return ResidentId(number, problem)
    resident = number[:18]
    try:
        birth_date = dt.date(int(resident[6:10]), int(resident[10:12]), int(resident[12:14]))
    except ValueError:
        return ResidentId(number, BIRTH_DATE)
    if birth_date.year < 1880 or birth_date > today:
        return ResidentId(number, BIRTH_DATE)
    if check_character(resident[:17]) != resident[17]:
        return ResidentId(number, CHECKSUM)
    sex = "male" if int(resident[16]) % 2 == 1 else "female"
    return ResidentId(number, None, birth_date, sex)


def make(area: str, birth_date: dt.date, sequence: int) -> str:
    """Build a valid number (used by the demo generator and tests)."""
    first17 = f"{area}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)
