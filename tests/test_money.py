"""Yuan text to fen, against the vectors the phone's JavaScript also runs."""
import json
from pathlib import Path

import pytest

from app.money import MAX_FEN, MoneyError, format_yuan, parse_yuan

VECTORS = json.loads((Path(__file__).parent / "vectors" / "money.json").read_text())


def test_the_bound_is_the_vectors():
    assert MAX_FEN == VECTORS["max_fen"] == 100_000_000 * 100


@pytest.mark.parametrize("case", VECTORS["cases"], ids=[case["name"] for case in VECTORS["cases"]])
def test_money_vectors(case):
    if case["problem"] is None:
        assert parse_yuan(case["input"]) == case["fen"]
    else:
        with pytest.raises(MoneyError) as refused:
            parse_yuan(case["input"])
        assert refused.value.problem == case["problem"]


def test_thousands_of_digits_are_too_large_not_a_crash():
    """Python's int() refuses strings of more than 4,300 digits with a plain ValueError."""
    with pytest.raises(MoneyError) as refused:
        parse_yuan("9" * 5000)
    assert refused.value.problem == "too_large"


@pytest.mark.parametrize(("fen", "text"), [(870000, "8,700.00"), (1, "0.01"), (-250, "-2.50"), (0, "0.00"), (None, "")])
def test_format_yuan(fen, text):
    assert format_yuan(fen) == text
