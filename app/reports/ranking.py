"""月排名: the monthly ranking of townships and villages on the county dashboard (DOMAIN §12).

Each measure gives a figure per village for a month, and says whether lower or higher is better
and how villages' figures add up to a township's. Every area gets a rank per measure (ties share
a rank); the overall rank orders the sums of those ranks, then the names. Measures:

- overdue visits: visits missing from the owed periods that ended in the month (app.visits),
  stored per village and month (app.figures.monthly) and counted by the recount job; a village
  the user covers only in part is counted live within their areas;
- clue timeliness: of the clues whose verification was due in the month, the share verified by
  their last day (app.clues; a village with none due has no figure);
- census coverage: households with a record in the campaign, in % of those registered (the
  stored village figures).

Stored figures are shown with the time the oldest of them was counted, and whether some are
being counted again (``Ranking.counted_at``, ``recounting``), as the dashboard's own.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from app.campaigns.models import Campaign
from app.clues import queries as clues
from app.codes import N_
from app.figures import bands, monthly
from app.figures.store import WHOLE_VILLAGE, village_figures
from app.geo.models import Area
from app.households.scope import scope_of
from app.visits import queries as visits


@dataclass(frozen=True)
class Measure:
    code: str
    label: str  # message id
    lower_is_better: bool
    # (user, campaign, villages, first day, last day) → (per village (numerator, denominator),
    # the Counted of the stored figures read, or None when counted live); the figure is
    # numerator / denominator in % when the denominator is not None, else the numerator
    per_village: Callable[..., tuple[dict[int, tuple[int, int | None]], Counted | None]]


@dataclass(frozen=True)
class Counted:
    """When the oldest stored figure read was counted (None: none stored), and whether some are
    being counted again."""

    at: dt.datetime | None
    recounting: bool


@dataclass
class Line:
    area: Area
    parts: dict[str, tuple[int, int | None]] = field(default_factory=dict)  # measure → (numerator, denominator)
    ranks: dict[str, int] = field(default_factory=dict)
    overall: int = 0

    def figure(self, code: str) -> int | Decimal | None:
        numerator, denominator = self.parts.get(code, (0, None))
        return numerator if denominator is None else bands.percent(numerator, denominator)


def _overdue(user, campaign, villages, first, last):
    """Stored for the villages the user covers whole; live for one they cover only some groups of."""
    whole = sorted(set(villages) & scope_of(user).village_ids)
    stored = monthly.month_figures(visits.OVERDUE_VISITS, whole, first)
    missed = dict(stored.values)
    in_part = sorted(set(villages) - set(whole))
    if in_part:
        missed.update(visits.missed_by_village(user, first, last, in_part))
    return {village: (missed.get(village, 0), None) for village in villages}, Counted(stored.counted_at,
                                                                                       stored.recounting)


def _clue_timeliness(user, campaign, villages, first, last):
    found = clues.verified_in_time_by_village(user, villages, first, last)
    return {village: found.get(village, (0, 0)) for village in villages}, None  # none due: no figure


def _coverage(user, campaign, villages, first, last):
    stored = village_figures(campaign, villages, whole=frozenset(villages))
    return {village: (counts.visited, counts.households) for (village, group), counts in stored.counts.items()
            if group == WHOLE_VILLAGE}, Counted(stored.counted_at, stored.recounting)


def measures() -> list[Measure]:
    return [Measure("overdue_visits", N_("逾期走访次数"), True, _overdue),
            Measure("clue_timeliness", N_("线索按期核查率"), False, _clue_timeliness),
            Measure("census_coverage", N_("普查覆盖率"), False, _coverage)]


def month_bounds(month: str | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of ``month`` ("YYYY-MM"), by default the last full month."""
    if month:
        first = dt.datetime.strptime(month, "%Y-%m").date()
    else:
        first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def rank(lines: list[Line], chosen: list[Measure]) -> list[Line]:
    """Ranks per measure (equal figures share a rank; no figure ranks last), then overall."""
    for measure in chosen:
        def key(line, measure=measure):
            figure = line.figure(measure.code)
            if figure is None:
                return (1, 0)
            return (0, figure if measure.lower_is_better else -figure)
        ordered = sorted(lines, key=key)
        for position, line in enumerate(ordered):
            previous = ordered[position - 1] if position else None
            line.ranks[measure.code] = previous.ranks[measure.code] if previous and key(previous) == key(line) \
                else position + 1
    ordered = sorted(lines, key=lambda line: (sum(line.ranks.values()), line.area.code))
    for position, line in enumerate(ordered):
        line.overall = position + 1
    return ordered


def _add(first: int | None, second: int | None) -> int | None:
    return None if first is None and second is None else (first or 0) + (second or 0)


@dataclass(frozen=True)
class Ranking:
    townships: list[Line]
    villages: list[Line]
    measures: list[Measure]
    counted: Counted  # of the stored figures it read


def ranking(user, campaign: Campaign, villages: list[Area], townships: list[Area], first: dt.date,
            last: dt.date) -> Ranking:
    """Townships and villages ranked for the month from ``first`` to ``last``."""
    chosen = measures()
    village_ids = [village.id for village in villages]
    by_village = {village.id: Line(village) for village in villages}
    by_township = {township.id: Line(township) for township in townships}
    stamps = []
    for measure in chosen:
        figures, counted = measure.per_village(user, campaign, village_ids, first, last)
        if counted is not None:
            stamps.append(counted)
        for village in villages:
            numerator, denominator = figures.get(village.id, (0, None))
            by_village[village.id].parts[measure.code] = (numerator, denominator)
            township = by_township.get(village.parent_id)
            if township is not None:
                total, whole = township.parts.get(measure.code, (0, None))
                township.parts[measure.code] = (total + numerator, _add(whole, denominator))
    moments = [stamp.at for stamp in stamps if stamp.at is not None]
    return Ranking(rank(list(by_township.values()), chosen), rank(list(by_village.values()), chosen), chosen,
                   Counted(min(moments) if moments else None, any(stamp.recounting for stamp in stamps)))
