"""Screening (风险筛查): flags with reason codes, and a suggested category and risk types.

Suggestions only: people decide (village assessment, township approval). Mirrored by
static/js/core/screening.js and checked by tests/vectors/income.json.

Flags, in this order:
- below_threshold: per-capita net income ≤ the threshold ("within the monitoring range")
- near_threshold: above it, by no more than the configured margin (percent of the threshold)
- guarantee_failed: one flag per "3+1" check answered no
- rigid_cost_burden: out-of-pocket costs ≥ the configured share of family net income
  (always when net income ≤ 0 and there are such costs)
- after_rigid_costs_within_threshold: per-capita net income above the threshold, but per-capita
  income after rigid costs (DOMAIN §5) at or below it: suggests 突发严重困难户
- sharp_drop: per-capita net income down by ≥ the configured percent against last year
- sudden_event: an illness, disaster, accident, job loss … was recorded
- without_labour: no present member has any labour capacity (整户无劳动能力)
"""
from __future__ import annotations

from app.census.income import divide_half_up, fen_of

NO_LABOUR = {"lost", "none"}
WORKING_LABOUR = {"ordinary", "skilled"}
EVENT_RISK = {"illness": "illness", "disaster": "natural_disaster", "accident": "accident",
              "job_loss": "unstable_employment", "business_failure": "failed_business"}
MAX_RISK_TYPES = 5
RIGID_COST_FLAGS = {"rigid_cost_burden", "after_rigid_costs_within_threshold"}


def present_members(answers: dict) -> list[dict]:
    return [m for m in answers.get("members") or [] if m.get("status", "present") == "present"]


def flags(definition: dict, answers: dict, income: dict) -> list[dict]:
    settings = definition["settings"]
    found = []
    per_capita, threshold = income["per_capita_net_income"], income["threshold"]
    if per_capita is not None and threshold is not None:
        if per_capita <= threshold:
            found.append({"code": "below_threshold", "params": {"per_capita": per_capita, "threshold": threshold}})
        elif per_capita <= threshold + divide_half_up(threshold * settings["near_threshold_margin_percent"], 100):
            found.append({"code": "near_threshold", "params": {"per_capita": per_capita, "threshold": threshold}})

    guarantees = answers.get("guarantees") or {}
    for guarantee in definition["guarantees"]:
        if guarantees.get(guarantee["id"]) is False:
            found.append({"code": "guarantee_failed", "params": {"guarantee": guarantee["id"]}})

    out_of_pocket, net = income["out_of_pocket"], income["family_net_income"]
    if out_of_pocket > 0 and (net <= 0 or out_of_pocket * 100 >= net * settings["rigid_cost_share_percent"]):
        found.append({"code": "rigid_cost_burden", "params": {"out_of_pocket": out_of_pocket, "net_income": net}})
    after_rigid = income["per_capita_after_rigid_costs"]
    if per_capita is not None and threshold is not None and per_capita > threshold and after_rigid <= threshold:
        found.append({"code": "after_rigid_costs_within_threshold",
                      "params": {"per_capita": per_capita, "after_rigid_costs": after_rigid, "threshold": threshold}})

    last = income["last_year_per_capita_net_income"]
    if per_capita is not None and last is not None and last > 0 and \
            (last - per_capita) * 100 >= last * settings["sharp_drop_percent"]:
        found.append({"code": "sharp_drop", "params": {"per_capita": per_capita, "last_year": last,
                                                       "growth_rate": income["growth_rate"]}})

    events = [event for event in answers.get("events") or [] if event.get("type")]
    if events:
        found.append({"code": "sudden_event", "params": {"types": sorted({event["type"] for event in events})}})

    members = present_members(answers)
    if members and all(member.get("labour_capacity") in NO_LABOUR for member in members):
        found.append({"code": "without_labour", "params": {}})
    return found


def suggested_category(household_type: str | None, found: list[dict]) -> str | None:
    codes = {flag["code"] for flag in found}
    if "below_threshold" in codes:
        return "unstable_out_of_poverty" if household_type == "out_of_poverty" else "marginal"
    if codes & (RIGID_COST_FLAGS | {"sharp_drop", "sudden_event"}):
        return "sudden_hardship"
    return None


def suggested_risk_types(definition: dict, answers: dict, income: dict, found: list[dict]) -> list[str]:
    """Local risk-type codes (DOMAIN §9), at most five, in the definition's order."""
    if not found:
        return []
    codes = {flag["code"] for flag in found}
    failed = {flag["params"]["guarantee"] for flag in found if flag["code"] == "guarantee_failed"}
    members = present_members(answers)
    money = answers.get("income") or {}
    reasons = set()
    ill = any(m.get("serious_illness") or m.get("chronic_illness") for m in members)
    if ill and income["out_of_pocket"] > 0:
        reasons.add("illness")
    if any(m.get("disabled") and m.get("labour_capacity") not in WORKING_LABOUR for m in members):
        reasons.add("disability")
    if "without_labour" in codes or (members and not any(m.get("labour_capacity") in WORKING_LABOUR for m in members)):
        reasons.add("lack_of_labour")
    for event in answers.get("events") or []:
        if event.get("type") in EVENT_RISK:
            reasons.add(EVENT_RISK[event["type"]])
    schooling_costs = fen_of(money.get("out_of_pocket_schooling")) > 0
    if "compulsory_education" in failed or (schooling_costs and codes & RIGID_COST_FLAGS):
        reasons.add("schooling")
    if "housing" in failed:
        reasons.add("unsafe_housing")
    if "drinking_water" in failed:
        reasons.add("unsafe_water")
    ordered = [risk["code"] for risk in definition["risk_types"] if risk["id"] in reasons]
    return ordered[:MAX_RISK_TYPES]


def screen(definition: dict, answers: dict, income: dict, household_type: str | None) -> dict:
    found = flags(definition, answers, income)
    return {"flags": found, "suggested_category": suggested_category(household_type, found),
            "suggested_risk_types": suggested_risk_types(definition, answers, income, found)}
