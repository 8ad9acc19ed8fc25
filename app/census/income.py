"""Income engine (收入测算): definition + answers → income figures in integer fen, with the
lines that explain how each figure was computed.

Invariants (mirrored by static/js/core/income.js, checked by tests/vectors/income.json):
- Money is integer fen throughout; yuan text is parsed by app.money rules only.
- family net income = wage + business + property + transfer − business expenses, counting
  only the items the definition marks as counted (which items count is configurable).
- Out-of-pocket costs and insurance payouts are recorded beside net income, never in it.
- Household size = members present who live and share income together; with no such
  member, per-capita figures are None (never a division by zero).
- Every division rounds half away from zero to the fen (or to 0.01 % for growth).
- Growth against last year is None ("n/a") when there is no last year or it was ≤ 0.
"""
from __future__ import annotations

from app.money import MoneyError, parse_yuan

NET_INCOME_SIGNS = {"wage": 1, "business": 1, "property": 1, "transfer": 1, "business_expenses": -1}


def divide_half_up(numerator: int, denominator: int) -> int:
    """Integer division rounding half away from zero (Python's round() rounds half to even)."""
    quotient, remainder = divmod(abs(numerator), abs(denominator))
    if 2 * remainder >= abs(denominator):
        quotient += 1
    return quotient if (numerator >= 0) == (denominator > 0) else -quotient


def fen_of(text) -> int:
    """An answered amount in fen; blank or unreadable counts as 0 (validation reports it)."""
    if text is None or str(text).strip() == "":
        return 0
    try:
        return parse_yuan(text)
    except MoneyError:
        return 0


def household_size(members: list[dict]) -> int:
    return sum(1 for member in members if member.get("status", "present") == "present"
               and member.get("shares_income", True))


def format_growth(basis_points: int) -> str:
    sign = "-" if basis_points < 0 else ""
    whole, hundredths = divmod(abs(basis_points), 100)
    return f"{sign}{whole}.{hundredths:02d}"


def compute(definition: dict, answers: dict, *, threshold: int | None = None,
            last_year_per_capita: int | None = None) -> dict:
    money = answers.get("income") or {}
    lines = []
    categories = {}
    for category in definition["income"]["categories"]:
        terms = [{"item": item["id"], "value": fen_of(money.get(item["id"]))}
                 for item in category["items"] if item.get("counts", True)]
        categories[category["id"]] = sum(term["value"] for term in terms)
        lines.append({"id": category["id"], "value": categories[category["id"]], "terms": terms})

    family_net_income = sum(NET_INCOME_SIGNS[key] * value for key, value in categories.items())
    lines.append({"id": "family_net_income", "value": family_net_income,
                  "terms": [{"item": key, "value": value, "sign": NET_INCOME_SIGNS[key]}
                            for key, value in categories.items()]})

    beside = {"out_of_pocket": 0, "insurance_payout": 0}
    for item in definition["income"]["beside"]:
        beside[item["kind"]] += fen_of(money.get(item["id"]))

    size = household_size(answers.get("members") or [])
    per_capita = divide_half_up(family_net_income, size) if size else None
    lines.append({"id": "per_capita_net_income", "value": per_capita,
                  "terms": [{"item": "family_net_income", "value": family_net_income},
                            {"item": "household_size", "value": size}]})

    after_rigid = family_net_income + beside["insurance_payout"] - beside["out_of_pocket"]
    per_capita_after_rigid = divide_half_up(after_rigid, size) if size else None
    lines.append({"id": "per_capita_after_rigid_costs", "value": per_capita_after_rigid,
                  "terms": [{"item": "family_net_income", "value": family_net_income},
                            {"item": "insurance_payouts", "value": beside["insurance_payout"]},
                            {"item": "out_of_pocket", "value": beside["out_of_pocket"]},
                            {"item": "household_size", "value": size}]})

    growth = None
    if per_capita is not None and last_year_per_capita is not None and last_year_per_capita > 0:
        growth = format_growth(divide_half_up((per_capita - last_year_per_capita) * 10000, last_year_per_capita))
    lines.append({"id": "growth_rate", "value": growth,
                  "terms": [{"item": "per_capita_net_income", "value": per_capita},
                            {"item": "last_year_per_capita_net_income", "value": last_year_per_capita}]})

    within_threshold = None
    if per_capita is not None and threshold is not None:
        within_threshold = per_capita <= threshold

    return {
        "household_size": size,
        "categories": categories,
        "family_net_income": family_net_income,
        "per_capita_net_income": per_capita,
        "out_of_pocket": beside["out_of_pocket"],
        "insurance_payouts": beside["insurance_payout"],
        "per_capita_after_rigid_costs": per_capita_after_rigid,
        "last_year_per_capita_net_income": last_year_per_capita,
        "growth_rate": growth,
        "threshold": threshold,
        "within_threshold": within_threshold,
        "lines": lines,
    }
