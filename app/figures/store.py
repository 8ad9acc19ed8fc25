"""Reading the stored village counts, and the two named paths that write them.

A page reads the villages' data versions first, then their stored rows; a row counted at
another version or layer threshold (or missing) is stale. The version is read before the data
it describes, so a change committed in between leaves the row marked stale, never wrong.

Writes (each commits only ``VillageFigures`` rows, a cache: deleting every row loses nothing):
- ``refill_stale``: a reader that met stale villages counts them and stores them. This is the
  one write a GET makes (a dashboard, the review queue), so that the next page finds them.
- ``recount_changed``: after the response of a request whose writes changed villages
  (``app.figures.init_app``), those villages are counted and stored, so that pages rarely
  meet a stale village at all.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from app import clock
from app.campaigns.models import Campaign
from app.census.services import current_campaign
from app.extensions import db
from app.figures.counts import Counts, village_counts
from app.figures.models import ALL_VILLAGES, VillageFigures
from app.geo.models import Area
from app.sql import id_in

WHOLE_VILLAGE = "*"  # the group of a village's totals (every group, and households in none)


def village_figures(campaign: Campaign, village_ids, layer_threshold_fen: int, *,
                    whole=frozenset()) -> dict[tuple[int, int | str | None], Counts]:
    """The villages' counts by (village, group), or by (village, WHOLE_VILLAGE) for the
    villages in ``whole`` (a county adds up 300 villages instead of 2,000 groups); stale
    villages are counted again and stored (``refill_stale``)."""
    villages = sorted(village_ids)
    versions = dict(db.session.execute(select(Area.id, Area.data_version).where(id_in(Area.id, villages))).all())
    stored = {}
    for kept, column in ((sorted(set(villages) & set(whole)), VillageFigures.totals),
                         (sorted(set(villages) - set(whole)), VillageFigures.figures)):
        if kept:
            stored.update((row[0], row) for row in db.session.execute(
                select(VillageFigures.village_id, VillageFigures.data_version, VillageFigures.layer_threshold_fen,
                       column.label("counts")).where(VillageFigures.campaign_id == campaign.id,
                                                     id_in(VillageFigures.village_id, kept))))
    found: dict[int, dict] = {}  # each village's totals (whole) or its counts by group, as stored
    stale = []
    for village in villages:
        row = stored.get(village)
        if row is None or row.data_version != versions[village] or row.layer_threshold_fen != layer_threshold_fen:
            stale.append(village)
        else:
            found[village] = row.counts
    if stale:
        by_group, totals = refill_stale(campaign, layer_threshold_fen,
                                        {village: versions[village] for village in stale})
        found.update((village, totals[village] if village in whole else by_group[village]) for village in stale)
    counts: dict[tuple[int, int | str | None], Counts] = {}
    for village, stored_counts in found.items():
        if village in whole:
            counts[(village, WHOLE_VILLAGE)] = Counts.from_json(stored_counts)
        else:
            counts.update(((village, int(group) if group else None), Counts.from_json(in_group))
                          for group, in_group in stored_counts.items())
    return counts


def refill_stale(campaign: Campaign, layer_threshold_fen: int, versions: dict[int, int]) -> tuple[dict, dict]:
    """Count these villages (id → the data version read before counting) and store their
    rows, committed: each village's {group: Counts JSON} and its totals' JSON."""
    villages = sorted(versions)
    by_group: dict[int, dict[str, dict]] = {village: {} for village in villages}
    totals = {village: Counts() for village in villages}
    for (village, group), counts in village_counts(campaign, villages, layer_threshold_fen).items():
        by_group[village]["" if group is None else str(group)] = counts.to_json()
        totals[village].add(counts)
    totals_json = {village: total.to_json() for village, total in totals.items()}
    now = clock.now()
    rows = [{"campaign_id": campaign.id, "village_id": village, "data_version": version,
             "layer_threshold_fen": layer_threshold_fen, "figures": by_group[village], "totals": totals_json[village],
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


def recount_changed(changed) -> None:
    """Count again (and store) the current campaign's figures of ``changed`` villages (a set
    of ids, or ALL_VILLAGES) that are stale."""
    campaign = current_campaign()
    if campaign is None:
        return
    villages = (db.session.scalars(select(Area.id).where(Area.level == "village")).all()
                if changed == ALL_VILLAGES else changed)
    village_figures(campaign, villages, current_app.config["CIRCLE_LAYER_THRESHOLD_FEN"])
