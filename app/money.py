"""Money is held as integer fen. These helpers are the only way to and from yuan text."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


class MoneyError(ValueError):
    """The text is not an amount of yuan with at most two decimals."""


def parse_yuan(text: str | int | Decimal) -> int:
    """'8700' or '8,700.5' yuan → fen. Refuses more than two decimals rather than rounding."""
    cleaned = str(text).strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as error:
        raise MoneyError(cleaned) from error
    if not amount.is_finite() or amount.as_tuple().exponent < -2:
        raise MoneyError(cleaned)
    return int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))


def format_yuan(fen: int | None) -> str:
    """Fen → '8,700.00'; empty for no amount."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{yuan:,}.{cents:02d}"
