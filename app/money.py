"""Money is held as integer fen. These helpers are the only way to and from yuan text;
static/js/core/money.js mirrors ``parse_yuan``, both checked by tests/vectors/money.json.

What a cadre may type for an amount of yuan, after app/typed.py's reading (full-width
characters as ASCII, every space removed wherever it is, so "5 000" is 5000):
- digits, with at most two decimals after a point: "8700", "8700.5", "0.01". More
  decimals are refused, never rounded; so are "5000." and ".5";
- commas only as thousands separators, in groups of three: "5,000" and "1,234,567.89",
  but not "12,50" (a slip for 12.50 would otherwise read as 1,250 yuan);
- an optional sign, then an optional yuan sign, before the digits: "-5", "+5", "¥8,700";
- at most ¥100,000,000 either way (MAX_FEN), so that every sum of a record's items fits
  the database's BIGINT columns and the phone's exact integers.
A JSON number is read as the text JavaScript would write for it.
"""
from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from app.typed import compact

FORMAT = "format"
TOO_LARGE = "too_large"
MAX_FEN = 100_000_000 * 100

AMOUNT = re.compile(r"(?P<sign>[-+]?)¥?(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<cents>[0-9]{1,2}))?")
# More whole digits than MAX_FEN's yuan have, once leading zeros are gone: too large for certain.
MAX_WHOLE_DIGITS = len(str(MAX_FEN // 100))


class MoneyError(ValueError):
    """The text is not an amount of yuan: ``problem`` is FORMAT or TOO_LARGE."""

    def __init__(self, text: str, problem: str = FORMAT):
        super().__init__(text)
        self.problem = problem


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_yuan(text: str | int | float | Decimal) -> int:
    """'8700', '8,700.5' or '５０００' yuan → fen (see the module's header for what reads)."""
    text = text if type(text) is str else _text(text)
    return _parse_text(text) if len(text) <= SHORT else _parse_text.__wrapped__(text)


SHORT = 64  # what an amount typed by a person is; longer texts are read without being remembered


# The income and validation read each answered amount of a record, and amounts repeat: each
# text is read once (an unreadable one raises each time: exceptions are not remembered).
@lru_cache(maxsize=4096)
def _parse_text(text: str) -> int:
    cleaned = compact(text)
    match = AMOUNT.fullmatch(cleaned)
    if not match:
        raise MoneyError(cleaned)
    whole = match["whole"].replace(",", "").lstrip("0")
    if len(whole) > MAX_WHOLE_DIGITS:
        raise MoneyError(cleaned, TOO_LARGE)
    fen = int(whole or "0") * 100 + int((match["cents"] or "").ljust(2, "0"))
    if fen > MAX_FEN:
        raise MoneyError(cleaned, TOO_LARGE)
    return -fen if match["sign"] == "-" else fen


def format_yuan(fen: int | None) -> str:
    """Fen → '8,700.00'; empty for no amount."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


def yuan(fen: int | None) -> Decimal | None:
    """Fen → exact yuan with two decimals (Decimal('14178.12')), for files that add amounts up."""
    return None if fen is None else (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))
