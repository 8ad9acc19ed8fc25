"""Visit duties 走访责任 (DOMAIN §12): which contacts a household is owed on a day, and which
it was owed and did not get.

What must always hold:
- A duty is a rule: households of a monitoring status (unresolved / resolved) or of a circle
  layer are contacted ``count`` times in every calendar ``period`` (ISO week, month, half year
  January–June / July–December, year) by a contact of one of its ``kinds``.
- A household's status and layer are histories of spells (a value from a day until the next
  spell; None: none). A rule applies on a day when the household's status or layer that day is
  the rule's.
- The current period's duty is shown as due while the rule applies, however late in the period
  it began; a period is *owed* (can be overdue) only when the rule applied on every one of its
  days, so a household that changes status or layer mid-period owes neither rule that period.
- Overdue is the shortfall of the last ended period owed; ``shortfalls`` lists every owed period
  that ended in a span, for the offices' counts and the monthly ranking.

Pure: no Flask, no database.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.codes import N_

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Rule:
    code: str  # names the duty within its set (task ids: "visit:<household>:<code>")
    applies_to: str  # "status" or "layer"
    value: str  # a MONITORING_STATUS or a CIRCLE_LAYER value
    kinds: tuple[str, ...]  # CONTACT_KIND values that fulfil it
    period: str  # DUTY_PERIOD value
    count: int


@dataclass(frozen=True)
class RuleSet:
    code: str
    name: str  # message id
    rules: tuple[Rule, ...]


ANY_CONTACT = ("call", "wechat", "home_visit")  # a home visit is also a contact


def _layer_rules(layer: str, contact_kinds: tuple[str, ...], contact_period: str,
                 visit_period: str) -> tuple[Rule, ...]:
    return (Rule(f"{layer}_contact", "layer", layer, contact_kinds, contact_period, 1),
            Rule(f"{layer}_home_visit", "layer", layer, ("home_visit",), visit_period, 1))


# The two rule sets counties reported (§12). A county picks one and may edit its copy.
SHIPPED = {
    "by_status": RuleSet("by_status", N_("按监测状态：未消除风险户每周至少走访两次，已消除风险户每周至少一次"), (
        Rule("unresolved_home_visit", "status", "unresolved", ("home_visit",), "week", 2),
        Rule("resolved_home_visit", "status", "resolved", ("home_visit",), "week", 1),
    )),
    "by_layer": RuleSet("by_layer", N_("按圈层：红橙黄每月电话或微信、每半年走访；蓝色每半年电话、每年走访"), (
        *_layer_rules("red", ANY_CONTACT, "month", "half_year"),
        *_layer_rules("orange", ANY_CONTACT, "month", "half_year"),
        *_layer_rules("yellow", ANY_CONTACT, "month", "half_year"),
        *_layer_rules("blue", ("call", "home_visit"), "half_year", "year"),
    )),
}
DEFAULT = "by_layer"


@dataclass(frozen=True)
class Spell:
    start: dt.date
    value: str | None  # None: no status (not monitored) or no layer from this day


@dataclass(frozen=True)
class Situation:
    """A household's monitoring status and circle layer over time, each as spells by start day."""

    status: tuple[Spell, ...] = ()
    layer: tuple[Spell, ...] = ()

    def spells(self, applies_to: str) -> tuple[Spell, ...]:
        return self.status if applies_to == "status" else self.layer


@dataclass(frozen=True)
class Contact:
    on: dt.date
    kind: str


@dataclass(frozen=True)
class Duty:
    """One rule's standing on a day: the current period, what is done and still due in it, and
    the shortfall of the last ended period owed."""

    rule: Rule
    period_start: dt.date
    period_end: dt.date
    done: int
    due: int
    overdue: int
    overdue_period_end: dt.date | None  # the last ended period owed, when it fell short


@dataclass(frozen=True)
class Shortfall:
    rule: Rule
    period_start: dt.date
    period_end: dt.date
    missing: int


def period_of(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar period (first day, last day) containing ``day``."""
    if period == "week":
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    if period == "month":
        start = day.replace(day=1)
        following = (start + dt.timedelta(days=32)).replace(day=1)
        return start, following - ONE_DAY
    if period == "half_year":
        if day.month <= 6:
            return dt.date(day.year, 1, 1), dt.date(day.year, 6, 30)
        return dt.date(day.year, 7, 1), dt.date(day.year, 12, 31)
    if period == "year":
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    raise ValueError(f"unknown period {period!r}")


def value_on(spells: Sequence[Spell], day: dt.date) -> str | None:
    found = None
    for spell in sorted(spells, key=lambda spell: spell.start):
        if spell.start > day:
            break
        found = spell.value
    return found


def _applies_throughout(rule: Rule, situation: Situation, start: dt.date, end: dt.date) -> bool:
    """Whether the rule applied on every day from ``start`` to ``end``."""
    spells = situation.spells(rule.applies_to)
    if value_on(spells, start) != rule.value:
        return False
    return all(spell.value == rule.value for spell in spells if start < spell.start <= end)


def _done(rule: Rule, contacts: Iterable[Contact], start: dt.date, end: dt.date) -> int:
    return sum(1 for contact in contacts if contact.kind in rule.kinds and start <= contact.on <= end)


def _owed_shortfall(rule: Rule, situation: Situation, contacts: Sequence[Contact], start: dt.date,
                    end: dt.date) -> int | None:
    """What an ended period lacked, or None when it was not owed."""
    if not _applies_throughout(rule, situation, start, end):
        return None
    return max(0, rule.count - _done(rule, contacts, start, end))


def duties(rules: Iterable[Rule], situation: Situation, contacts: Sequence[Contact], on: dt.date) -> list[Duty]:
    """Every rule that applies to the household on ``on``, with what is due and overdue."""
    found = []
    for rule in rules:
        if value_on(situation.spells(rule.applies_to), on) != rule.value:
            continue
        start, end = period_of(rule.period, on)
        done = _done(rule, contacts, start, on)
        last_start, last_end = period_of(rule.period, start - ONE_DAY)
        missing = _owed_shortfall(rule, situation, contacts, last_start, last_end) or 0
        found.append(Duty(rule, start, end, done, max(0, rule.count - done), missing,
                          last_end if missing else None))
    return found


def shortfalls(rules: Iterable[Rule], situation: Situation, contacts: Sequence[Contact], first: dt.date,
               last: dt.date) -> list[Shortfall]:
    """Every owed period that ended between ``first`` and ``last`` (inclusive) and fell short."""
    found = []
    for rule in rules:
        end = period_of(rule.period, last)[1]
        if end > last:  # the period containing ``last`` has not ended
            end = period_of(rule.period, last)[0] - ONE_DAY
        while end >= first:
            start = period_of(rule.period, end)[0]
            missing = _owed_shortfall(rule, situation, contacts, start, end)
            if missing:
                found.append(Shortfall(rule, start, end, missing))
            end = start - ONE_DAY
    return found
