"""The audit's field-by-field comparison 比对 of an auditor's copy of the census form with the
household's original record (DOMAIN §13).

What must always hold:
- Members are matched by person (identity.person_key), so the order they were listed in does
  not matter: a member missing from either side, or whose relation, status or labour capacity
  differs, is a difference.
- Each income item is compared in fen (census.income.fen_of): listed, but alone never decisive.
- Per-capita net income differs when the gap exceeds ``tolerance_percent`` of the original
  (an original of 0 differs from any other amount); that is decisive.
- The suggested category and the set of screening flags must agree; both decisive.
- The outcome is "discrepancy" when any difference is decisive, else "consistent".

Pure: no Flask, no database.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

from app.census.income import fen_of
from app.identity import person_key

MEMBER_FIELDS = ("relation", "status", "labour_capacity")
HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class Difference:
    field: str  # "member:<key>", "member:<key>:<attribute>", "income:<item>", "per_capita_net_income", …
    original: str | None
    audited: str | None
    decisive: bool
    percent: str | None = None  # per-capita income: the gap in % of the original

    def as_dict(self) -> dict:
        return asdict(self)


def _members(answers: dict) -> dict[str, dict]:
    found = {}
    for member in answers.get("members") or []:
        if isinstance(member, dict):
            key = person_key(member.get("id_number")) or f"name:{member.get('name', '')}"
            found[key] = member
    return found


def _text(value) -> str | None:
    return None if value is None else str(value)


def gap_percent(original: int, audited: int) -> Decimal | None:
    """|audited − original| in % of the original, exact (compared unrounded); None when the original is 0."""
    if original == 0:
        return None
    return Decimal(abs(audited - original)) * 100 / abs(original)


def compare(original_answers: dict, original_result: dict, audited_answers: dict, audited_result: dict,
            tolerance_percent: Decimal) -> list[Difference]:
    found: list[Difference] = []
    before, after = _members(original_answers), _members(audited_answers)
    for key in sorted(before.keys() | after.keys()):
        if key not in after or key not in before:
            found.append(Difference(f"member:{key}", _text((before.get(key) or {}).get("name")),
                                    _text((after.get(key) or {}).get("name")), True))
            continue
        for attribute in MEMBER_FIELDS:
            first, second = before[key].get(attribute), after[key].get(attribute)
            if first != second:
                found.append(Difference(f"member:{key}:{attribute}", _text(first), _text(second), True))
    income_before, income_after = original_answers.get("income") or {}, audited_answers.get("income") or {}
    for item in sorted(income_before.keys() | income_after.keys()):
        first, second = fen_of(income_before.get(item)), fen_of(income_after.get(item))
        if first != second:
            found.append(Difference(f"income:{item}", str(first), str(second), False))
    first = (original_result.get("income") or {}).get("per_capita_net_income") or 0
    second = (audited_result.get("income") or {}).get("per_capita_net_income") or 0
    gap = gap_percent(first, second)
    if (gap is None and first != second) or (gap is not None and gap > tolerance_percent):
        found.append(Difference("per_capita_net_income", str(first), str(second), True,
                                None if gap is None else str(gap.quantize(HUNDREDTH, ROUND_HALF_UP))))
    category = [(result.get("screening") or {}).get("suggested_category") for result in (original_result,
                                                                                           audited_result)]
    if category[0] != category[1]:
        found.append(Difference("category", _text(category[0]), _text(category[1]), True))
    flags = [sorted({flag.get("code") for flag in (result.get("screening") or {}).get("flags") or []})
             for result in (original_result, audited_result)]
    if flags[0] != flags[1]:
        found.append(Difference("flags", ",".join(flags[0]), ",".join(flags[1]), True))
    return found


def outcome(differences: list[Difference]) -> str:
    return "discrepancy" if any(difference.decisive for difference in differences) else "consistent"
