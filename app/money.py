"""Money is held as integer fen. These helpers are the only way to and from yuan text."""
from __future__ import annotations

import re
from decimal import Decimal

# Plain yuan: digits, an optional sign, at most two decimals. No exponents, no rounding.
YUAN_PATTERN = re.compile(r"-?\d+(\.\d{1,2})?")


class MoneyError(ValueError):
    """The text is not an amount of yuan with at most two decimals."""


def parse_yuan(text: str | int | Decimal) -> int:
    """'8700' or '8,700.5' yuan → fen. Refuses more than two decimals rather than rounding."""
    cleaned = str(text).strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    if not YUAN_PATTERN.fullmatch(cleaned):
        raise MoneyError(cleaned)
    return int(Decimal(cleaned) * 100)


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
