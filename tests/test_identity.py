import datetime as dt
import json
from pathlib import Path

import pytest

from app import identity

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
    assert identity.parse(text).problem in (None, identity.LENGTH, identity.CHARACTERS, identity.BIRTH_DATE,
                                            identity.CHECKSUM)
    identity.person_key(text)


def test_make_builds_numbers_that_parse_back():
    number = identity.make("530102", dt.date(1990, 7, 1), 17)
    parsed = identity.parse(number)
    assert parsed.valid and parsed.birth_date == dt.date(1990, 7, 1) and parsed.sex == "male"
