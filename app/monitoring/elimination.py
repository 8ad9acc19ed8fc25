"""Risk-elimination preconditions (风险消除条件, DOMAIN §11), as a pure rule.

A monitored household may be proposed for risk elimination only when every condition holds:
- monitored for at least six calendar months;
- at least one assistance measure recorded;
- the latest approved record's per-capita net income is above the threshold in force;
- all five "3+1" guarantees answered "yes" in that record;
- not a whole household without labour (never eliminated: it stays monitored).

``unmet`` names every condition that does not hold, each with a reason code and the values
the page shows, so the page says exactly what is missing.

Pure module: no Flask, no database.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from app.codes import N_

MONITORED_MONTHS = 6

MESSAGES = {
    "monitored_six_months": N_("纳入监测未满 6 个月：%(since)s 纳入，%(earliest)s 起才能申报风险消除。"),
    "monitored_since_unknown": N_("没有批准的识别记录，无法确认已纳入监测满 6 个月。"),
    "assistance_measure": N_("还没有登记帮扶措施，至少需要一项。"),
    "no_approved_record": N_("没有审核通过的入户调查记录，无法核实收入和“三保障”。"),
    "income_above_threshold": N_("最近一次审核通过的人均纯收入 %(per_capita)s 元，未高于监测范围 %(threshold)s 元。"),
    "no_threshold": N_("未设置适用的监测范围，无法比较收入。"),
    "guarantees_met": N_("最近一次审核通过的记录中“三保障”和饮水安全未全部达标：%(guarantees)s。"),
    "without_labour": N_("整户无劳动能力的监测对象不能申报风险消除。"),
}
MONEY_PARAMS = {"per_capita", "threshold"}


@dataclass(frozen=True)
class Facts:
    today: dt.date
    monitored_since: dt.date | None  # the day the identification was approved
    measures: int  # assistance measures recorded
    has_approved_record: bool
    per_capita: int | None = None  # fen, from the latest approved record
    threshold: int | None = None  # fen, in force for the household's area
    unmet_guarantees: tuple[str, ...] = field(default=())  # ids answered other than "yes"
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
        found.append(Unmet("assistance_measure", {}))
    if not facts.has_approved_record:
        found.append(Unmet("no_approved_record", {}))
    else:
        if facts.threshold is None:
            found.append(Unmet("no_threshold", {}))
        elif facts.per_capita is None or facts.per_capita <= facts.threshold:
            found.append(Unmet("income_above_threshold", {"per_capita": facts.per_capita,
                                                          "threshold": facts.threshold}))
        if facts.unmet_guarantees:
            found.append(Unmet("guarantees_met", {"guarantees": facts.unmet_guarantees}))
    if facts.without_labour:
        found.append(Unmet("without_labour", {}))
    return found
