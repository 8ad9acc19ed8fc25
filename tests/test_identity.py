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


def test_published_example_is_valid():
    """DOMAIN.md §4 gives 11010519491231002X as a valid number."""
    assert identity.check_character("11010519491231002") == "X"


def test_make_builds_numbers_that_parse_back():
    number = identity.make("530102", dt.date(1990, 7, 1), 17)
    parsed = identity.parse(number)
    assert parsed.valid and parsed.birth_date == dt.date(1990, 7, 1) and parsed.sex == "male"
