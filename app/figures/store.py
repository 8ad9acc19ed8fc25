"""Reading the stored village counts, and the two named paths that write them.

A page reads the villages' data versions first, then their stored rows; a row counted at
another version or circle-layer line than the village's now (or missing) is stale. The version is read before the data
it describes, so a change committed in between leaves the row marked stale, never wrong.

Writes (each commits only ``VillageFigures`` rows, a cache: deleting every row loses nothing):
- the recount job (``app.figures.jobs``, asked by ``ask_recount``): after the response of a
  request whose writes changed villages (``app.figures.init_app``), and by a page that met a
  stale village, the worker counts every stale village again and stores it. A page meanwhile
  shows the stored counts with the time they were counted (``Figures``).
- ``refill_stale``: the job's counting, and a page's for a village with nothing stored yet
  (the one write of figures a GET makes; asking for the job is the other).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import g
from sqlalchemy import Row, select
from sqlalchemy.dialects import postgresql, sqlite

from app import clock
from app.campaigns.models import Campaign
from app.campaigns.queries import village_lines
from app.extensions import db
from app.figures.counts import Counts, village_counts
from app.figures.models import VillageFigures
from app.geo.models import Area
from app.jobs import services as jobs
from app.sql import id_in

RECOUNT_JOB = "figures.recount"
READ_IN_REQUEST = "ruhu_figure_rows"  # in flask.g: stored rows read in this request, with their counts
WHOLE_VILLAGE = "*"  # the group of a village's totals (every group, and households in none)


@dataclass(frozen=True)
class Figures:
    """Stored counts by (village, group) or (village, WHOLE_VILLAGE), when the oldest of them
    was counted, and whether some are being counted again (shown as they were meanwhile)."""

    counts: dict[tuple[int, int | str | None], Counts]
    counted_at: dt.datetime | None
    recounting: bool


def village_figures(campaign: Campaign, village_ids, *, whole=frozenset()) -> Figures:
    """The villages' counts by (village, group), or by (village, WHOLE_VILLAGE) for the
    villages in ``whole`` (a county adds up 300 villages instead of 2,000 groups), their
    circle layers by the line in force for each.

    Stale villages are the recount job's (``ask_recount``): a page shows their stored counts
    with the time they were counted while the worker counts them again (in immediate mode,
    before the page reads them). Only a village with nothing stored yet is counted here."""
    villages = sorted(village_ids)
    stored, stale, versions, lines = _stored(campaign, villages, whole)
    if stale:
        ask_recount()
        stored, stale, versions, lines = _stored(campaign, villages, whole)
    counts: dict[tuple[int, int | str | None], Counts] = {}
    moments = []
    for village, read in stored.items():
        if read.counts is None:  # parsed once a request, however often asked
            read.counts = _parse(village, read.row.counts, village in whole)
        counts.update(read.counts)
        moments.append(_aware(read.row.counted_at))
    missing = [village for village in stale if village not in stored]
    if missing:
        by_group, totals = refill_stale(campaign, {village: versions[village] for village in missing},
                                        {village: lines[village] for village in missing})
        for village in missing:
            counts.update(_parse(village, totals[village] if village in whole else by_group[village], village in whole))
        moments.append(clock.now())
    return Figures(counts, min(moments) if moments else None, len(missing) < len(stale))


def _parse(village: int, stored_counts: dict, whole: bool) -> dict[tuple[int, int | str | None], Counts]:
    if whole:
        return {(village, WHOLE_VILLAGE): Counts.from_json(stored_counts)}
    return {(village, int(group) if group else None): Counts.from_json(in_group)
            for group, in_group in stored_counts.items()}


@dataclass
class _Read:
    """A stored row read in this request, and its counts once parsed."""

    row: Row
    counts: dict[tuple[int, int | str | None], Counts] | None = None


def _stored(campaign: Campaign, villages: list[int], whole) -> tuple[dict, list[int], dict, dict]:
    """Each village's stored row as read in this request (``_Read``), the stale villages (row
    missing, or counted at another version or line), and the versions and lines read before the
    rows."""
    versions = dict(db.session.execute(select(Area.id, Area.data_version).where(id_in(Area.id, villages))).all())
    lines = village_lines(campaign, villages, "circle_layer")
    rows = {}
    # A row read earlier in the request at the village's version and line now is still the
    # stored one (a county page asks twice for 2,858 villages' counts: its tallies and its
    # ranking's coverage); counting anew forgets them (refill_stale).
    read = g.setdefault(READ_IN_REQUEST, {})
    for kept, column in ((sorted(set(villages) & set(whole)), VillageFigures.totals),
                         (sorted(set(villages) - set(whole)), VillageFigures.figures)):
        wanted = []
        for village in kept:
            kept_read = read.get((campaign.id, village, column.key))
            if kept_read is not None and kept_read.row.data_version == versions[village] \
                    and kept_read.row.layer_threshold_fen == lines[village]:
                rows[village] = kept_read
            else:
                wanted.append(village)
        if wanted:
            for row in db.session.execute(
                    select(VillageFigures.village_id, VillageFigures.data_version, VillageFigures.layer_threshold_fen,
                           VillageFigures.counted_at, column.label("counts"))
                    .where(VillageFigures.campaign_id == campaign.id, id_in(VillageFigures.village_id, wanted))):
                rows[row.village_id] = read[(campaign.id, row.village_id, column.key)] = _Read(row)
    stale = [village for village in villages if village not in rows
             or rows[village].row.data_version != versions[village]
             or rows[village].row.layer_threshold_fen != lines[village]]
    return rows, stale, versions, lines


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)  # SQLite hands it back naive


def ask_recount() -> None:
    """Ask the worker to count stale villages again (app.figures.jobs); the one already queued
    or running, if any, will."""
    jobs.ask(RECOUNT_JOB, None, {})


def refill_stale(campaign: Campaign, versions: dict[int, int], lines: dict[int, int | None]) -> tuple[dict, dict]:
    """Count these villages (id → the data version read before counting; id → its circle-layer
    line) and store their rows, committed: each village's {group: Counts JSON} and its totals' JSON."""
    if not versions:
        return {}, {}
    g.pop(READ_IN_REQUEST, None)
    villages = sorted(versions)
    by_group: dict[int, dict[str, dict]] = {village: {} for village in villages}
    totals = {village: Counts() for village in villages}
    for (village, group), counts in village_counts(campaign, villages, lines).items():
        by_group[village]["" if group is None else str(group)] = counts.to_json()
        totals[village].add(counts)
    totals_json = {village: total.to_json() for village, total in totals.items()}
    now = clock.now()
    rows = [{"campaign_id": campaign.id, "village_id": village, "data_version": version,
             "layer_threshold_fen": lines[village], "figures": by_group[village], "totals": totals_json[village],
             "counted_at": now}
            for village, version in versions.items()]
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(VillageFigures)
    # Two pages counting the same village at once both store; the later one wins, and a
    # version older than the village's is counted again at the next view.
    db.session.execute(statement.on_conflict_do_update(
        index_elements=[VillageFigures.campaign_id, VillageFigures.village_id],
        set_={name: statement.excluded[name] for name in ("data_version", "layer_threshold_fen", "figures", "totals",
                                                           "counted_at")}), rows)
    db.session.commit()
    return by_group, totals_json


def stale_villages(campaign: Campaign) -> tuple[dict[int, int], dict[int, int | None]]:
    """Every stale village of ``campaign``: id → its data version, id → its circle-layer line."""
    villages = db.session.scalars(select(Area.id).where(Area.level == "village").order_by(Area.id)).all()
    _rows, stale, versions, lines = _stored(campaign, villages, frozenset(villages))
    return {village: versions[village] for village in stale}, {village: lines[village] for village in stale}
