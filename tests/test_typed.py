"""How typed numbers are read before they are parsed (the ID and money vectors cover the rest)."""
import pytest

from app.typed import compact, whole_number


def test_compact_reads_full_width_and_removes_every_space_and_invisible_character():
    assert compact("\ufeff１２\u3000３\u00a04\u200b5\t6\n") == "123456"


@pytest.mark.parametrize(("text", "number"), [("0", 0), ("12", 12), ("0012", 12), ("2147483647", 2**31 - 1)])
def test_whole_number_reads_ascii_digits(text, number):
    assert whole_number(text) == number


@pytest.mark.parametrize("text", ["", "١٢", "²", "１２", " 12", "-1", "+1", "1_000", "1.0",
                                  "2147483648", "9" * 40])
def test_whole_number_refuses_anything_else_as_werkzeug_expects(text):
    """werkzeug's ``type=`` turns a ValueError into the default; int() would accept most of these,
    and a number past a 32-bit id column would overflow PostgreSQL's query."""
    with pytest.raises(ValueError):
        whole_number(text)
