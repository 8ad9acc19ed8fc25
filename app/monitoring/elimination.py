"""Risk-elimination preconditions (风险消除条件, DOMAIN §11), as a pure rule.

A monitored household may be proposed for risk elimination only when every condition holds,
read in data as DOMAIN §11 states:
- monitored for at least six calendar months (since the latest approved identification);
- at least one assistance measure carried out in the current monitoring period (on or after
  the day of that identification: a measure carried out in an earlier period does not count,
  nor one only declared; the message says when measures are declared but none carried out);
- income stably above the threshold in force: every income figure recorded in the last six
  months (``Facts.incomes``: approved census records; visits that record income will add
  theirs) is above it, per-capita net income and per-capita income after rigid costs alike;
  with no figure in those months nothing shows it;
- the rigid costs resolved: the latest approved record no longer carries the rigid-cost
  burden flag;
- all five "3+1" guarantees answered "yes" in that record;
- not a whole household without labour (never eliminated: it stays monitored).

``unmet`` names every condition that does not hold, each with a reason code and the values
the page shows, so the page says exactly what is missing (an income figure below the line
by the day it was recorded).

Pure module: no Flask, no database.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from app.codes import N_

MONITORED_MONTHS = 6
STABLE_MONTHS = 6  # "stably above the threshold for at least six months"

MESSAGES = {
    "monitored_six_months": N_("纳入监测未满 6 个月：%(since)s 纳入，%(earliest)s 起才能申报风险消除。"),
    "monitored_since_unknown": N_("没有批准的识别记录，无法确认已纳入监测满 6 个月。"),
    "assistance_measure": N_("本次纳入监测以来还没有落实的帮扶措施，至少需要一项。"),
    "assistance_measure_declared": N_(
        "本次纳入监测以来还没有落实的帮扶措施：已申报 %(declared)s 项，尚未落实，至少需要落实一项。"),
    "no_approved_record": N_("没有审核通过的入户调查记录，无法核实收入和“三保障”。"),
    "no_recent_income": N_("%(since)s 以来没有记录收入，无法确认收入稳定高于监测范围。"),
    "income_above_threshold": N_(
        "%(recorded_on)s 入户记录的人均纯收入 %(per_capita)s 元，未高于监测范围 %(threshold)s 元。"),
    "income_after_rigid_costs_above_threshold": N_(
        "%(recorded_on)s 入户记录的扣除刚性支出后人均收入 %(after_rigid_costs)s 元，未高于监测范围 %(threshold)s 元。"),
    "no_threshold": N_("未设置适用的监测范围，无法比较收入。"),
    "rigid_costs_resolved": N_("最近一次审核通过的记录仍有“刚性支出负担重”提示，刚性支出问题尚未解决。"),
    "guarantees_met": N_("最近一次审核通过的记录中“三保障”和饮水安全未全部达标：%(guarantees)s。"),
    "without_labour": N_("整户无劳动能力的监测对象不能申报风险消除。"),
}
MONEY_PARAMS = {"per_capita", "after_rigid_costs", "threshold"}


@dataclass(frozen=True)
class IncomeFigure:
    """One per-capita income figure recorded for the household, in fen."""

    source: str  # "census": an approved census record (a visit that records income adds its own kind)
    recorded_on: dt.date
    per_capita: int | None
    after_rigid_costs: int | None


@dataclass(frozen=True)
class Facts:
    today: dt.date
    monitored_since: dt.date | None  # the day the latest identification was approved
    measures: int  # assistance measures carried out since then (the current monitoring period)
    has_approved_record: bool
    declared_measures: int = 0  # measures declared and not yet carried out
    threshold: int | None = None  # fen, in force for the household's area
    incomes: tuple[IncomeFigure, ...] = ()  # every figure recorded; the rule keeps the last six months'
    unmet_guarantees: tuple[str, ...] = field(default=())  # ids answered other than "yes" in the latest record
    rigid_cost_burden: bool = False  # the latest approved record carries the flag
    without_labour: bool = False


@dataclass(frozen=True)
class Unmet:
    code: str
    params: dict


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def unmet(facts: Facts) -> list[Unmet]:
    found = []
    if facts.monitored_since is None:
        found.append(Unmet("monitored_since_unknown", {}))
    else:
        earliest = add_months(facts.monitored_since, MONITORED_MONTHS)
        if facts.today < earliest:
            found.append(Unmet("monitored_six_months", {"since": facts.monitored_since.isoformat(),
                                                        "earliest": earliest.isoformat()}))
    if facts.measures < 1:
        found.append(Unmet("assistance_measure_declared", {"declared": facts.declared_measures})
                     if facts.declared_measures else Unmet("assistance_measure", {}))
    if not facts.has_approved_record:
        found.append(Unmet("no_approved_record", {}))
    else:
        found += _incomes(facts)
        if facts.rigid_cost_burden:
            found.append(Unmet("rigid_costs_resolved", {}))
        if facts.unmet_guarantees:
            found.append(Unmet("guarantees_met", {"guarantees": facts.unmet_guarantees}))
    if facts.without_labour:
        found.append(Unmet("without_labour", {}))
    return found


def _incomes(facts: Facts) -> list[Unmet]:
    """Every figure of the last six months below the line, net and after rigid costs, newest first."""
    if facts.threshold is None:
        return [Unmet("no_threshold", {})]
    since = add_months(facts.today, -STABLE_MONTHS)
    recent = sorted((figure for figure in facts.incomes if figure.recorded_on >= since),
                    key=lambda figure: figure.recorded_on, reverse=True)
    if not recent:
        return [Unmet("no_recent_income", {"since": since.isoformat()})]
    found = []
    for figure in recent:
        day = {"recorded_on": figure.recorded_on.isoformat(), "threshold": facts.threshold}
        if figure.per_capita is None or figure.per_capita <= facts.threshold:
            found.append(Unmet("income_above_threshold", {**day, "per_capita": figure.per_capita}))
        if figure.per_capita is None:
            continue  # no one to divide by: neither figure exists
        if figure.after_rigid_costs is None or figure.after_rigid_costs <= facts.threshold:
            found.append(Unmet("income_after_rigid_costs_above_threshold",
                               {**day, "after_rigid_costs": figure.after_rigid_costs}))
    return found
