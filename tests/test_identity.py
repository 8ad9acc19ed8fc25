import datetime as dt
import json
from pathlib import Path

import pytest

from app import identity

TODAY = dt.date(2026, 12, 3)
VECTORS = json.loads((Path(__file__).parent / "vectors" / "resident_id.json").read_text())["cases"]


@pytest.mark.parametrize("case", VECTORS, ids=[case["name"] for case in VECTORS])
def test_resident_id_vectors(case):
    result = identity.parse(case["input"], today=dt.date.fromisoformat(case["today"]))
    assert result.problem == case["problem"]
    assert (result.birth_date.isoformat() if result.birth_date else None) == case["birth_date"]
    assert result.sex == case["sex"]
    assert identity.person_key(case["input"]) == case["key"]


def test_published_example_is_valid():
    """DOMAIN.md §4 gives 11010519491231002X as a valid number."""
    assert identity.check_character("11010519491231002") == "X"


@pytest.mark.parametrize("text", [None, "", "\u00b2" * 18, "\u0661" * 20, "\U0001d7ce" * 18, "\ufb01" * 18, "\u00df" * 18])
def test_no_text_raises(text):
    """Whatever is typed or pasted is a number or a problem, never an exception."""
    assert identity.parse(text, TODAY).problem in (None, identity.LENGTH, identity.CHARACTERS, identity.BIRTH_DATE,
                                            identity.CHECKSUM)
    identity.person_key(text)


def test_make_builds_numbers_that_parse_back():
    number = identity.make("530102", dt.date(1990, 7, 1), 17)
    parsed = identity.parse(number, TODAY)
    assert parsed.valid and parsed.birth_date == dt.date(1990, 7, 1) and parsed.sex == "male"


def test_a_number_read_from_a_file_is_checked_against_the_countys_date(app_context, monkeypatch):
    """Born today in the county is no future birth date, whatever the date is in UTC."""
    from app import clock
    from app.files import cells

    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2030, 1, 1, 1, 0, tzinfo=dt.UTC))
    born_today = identity.make("530102", dt.date(2030, 1, 1), 17)
    assert cells.id_number(born_today) == born_today
