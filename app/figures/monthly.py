"""Monthly village figures (月度村级数据): a measure of a package above, counted per village and
month (the monthly ranking's overdue visits: app.visits.stored), kept in
``village_month_figure`` the way ``village_figures`` keeps the dashboards' counts.

- **Counting** stays with the package whose rule it is: it registers the measure with
  ``register(code, count)``, ``count(village ids, first day, last day)`` → {village: figure}
  (villages with none may be left out). Figures sits below it and never imports it.
- **Stale**: a row counted at another data version than its village's now (the package tracks
  its models with ``figures.models.track``, so their changes move the version), or counted on
  or before the last day of a month that has since ended. Missing: never counted.
- **Reading** (``month_figures``): the versions first, then the rows. A page that meets a
  stale row asks for the recount job and reads again, and shows what is stored with the time
  it was counted; only a village with nothing stored for the month is counted in the request.
- **The recount job** (``app.figures.jobs``) counts every stale stored row again: the months a
  page asked for are the months kept.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from app import clock
from app.extensions import db
from app.figures.models import VillageMonthFigure
from app.figures.store import _aware, ask_recount
from app.geo.models import Area
from app.sql import id_in

Count = Callable[[list[int], dt.date, dt.date], dict[int, int]]
MEASURES: dict[str, Count] = {}


def register(code: str, count: Count) -> None:
    """Keep ``code``'s figures per village and month, counted by ``count``."""
    MEASURES[code] = count


@dataclass(frozen=True)
class MonthFigures:
    """A measure's stored figure per village for a month, when the oldest of them was counted,
    and whether some are being counted again (shown as they were meanwhile)."""

    values: dict[int, int]
    counted_at: dt.datetime | None
    recounting: bool


def last_day(month: dt.date) -> dt.date:
    return (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def month_figures(code: str, village_ids, month: dt.date) -> MonthFigures:
    """``code``'s figure of each village for the month that starts on ``month``."""
    villages = sorted(village_ids)
    if not villages:
        return MonthFigures({}, None, False)
    stored, stale, versions = _stored(code, villages, month)
    if stale:
        ask_recount()
        stored, stale, versions = _stored(code, villages, month)
    missing = [village for village in stale if village not in stored]
    if missing:
        counted = refill(code, month, {village: versions[village] for village in missing})
        now = clock.now()
        stored.update((village, (counted[village], now)) for village in missing)
    moments = [_aware(counted_at) for _value, counted_at in stored.values()]
    return MonthFigures({village: value for village, (value, _counted_at) in stored.items()},
                        min(moments) if moments else None, len(missing) < len(stale))


def _stale(stored_version: int, version: int, counted_at: dt.datetime, month: dt.date, today: dt.date) -> bool:
    end = last_day(month)
    return stored_version != version or clock.county_date(counted_at) <= end < today


def _stored(code: str, villages: list[int], month: dt.date) -> tuple[dict, list[int], dict]:
    """Each village's stored (figure, counted at), the stale villages, and the versions read
    before the rows."""
    versions = dict(db.session.execute(select(Area.id, Area.data_version).where(id_in(Area.id, villages))).all())
    rows = {row.village_id: row for row in db.session.execute(
        select(VillageMonthFigure.village_id, VillageMonthFigure.data_version, VillageMonthFigure.value,
               VillageMonthFigure.counted_at)
        .where(VillageMonthFigure.measure == code, VillageMonthFigure.month == month,
               id_in(VillageMonthFigure.village_id, villages)))}
    today = clock.today()
    stale = [village for village in villages if village not in rows
             or _stale(rows[village].data_version, versions[village], rows[village].counted_at, month, today)]
    return {village: (row.value, row.counted_at) for village, row in rows.items()}, stale, versions


def refill(code: str, month: dt.date, versions: dict[int, int]) -> dict[int, int]:
    """Count ``code`` for these villages (id → the data version read before counting) in the
    month and store their rows, committed; each village's figure."""
    counted = MEASURES[code](sorted(versions), month, last_day(month))
    figures = {village: counted.get(village, 0) for village in versions}
    now = clock.now()
    rows = [{"measure": code, "village_id": village, "month": month, "data_version": version,
             "value": figures[village], "counted_at": now} for village, version in versions.items()]
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(VillageMonthFigure)
    # Two counting at once both store; the later one wins (as village_figures' refill_stale).
    db.session.execute(statement.on_conflict_do_update(
        index_elements=[VillageMonthFigure.measure, VillageMonthFigure.village_id, VillageMonthFigure.month],
        set_={name: statement.excluded[name] for name in ("data_version", "value", "counted_at")}), rows)
    db.session.commit()
    return figures


def stale_months() -> dict[tuple[str, dt.date], dict[int, int]]:
    """Every stale stored row of a registered measure: (code, month) → {village: its version now}."""
    today = clock.today()
    found: dict[tuple[str, dt.date], dict[int, int]] = defaultdict(dict)
    for code, month, village, stored_version, counted_at, version in db.session.execute(
            select(VillageMonthFigure.measure, VillageMonthFigure.month, VillageMonthFigure.village_id,
                   VillageMonthFigure.data_version, VillageMonthFigure.counted_at, Area.data_version)
            .join(Area, Area.id == VillageMonthFigure.village_id)
            .where(VillageMonthFigure.measure.in_(sorted(MEASURES)))
            .order_by(VillageMonthFigure.measure, VillageMonthFigure.month, VillageMonthFigure.village_id)):
        if _stale(stored_version, version, counted_at, month, today):
            found[(code, month)][village] = version
    return dict(found)
