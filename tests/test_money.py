import pytest

from app.money import MoneyError, format_yuan, parse_yuan


@pytest.mark.parametrize(("text", "fen"), [
    ("8700", 870000), ("8,700.5", 870050), ("0.01", 1), ("¥19,560.00", 1956000), ("0", 0), (" 12.30 ", 1230),
    ("1000000000", 100000000000),
])
def test_parse_yuan(text, fen):
    assert parse_yuan(text) == fen


@pytest.mark.parametrize("text", ["", "abc", "1.234", "NaN", "Infinity", "1e400"])
def test_parse_yuan_refuses(text):
    with pytest.raises(MoneyError):
        parse_yuan(text)


@pytest.mark.parametrize(("fen", "text"), [(870000, "8,700.00"), (1, "0.01"), (-250, "-2.50"), (0, "0.00"), (None, "")])
def test_format_yuan(fen, text):
    assert format_yuan(fen) == text
